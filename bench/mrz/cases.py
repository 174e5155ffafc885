#!/usr/bin/env python3
"""cases.py SHARED_DATA SOURCE_DIR OUT_DIR - the inputs of the MRZ benchmark.

Every zone of $LIMES_SHARED_DATA/mrz/cases/*.json, plus negatives derived
from them (the ICAO misprints, OCR-damaged copies, and for every valid zone
one copy with a broken birth-date check digit and one in lower case).  The
truth is computed here, independently of both readers: shape, the 7-3-1
check digits, the document code rules, calendar dates, and the code list
(Debian iso-codes ISO 3166-1 + src/mrz/icao-codes.tsv).

Writes OUT_DIR/inputs.json (cases with truth) and OUT_DIR/zones.txt (the
zones separated by blank lines, in the same order).
"""
import glob
import json
import os
import sys


def value(c):
    if c.isdigit():
        return int(c)
    if "A" <= c <= "Z":
        return ord(c) - 55
    return 0 if c == "<" else None


def check(s):
    vals = [value(c) for c in s]
    if None in vals:
        return None
    return str(sum(v * (7, 3, 1)[i % 3] for i, v in enumerate(vals)) % 10)


def load_codes(src):
    with open("/usr/share/iso-codes/json/iso_3166-1.json", encoding="utf-8") as f:
        codes = {e["alpha_3"] for e in json.load(f)["3166-1"]}
    with open(os.path.join(src, "src/mrz/icao-codes.tsv"), encoding="utf-8") as f:
        codes |= {l.split("\t")[0] for l in f if l.strip() and not l.startswith("#")}
    return codes


def date_ok(s, unknown_ok):
    if unknown_ok and "<" in s:
        return all(p in ("<<",) or p.isdigit() for p in (s[0:2], s[2:4], s[4:6]))
    if not s.isdigit():
        return False
    y, m, d = int(s[0:2]), int(s[2:4]), int(s[4:6])
    mdays = [31, 29 if y % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return 1 <= m <= 12 and 1 <= d <= mdays[m - 1]


def shape(lines):
    if len(lines) == 3 and all(len(l) == 30 for l in lines):
        return "TD1"
    if len(lines) == 2 and len(lines[0]) == len(lines[1]) and len(lines[0]) in (36, 44):
        visa = lines[0].startswith("V")
        return ("MRVB" if visa else "TD2") if len(lines[0]) == 36 else ("MRVA" if visa else "TD3")
    return None


def truth(lines, codes):
    """(valid, reasons, document number) per ICAO 9303."""
    fmt = shape(lines)
    if not fmt:
        return False, ["shape"], None
    text = "".join(lines)
    if any(value(c) is None for c in text):
        return False, ["charset"], None
    reasons = []
    code = lines[0][0:2]
    if fmt == "TD3" and code[0] != "P" or fmt.startswith("MRV") and code[0] != "V":
        reasons.append("document_code")
    if fmt in ("TD1", "TD2") and (code[0] not in "ACI" or code[1] == "V"):
        reasons.append("document_code")
    if lines[0][2:5].rstrip("<") not in codes:
        reasons.append("issuing_state")
    if fmt == "TD1":
        l1, l2 = lines[0], lines[1]
        num, ncheck, opt = l1[5:14], l1[14], l1[15:30]
        birth, bcheck, exp, echeck, nat = l2[0:6], l2[6], l2[8:14], l2[14], l2[15:18]
        sex = l2[7]
        comp = check(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]) == l2[29]
    else:
        l2 = lines[1]
        num, ncheck, opt = l2[0:9], l2[9], l2[28:]
        birth, bcheck, sex, exp, echeck, nat = l2[13:19], l2[19], l2[20], l2[21:27], l2[27], l2[10:13]
        comp = True
        if fmt == "TD2":
            comp = check(l2[0:10] + l2[13:20] + l2[21:35]) == l2[35]
        if fmt == "TD3":
            comp = check(l2[0:10] + l2[13:20] + l2[21:43]) == l2[43]
            pn, pcheck = l2[28:42], l2[42]
            if not (pn == "<" * 14 and pcheck in "<0") and check(pn) != pcheck:
                reasons.append("personal_number")
    number = num.rstrip("<")
    if ncheck == "<" and fmt != "TD3" and opt[0] != "<":
        ext = opt.split("<")[0]
        number = num + ext[:-1]
        if check(number) != ext[-1:] and check(num + "<" + ext[:-1]) != ext[-1:]:
            reasons.append("document_number")
    elif check(num) != ncheck:
        reasons.append("document_number")
    if check(birth) != bcheck or not date_ok(birth, True):
        reasons.append("birth_date")
    if check(exp) != echeck or not date_ok(exp, False):
        reasons.append("expiry_date")
    if nat.rstrip("<") not in codes:
        reasons.append("nationality")
    if sex not in "FM<":
        reasons.append("sex")
    if not comp:
        reasons.append("composite")
    return not reasons, reasons, number


def add(out, codes, case_id, lines, origin):
    valid, reasons, number = truth(lines, codes)
    out.append({"id": case_id, "lines": lines, "origin": origin, "valid": valid,
                "reasons": reasons, "number": number, "icao_shape": shape(lines)})
    return valid


def break_birth_check(lines):
    fmt = shape(lines)
    row, col = (1, 6) if fmt == "TD1" else (1, 19)
    l = lines[row]
    broken = l[:col] + str((int(l[col]) + 1) % 10) + l[col + 1:]
    return lines[:row] + [broken] + lines[row + 1:]


def main():
    shared, src, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    codes = load_codes(src)
    out = []
    for path in sorted(glob.glob(os.path.join(shared, "mrz/cases/*.json"))):
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for key, items in data.items():
            if not isinstance(items, list):
                continue
            for c in items:
                if not isinstance(c, dict) or "lines" not in c:
                    continue
                cid = "%s:%s" % (name.replace(".json", ""), c.get("id", "?"))
                national = c.get("icao_check_digits_computed") is None and "icao_note" in c
                valid = add(out, codes, cid, c["lines"], "national" if national else "case")
                if c.get("printed_in_pdf"):
                    add(out, codes, cid + ":as-printed", c["printed_in_pdf"], "misprint")
                if c.get("autocorrect_case") and not national:
                    add(out, codes, cid + ":ocr-damaged", c["autocorrect_case"]["lines"], "ocr")
                if valid:
                    add(out, codes, cid + ":bad-birth-check", break_birth_check(c["lines"]),
                        "broken-check")
                    add(out, codes, cid + ":lower-case", [l.lower() for l in c["lines"]],
                        "lower-case")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "inputs.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=0)
    with open(os.path.join(out_dir, "zones.txt"), "w", encoding="utf-8") as f:
        f.write("\n\n".join("\n".join(c["lines"]) for c in out) + "\n")
    print("%d inputs (%d valid per ICAO)" % (len(out), sum(c["valid"] for c in out)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
