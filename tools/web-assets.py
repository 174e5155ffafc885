#!/usr/bin/env python3
"""web-assets.py - build the generated files of the web interface.

The browser loads nothing from the network, so what it needs beyond the
committed sources under web/ is produced here from Debian packages and
written to web/generated/ (not committed):

- countries.json: every ISO 3166-1 alpha-3 code (and the ICAO-only codes of
  tools/web-icao-codes.json) with its name in English, Arabic and French,
  from iso-codes (iso_3166-1.json and its gettext catalogues);
- fonts/: the Noto Naskh Arabic and Noto Sans faces from fonts-noto-core.

Usage: tools/web-assets.py [SOURCE_ROOT]   (idempotent; quick)
"""
import gettext
import json
import os
import shutil
import sys

ISO_JSON = "/usr/share/iso-codes/json/iso_3166-1.json"
MO = "/usr/share/locale/%s/LC_MESSAGES/iso_3166-1.mo"
FONT_DIR = "/usr/share/fonts/truetype/noto"
FONTS = ["NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf",
         "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"]
LANGS = ["en", "ar", "fr"]


def translator(lang):
    if lang == "en" or not os.path.exists(MO % lang):
        return lambda s: s
    with open(MO % lang, "rb") as f:
        t = gettext.GNUTranslations(f)
    return t.gettext


def countries(root):
    with open(ISO_JSON, encoding="utf-8") as f:
        iso = json.load(f)["3166-1"]
    tr = {lang: translator(lang) for lang in LANGS}
    out = {}
    for c in iso:
        out[c["alpha_3"]] = {lang: tr[lang](c["name"]) for lang in LANGS}
    with open(os.path.join(root, "tools", "web-icao-codes.json"), encoding="utf-8") as f:
        icao = json.load(f)
    for code, names in icao.items():
        if code.startswith("_"):
            continue
        out[code] = dict(out[names["alias"]]) if "alias" in names else names
    return out


def write_if_changed(path, data):
    if os.path.exists(path):
        with open(path, "rb") as f:
            if f.read() == data:
                return
    with open(path, "wb") as f:
        f.write(data)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))
    gen = os.path.join(root, "web", "generated")
    os.makedirs(os.path.join(gen, "fonts"), exist_ok=True)
    data = json.dumps(countries(root), ensure_ascii=False, sort_keys=True).encode("utf-8")
    write_if_changed(os.path.join(gen, "countries.json"), data)
    for name in FONTS:
        src = os.path.join(FONT_DIR, name)
        dst = os.path.join(gen, "fonts", name)
        if not os.path.exists(src):
            sys.exit("web-assets: %s is missing (Debian package fonts-noto-core)" % src)
        if not os.path.exists(dst) or os.path.getsize(dst) != os.path.getsize(src):
            shutil.copyfile(src, dst)


if __name__ == "__main__":
    main()
