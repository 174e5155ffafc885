"""test_screen.py - screening end to end: `limes screen` (one traveller,
--json, a CSV batch with one JSON object per row, bad input), `limes names
score`, and the API (POST /v1/screen, /v1/screen/batch,
/v1/screen/false-positives) with role checks, audit and the reviewed
false-positive mark."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, cli  # noqa: E402

PERSONS = (
    "ref,full_name,aliases,dob,nationality,gender,documents,action\n"
    "S-1,Mohammed Abdulrahman Al-Tikriti,محمد عبد الرحمن التكريتي,1970-05-12,IRQ,M,A1234567/IRQ,arrest\n"
    "S-2,Lina Mansour,,2015-06,JOR,F,,protect\n"
)
DOCUMENTS = "number,issuer,type,status,reported\nP0O1234,FRA,passport,stolen,2024-05-01\n"


class ScreenTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        d = cls.srv.dir
        for name, text in (("p.csv", PERSONS), ("d.csv", DOCUMENTS)):
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                f.write(text)
        cli("lists", "import", "--list", "WANTED", "--format", "csv", os.path.join(d, "p.csv"),
            db=cls.srv.db)
        cli("lists", "import", "--list", "SLTD", "--format", "csv-documents",
            os.path.join(d, "d.csv"), db=cls.srv.db)

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()

    def test_cli_screen_latin_arabic_json(self):
        p = cli("screen", "--name", "Muhammad Abd al-Rahman Tikriti", "--dob", "1970", "--json",
                db=self.srv.db)
        out = json.loads(p.stdout)
        self.assertEqual(out["hits"][0]["ref"], "S-1")
        self.assertTrue(out["hits"][0]["alert"])
        self.assertTrue(out["hits"][0]["explanation"]["matches"])
        p = cli("screen", "--name", "محمد عبدالرحمن التكريتي", "--json", db=self.srv.db)
        self.assertEqual(json.loads(p.stdout)["hits"][0]["ref"], "S-1")
        p = cli("screen", "--name", "Peter Jones", "--json", db=self.srv.db)
        self.assertEqual(json.loads(p.stdout)["hits"], [])
        p = cli("screen", "--document", "POO1234", "--issuer", "FRA", db=self.srv.db)
        self.assertIn("look-alike", p.stdout)

    def test_cli_bad_input(self):
        for args in (["--name", ""], ["--name", "al bin"], ["--name", "x" * 10000],
                     ["--name", "Ali", "--dob", "1970-13-40"], ["--name", "Ali", "--gender", "X"]):
            p = cli("screen", *args, db=self.srv.db, check=False)
            self.assertIn(p.returncode, (1, 2), (args[1][:40], p.stdout, p.stderr))
            self.assertIn("limes:", p.stderr)
            self.assertNotIn("Traceback", p.stderr)

    def test_cli_batch(self):
        path = os.path.join(self.srv.dir, "batch.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("name,dob,nationality\nMohamed Abderrahmane Tikriti,1970,IRQ\n"
                    "Jane Doe,,\n,1970,\n")
        p = cli("screen", "--batch", path, "--json", db=self.srv.db, check=False)
        rows = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows[0]["row"], 1)
        self.assertEqual(rows[0]["hits"][0]["ref"], "S-1")
        self.assertEqual(rows[1]["hits"], [])
        self.assertIn("error", rows[2])
        with open(path, "w", encoding="utf-8") as f:
            f.write("nom,naissance\nX,1970\n")
        p = cli("screen", "--batch", path, db=self.srv.db, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown column", p.stderr)

    def test_names_score(self):
        p = cli("names", "score", "Mohammed Ali", "محمد علي", "--json")
        out = json.loads(p.stdout)
        self.assertGreaterEqual(out["score"], 0.9)
        self.assertEqual(out["matches"][0]["how"], "variant")
        p = cli("names", "score", "", "x", check=False)
        self.assertEqual(p.returncode, 2)

    def test_api_roles_and_false_positive(self):
        body = {"name": "Mohammed Abdulrahman Tikriti", "dob": "1970"}
        for role in ("officer", "second_line", "supervisor"):
            r = self.srv.request("POST", "/v1/screen", role=role, body=body)
            self.assertEqual(r.status, 200, r.body)
        for role in ("analyst", "liaison", "admin"):
            r = self.srv.request("POST", "/v1/screen", role=role, body=body)
            self.assertEqual(r.status, 403, role)
        r = self.srv.request("POST", "/v1/screen", role="officer", body=body)
        hit = r.json["hits"][0]
        self.assertTrue(hit["alert"])
        mark = {"identity_key": r.json["identity_key"], "entry_id": hit["entry_id"],
                "reason": "different person: passport checked"}
        r = self.srv.request("POST", "/v1/screen/false-positives", role="officer", body=mark)
        self.assertEqual(r.status, 403)
        r = self.srv.request("POST", "/v1/screen/false-positives", role="second_line", body=mark)
        self.assertEqual(r.status, 201, r.body)
        r = self.srv.request("POST", "/v1/screen", role="officer", body=body)
        self.assertTrue(r.json["hits"][0]["suppressed"])
        self.assertFalse(r.json["hits"][0]["alert"])
        r = self.srv.request("POST", "/v1/screen", role="officer", body={"name": ""})
        self.assertEqual(r.status, 400)
        r = self.srv.request("POST", "/v1/screen", role="officer", body={"name": 7})
        self.assertEqual(r.status, 400)

    def test_metrics_show_the_engine(self):
        body = {"name": "Mohammed Abdulrahman Tikriti", "dob": "1970"}
        for _ in range(3):  # the same tokens again: their spellings are remembered
            self.assertEqual(self.srv.request("POST", "/v1/screen", role="officer", body=body).status, 200)
        r = self.srv.request("GET", "/metrics", role="supervisor")
        self.assertEqual(r.status, 200)
        values = {}
        for line in r.body.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                values[name] = float(value)
        self.assertGreater(values["limes_screen_index_names"], 0)
        self.assertGreater(values["limes_screen_index_bytes"], 0)
        self.assertGreaterEqual(values["limes_screen_spelling_lookups_total"], 9)
        self.assertGreaterEqual(values["limes_screen_spellings_remembered_total"], 6)
        self.assertGreater(values["limes_store_durable_commits_total"], 0)
        self.assertLessEqual(values["limes_store_wal_syncs_total"],
                             values["limes_store_durable_commits_total"])

    def test_api_batch(self):
        body = {"travellers": [{"name": "Lina Mansour", "dob": "2015"}, {"name": ""},
                               {"document": "P0O1234", "issuer": "FRA"}]}
        r = self.srv.request("POST", "/v1/screen/batch", role="second_line", body=body)
        self.assertEqual(r.status, 200, r.body)
        res = r.json["results"]
        self.assertEqual(res[0]["hits"][0]["ref"], "S-2")
        self.assertIn("error", res[1])
        self.assertEqual(res[2]["hits"][0]["kind"], "document")
        r = self.srv.request("POST", "/v1/screen/batch", role="officer", body=body)
        self.assertEqual(r.status, 403)
        r = self.srv.request("POST", "/v1/screen/batch", role="supervisor",
                             body={"travellers": [{"name": "A"}] * 101})
        self.assertEqual(r.status, 413)


if __name__ == "__main__":
    unittest.main()
