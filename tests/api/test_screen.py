"""test_screen.py - screening end to end: `limes screen` (one traveller,
--json, a CSV batch with one JSON object per row, bad input), `limes names
score`, and the API (POST /v1/screen, /v1/screen/batch,
/v1/screen/false-positives, /v1/screen/thresholds) with role checks, audit,
the reviewed false-positive mark, and lists and thresholds changed by
another process (the CLI) while the server runs."""
import json
import os
import sys
import time
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
        # another process changed the lists: the server screens against them
        # within a second (src/screen/service.c)
        deadline = time.time() + 30
        while time.time() < deadline:
            r = cls.srv.request("POST", "/v1/screen", role="officer",
                                body={"name": "Lina Mansour", "document": "P0O1234", "issuer": "FRA"})
            if {h["list"] for h in r.json["hits"]} >= {"WANTED", "SLTD"}:
                break
            time.sleep(0.2)

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

    def screen_tune(self, name):
        """The hit of list TUNE for name, or None."""
        r = self.srv.request("POST", "/v1/screen", role="officer", body={"name": name, "min_score": 0.5})
        self.assertEqual(r.status, 200, r.body)
        return next((h for h in r.json["hits"] if h["list"] == "TUNE"), None)

    def wait_for(self, what, check):
        deadline = time.time() + 30
        while time.time() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.2)
        self.fail("not seen within 30 s: " + what)

    def test_thresholds_and_changes_by_another_process(self):
        path = os.path.join(self.srv.dir, "tune.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("ref,full_name,aliases,dob,nationality,gender,documents,action\n"
                    "T-1,Karim Haddad,,,,M,,check\n")
        self.assertIsNone(self.screen_tune("Karim Hadad"))
        # a list imported by another process is screened against while the server runs
        cli("lists", "import", "--list", "TUNE", "--format", "csv", path, db=self.srv.db)
        hit = self.wait_for("the list TUNE", lambda: self.screen_tune("Karim Hadad"))
        self.assertTrue(hit["alert"])
        self.assertLess(hit["score"], 0.99)
        # roles and bad values
        for role in ("officer", "second_line", "analyst", "liaison"):
            self.assertEqual(self.srv.request("GET", "/v1/screen/thresholds", role=role).status, 403)
            r = self.srv.request("PUT", "/v1/screen/thresholds/TUNE", role=role, body={"threshold": 0.99})
            self.assertEqual(r.status, 403, role)
        for bad in (1.5, 0, "high", None):
            r = self.srv.request("PUT", "/v1/screen/thresholds/TUNE", role="supervisor", body={"threshold": bad})
            self.assertEqual(r.status, 400, bad)
        # set through the API: the next screening uses it
        r = self.srv.request("PUT", "/v1/screen/thresholds/TUNE", role="supervisor", body={"threshold": 0.99})
        self.assertEqual(r.status, 200, r.body)
        self.assertAlmostEqual(r.json["previous"], 0.86)
        hit = self.screen_tune("Karim Hadad")
        self.assertAlmostEqual(hit["threshold"], 0.99)
        self.assertFalse(hit["alert"])
        r = self.srv.request("GET", "/v1/screen/thresholds", role="admin")
        self.assertIn({"list": "TUNE", "threshold": 0.99}, r.json["thresholds"])
        entries = self.srv.request("GET", "/v1/audit?record=list:TUNE", role="supervisor").json["entries"]
        self.assertTrue(any("0.860 -> 0.990" in (e.get("detail") or "") for e in entries), entries)
        # set by another process: screening uses it within a second or so
        cli("screen", "threshold", "TUNE", "0.5", db=self.srv.db)
        hit = self.wait_for("the CLI's threshold", lambda: (lambda h: h if h and abs(h["threshold"] - 0.5) < 1e-9 else None)(self.screen_tune("Karim Hadad")))
        self.assertTrue(hit["alert"])

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
        self.assertIn("limes_store_checkpoints_total", values)  # none due in so small a WAL
        self.assertEqual(values.get("limes_store_committer_checkpoints_total"), 0)

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
