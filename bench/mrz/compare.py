#!/usr/bin/env python3
"""compare.py INPUTS.json LIMES.jsonl PEER.json LIMES_SPEED.json - the side
by side table of the MRZ benchmark (markdown on stdout).

A reader reads a case correctly when its verdict matches the ICAO truth of
cases.py and, for a valid zone, it reads the right document number; for an
invalid zone it must point at (one of) the right fields: a check digit,
code or date that the truth names, or the shape/character set."""
import json
import sys

LIMES_FIELDS = {
    "document_number": {"document_number"}, "birth_date": {"birth_date"},
    "expiry_date": {"expiry_date"}, "issuing_state": {"issuing_state"},
    "nationality": {"nationality"}, "personal_number": {"optional_data"},
    "composite": {"composite"}, "sex": {"sex"}, "document_code": {"document_code"},
}
LIMES_SHAPE = {"bad-line-length", "bad-line-count"}
LIMES_CHARSET = {"bad-character", "lower-case", "nul-byte"}
PEER_FIELDS = {
    "document_number": {"documentNumber", "documentNumberCheckDigit"},
    "birth_date": {"birthDate", "birthDateCheckDigit"},
    "expiry_date": {"expirationDate", "expirationDateCheckDigit"},
    "issuing_state": {"issuingState"}, "nationality": {"nationality"},
    "personal_number": {"personalNumber", "personalNumberCheckDigit"},
    "composite": {"compositeCheckDigit"}, "sex": {"sex"}, "document_code": {"documentCode"},
}


def limes_points_right(case, doc):
    codes = {p["code"] for p in doc["problems"] if p["severity"] == "error"}
    fields = {p["field"] for p in doc["problems"] if p["severity"] == "error"}
    for r in case["reasons"]:
        if r == "shape" and codes & LIMES_SHAPE or r == "charset" and codes & LIMES_CHARSET:
            return True
        if LIMES_FIELDS.get(r, set()) & fields:
            return True
    return False


def peer_points_right(case, v):
    if "error" in v:
        return "shape" in case["reasons"]
    invalid = set(v.get("invalid", []))
    for r in case["reasons"]:
        if r == "charset" and invalid or PEER_FIELDS.get(r, set()) & invalid:
            return True
    return False


def correct(case, valid, number, points_right):
    if case["valid"]:
        return valid and number == case["number"]
    return not valid and points_right


def main():
    inputs = json.load(open(sys.argv[1], encoding="utf-8"))
    limes = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
    peer = json.load(open(sys.argv[3], encoding="utf-8"))
    speed = json.load(open(sys.argv[4], encoding="utf-8"))
    assert len(limes) == len(inputs) == len(peer["verdicts"])
    groups, misses = {}, []
    for case, doc, v in zip(inputs, limes, peer["verdicts"]):
        ours = correct(case, doc["valid"], doc.get("document_number"),
                       not doc["valid"] and limes_points_right(case, doc))
        theirs = correct(case, v["valid"], v.get("number"),
                         not v["valid"] and peer_points_right(case, v))
        if case["origin"] == "national":  # outside ICAO 9303: count what each reads as valid
            ours, theirs = doc["valid"], v["valid"]
        g = groups.setdefault(case["origin"], [0, 0, 0, 0])
        g[0] += 1
        g[1] += case["valid"]
        g[2] += ours
        g[3] += theirs
        if not ours or not theirs:
            misses.append((case, ours, theirs, doc, v))
    names = {"case": "zones of the case files", "misprint": "ICAO misprints as printed",
             "ocr": "OCR-damaged copies", "broken-check": "valid zones, birth check digit broken",
             "lower-case": "valid zones in lower case",
             "national": "national non-ICAO formats (French ID, Swiss/French DL): read as valid"}
    print("| inputs | n | ICAO-valid | limes correct | npm mrz 5.0.2 correct |")
    print("|---|---:|---:|---:|---:|")
    total = [0, 0, 0, 0]
    for origin in ["case", "misprint", "ocr", "broken-check", "lower-case", "national"]:
        if origin not in groups:
            continue
        g = groups[origin]
        if origin != "national":
            total = [a + b for a, b in zip(total, g)]
        print("| %s | %d | %d | %d | %d |" % (names[origin], *g))
    print("| **all ICAO inputs** | %d | %d | **%d** | **%d** |" % tuple(total))
    print()
    print("Throughput, parse and validate, per CPU second: limes %.0f zones/s (%.0f with the JSON "
          "object), npm mrz %.0f zones/s: %.1fx (%.1fx with JSON)." % (
              speed["per_second"], speed["per_second_with_json"], peer["throughput"],
              speed["per_second"] / peer["throughput"],
              speed["per_second_with_json"] / peer["throughput"]))
    print()
    print("Cases either reader gets wrong (truth / limes / npm mrz):")
    print()
    for case, ours, theirs, doc, v in misses:
        if case["origin"] == "national":
            continue
        peer_says = v.get("error") or ("valid" if v["valid"] else "invalid " + ",".join(v["invalid"]))
        our_says = "valid" if doc["valid"] else "invalid " + ",".join(
            sorted({p["field"] or p["code"] for p in doc["problems"] if p["severity"] == "error"}))
        print("- %s: truth %s; limes %s%s; npm %s%s" % (
            case["id"], "valid" if case["valid"] else "invalid (" + ",".join(case["reasons"]) + ")",
            "ok" if ours else "WRONG", "" if ours else " (" + our_says + ")",
            "ok" if theirs else "WRONG", "" if theirs else " (" + peer_says[:80] + ")"))


if __name__ == "__main__":
    main()
