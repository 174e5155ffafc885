"""test_mrz.py - travel documents end to end: POST /v1/documents/mrz (roles,
the same JSON object as the CLI, invalid zones as answers, unusable input
refused, audit) and `limes mrz parse|make|name` (blank-line separated
documents, JSON Lines, --on, exit codes)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, Server, cli  # noqa: E402

TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
       "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\n"
       "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
FIELDS = ["format", "document_code", "issuing_state", "primary_identifier",
          "secondary_identifier", "document_number", "nationality", "birth_date",
          "birth_date_raw", "expiry_date", "expiry_date_raw", "sex", "optional_data",
          "optional_data_2", "checks", "valid", "problems"]


def run(args, stdin=None):
    return subprocess.run([BIN] + args, input=stdin, capture_output=True, text=True, timeout=60)


class MrzCliTest(unittest.TestCase):
    def test_parse_json_lines(self):
        bad = TD3.replace("7408122", "7408123")
        p = run(["mrz", "parse", "--json", "--on", "2010-01-01", "-"],
                stdin=TD3 + "\n\n" + TD1 + "\r\n\n\n" + bad + "\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        docs = [json.loads(line) for line in p.stdout.splitlines()]
        self.assertEqual(len(docs), 3)
        for d in docs:
            self.assertEqual(sorted(k for k in FIELDS if k in d), sorted(FIELDS))
        self.assertEqual(docs[0]["format"], "TD3")
        self.assertTrue(docs[0]["valid"])
        self.assertEqual(docs[0]["birth_date"], "1974-08-12")
        self.assertEqual(docs[0]["problems"], [])
        self.assertEqual(docs[1]["format"], "TD1")
        self.assertTrue(docs[1]["valid"])
        self.assertEqual(docs[1]["optional_data_2"], "")
        self.assertFalse(docs[2]["valid"])
        codes = {p["code"] for p in docs[2]["problems"]}
        self.assertIn("check-digit", codes)
        self.assertIn("composite-check", codes)
        # on a later date the same passport has expired: a warning, still valid
        p = run(["mrz", "parse", "--json", "--on", "2020-01-01"], stdin=TD3)
        d = json.loads(p.stdout)
        self.assertTrue(d["valid"])
        self.assertEqual(d["problems"][0]["code"], "expired")

    def test_parse_text_and_errors(self):
        p = run(["mrz", "parse"], stdin="garbage\n")
        self.assertEqual(p.returncode, 0)
        self.assertIn("INVALID", p.stdout)
        self.assertIn("bad-line-count", p.stdout)
        self.assertNotEqual(run(["mrz", "parse"], stdin="\n\n").returncode, 0)
        self.assertNotEqual(run(["mrz", "parse", "--on", "2020-13-01"], stdin=TD3).returncode, 0)
        self.assertNotEqual(run(["mrz", "parse", "/nonexistent/file"]).returncode, 0)

    def test_make_and_name(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"format": "TD3", "issuing_state": "UTO", "primary_identifier": "Eriksson",
                       "secondary_identifier": "Anna María", "document_number": "L898902C3",
                       "nationality": "UTO", "birth_date": "1974-08-12", "sex": "F",
                       "expiry_date": "2012-04-15", "optional_data": "ZE184226B"}, f)
        try:
            p = run(["mrz", "make", "--json", f.name])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout.strip(), TD3)
        finally:
            os.unlink(f.name)
        p = run(["mrz", "name", "جمال عبد الناصر"])
        self.assertEqual(p.stdout.strip(), "JMAL<EBD<ALNAXSSR")
        p = run(["mrz", "name", "--lang", "ukr", "ТКАЧЕНКО, МАР'ЯНА"])
        self.assertEqual(p.stdout.strip(), "TKACHENKO<<MARIANA")
        self.assertNotEqual(run(["mrz", "name", "R2D2"]).returncode, 0)
        p = run(["mrz", "arabic", "JMAL<EBD<ALNAXSSR"])
        self.assertEqual(p.stdout.strip(), "جمال عبد الناصر")

    def test_codes(self):
        p = run(["mrz", "codes"])
        self.assertEqual(len(p.stdout.splitlines()), 279)
        self.assertIn("Germany", run(["mrz", "codes", "D<<"]).stdout)
        self.assertIn("ICAO", run(["mrz", "codes", "UTO"]).stdout)
        self.assertEqual(run(["mrz", "codes", "YTO"]).returncode, 1)


class MrzApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server()

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()

    def post(self, body, role="officer"):
        return self.srv.request("POST", "/v1/documents/mrz", body, role=role)

    def test_same_object_as_cli(self):
        r = self.post({"mrz": TD3, "on": "2010-01-01"})
        self.assertEqual(r.status, 200, r.body)
        p = run(["mrz", "parse", "--json", "--on", "2010-01-01"], stdin=TD3)
        self.assertEqual(r.json, json.loads(p.stdout))
        self.assertTrue(r.json["valid"])

    def test_roles(self):
        for role in ["officer", "second_line", "supervisor", "admin"]:
            self.assertEqual(self.post({"mrz": TD1}, role).status, 200, role)
        for role in ["analyst", "liaison"]:
            self.assertEqual(self.post({"mrz": TD1}, role).status, 403, role)

    def test_invalid_is_an_answer_unusable_is_refused(self):
        r = self.post({"mrz": TD3.replace("UTO", "YTO", 1)})
        self.assertEqual(r.status, 200)
        self.assertFalse(r.json["valid"])
        self.assertEqual(r.json["problems"][0]["code"], "unknown-code")
        self.assertEqual(r.json["problems"][0]["line"], 1)
        self.assertEqual(r.json["problems"][0]["column"], 3)
        self.assertEqual(self.post({"mrz": ""}).status, 422)
        self.assertEqual(self.post({"mrz": "<" * 5000}).status, 400)
        self.assertEqual(self.post({}).status, 400)
        self.assertEqual(self.post({"mrz": TD3, "on": "yesterday"}).status, 400)

    def test_codes(self):
        r = self.srv.request("GET", "/v1/documents/codes", role="analyst")
        self.assertEqual(r.status, 200, r.body)
        codes = {c["code"]: c for c in r.json["codes"]}
        self.assertEqual(len(codes), 279)
        self.assertTrue(codes["UTO"]["icao_only"])
        self.assertNotIn("YTO", codes)
        self.assertEqual(codes["EGY"]["name_ar"], "مصر")
        self.assertEqual(codes["EGY"]["name_fr"], "Égypte")
        r = self.srv.request("GET", "/v1/documents/codes?code=D%3C%3C", role="officer")
        self.assertEqual(r.json["name_en"], "Germany")
        r = self.srv.request("GET", "/v1/documents/codes?code=YTO", role="officer")
        self.assertEqual(r.status, 404)

    def test_audited(self):
        self.post({"mrz": TD3})
        r = self.srv.request("GET", "/v1/audit?record=document:UTO/L898902C3", role="supervisor")
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("L898902C3", r.body)


if __name__ == "__main__":
    unittest.main()
