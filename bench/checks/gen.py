#!/usr/bin/env python3
"""gen.py - synthetic data for the first-line check benchmark (issue 5).

  gen.py watchlist VARIANTS N OUT.csv   N persons in the CSV format of
                                        docs/lists-csv.md (--format csv)
  gen.py bodies VARIANTS N OUT.lua      N POST /v1/checks bodies with valid
                                        TD3 MRZs, as a Lua table for wrk
  gen.py bodies VARIANTS N OUT.jsonl    the same bodies, one a line (load.c)

Names come from data/names/variants.tsv (the table the screening engine
uses, like bench/screen/speed.c): an Arabic token and its Latin spellings.
A watchlist person gets a Latin full name and, one time in three, the
Arabic spelling as an alias.  Travellers are drawn from the same spellings
so that screening does real candidate work; one body in 50 is a listed
person (a likely hit), the rest are random combinations.  Deterministic
(fixed seed).
"""
import json
import random
import sys

NATS = ["IRQ", "SYR", "EGY", "JOR", "LBN", "MAR", "DZA", "TUN", "LBY", "SDN", "YEM",
        "SAU", "PSE", "GBR", "FRA", "DEU", "ESP", "ITA", "NLD", "TUR"]


def load_tokens(path):
    tokens = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or "\t" not in line:
            continue
        arabic, spellings = line.rstrip("\n").split("\t", 1)
        latin = [s.split(":")[0] for s in spellings.split(",") if s]
        latin = [s for s in latin if s.isascii() and s.isalpha() and 2 < len(s) < 14]
        if latin:
            tokens.append((arabic, latin))
    return tokens


def person(rng, tokens, i):
    given = [rng.choice(tokens) for _ in range(rng.choice((1, 2)))]
    family = rng.choice(tokens)
    return {
        "ref": "BP-%07d" % i,
        "given": [rng.choice(t[1]) for t in given],
        "family": rng.choice(family[1]),
        "arabic": " ".join([t[0] for t in given] + [family[0]]),
        "dob": "%04d-%02d-%02d" % (rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)),
        "nat": rng.choice(NATS),
        "sex": rng.choice("MF"),
    }


def watchlist(tokens, n, out):
    rng = random.Random(5)
    with open(out, "w", encoding="utf-8") as f:
        f.write("ref,given_name,family_name,aliases,dob,nationality,gender,action\n")
        for i in range(n):
            p = person(rng, tokens, i)
            alias = p["arabic"] if i % 3 == 0 else ""
            f.write("%s,%s,%s,%s,%s,%s,%s,refuse_entry\n" % (
                p["ref"], " ".join(p["given"]).title(), p["family"].title(), alias,
                p["dob"], p["nat"], p["sex"]))


def check_digit(s):
    total = 0
    for k, ch in enumerate(s):
        if ch.isdigit():
            v = ord(ch) - 48
        elif ch.isalpha():
            v = ord(ch) - 55
        else:
            v = 0
        total += v * (7, 3, 1)[k % 3]
    return str(total % 10)


def td3(p, number, expiry):
    name = (p["family"].upper() + "<<" + "<".join(g.upper() for g in p["given"]))[:39]
    line1 = ("P<" + p["nat"] + name).ljust(44, "<")
    dob = p["dob"][2:4] + p["dob"][5:7] + p["dob"][8:10]
    opt = "<" * 14
    body = (number + check_digit(number) + p["nat"] + dob + check_digit(dob) + p["sex"] +
            expiry + check_digit(expiry) + opt + check_digit(opt))
    final = check_digit(number + check_digit(number) + dob + check_digit(dob) + expiry +
                        check_digit(expiry) + opt + check_digit(opt))
    return line1 + "\n" + body + final


def bodies(tokens, n, out):
    listed = random.Random(5)  # same stream as the watchlist: its first persons
    rng = random.Random(7)
    lua = out.endswith(".lua")
    with open(out, "w", encoding="utf-8") as f:
        if lua:
            f.write("return {\n")
        for i in range(n):
            p = person(listed, tokens, i) if i % 50 == 0 else person(rng, tokens, 10**7 + i)
            mrz = td3(p, "C%08d" % i, "%02d%02d15" % (30 + i % 5, 1 + i % 12))
            body = {"mrz": mrz, "bcp": "TN-TUN-AIR" if i % 2 else "TN-RASJEDIR",
                    "direction": "entry"}
            f.write("%s,\n" % json.dumps(json.dumps(body)) if lua else json.dumps(body) + "\n")
        if lua:
            f.write("}\n")


def main():
    what, variants, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    tokens = load_tokens(variants)
    {"watchlist": watchlist, "bodies": bodies}[what](tokens, n, out)


if __name__ == "__main__":
    main()
