"""test_lists.py - watchlists end to end: `limes lists import|ls|rm` on the
CLI (errors naming the line, atomic replace, audit) and the admin API
(GET /v1/lists, POST /v1/lists/{name}/import with a raw body, role checks,
the body cap).  The UN file from LIMES_SHARED_DATA is used when present."""
import json
import os
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, cli  # noqa: E402

PERSONS = (
    "ref,full_name,aliases,dob,nationality,gender,documents,action\n"
    "T-1,Karim Haddad,كريم حداد,1975-03-14,LBN,M,X1234567/LBN,arrest\n"
    "T-2,Lina Mansour,,2015-06,JOR,F,,protect\n"
)
DOCUMENTS = "number,issuer,type,status,reported\nL898902C3,UTO,passport,stolen,2024-05-01\n"


class ListsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        cls.files = cls.srv.dir

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()

    def write(self, name, text):
        path = os.path.join(self.files, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def lists(self, role="supervisor"):
        r = self.srv.request("GET", "/v1/lists", role=role)
        self.assertEqual(r.status, 200, r.body)
        return {l["name"]: l for l in r.json["lists"]}, r.json["generation"]

    def import_raw(self, name, fmt, data, role="admin"):
        return self.srv.request("POST", "/v1/lists/%s/import?format=%s" % (name, fmt), role=role,
                                raw=data.encode("utf-8"), headers={"Content-Type": "text/csv"})

    def test_api_import_and_list(self):
        r = self.import_raw("API-PERSONS", "csv", PERSONS)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json["persons"], 2)
        self.assertEqual(r.json["names"], 3)
        lists, gen = self.lists()
        self.assertEqual(lists["API-PERSONS"]["entries"], 2)
        self.assertEqual(lists["API-PERSONS"]["kind"], "persons")
        self.assertEqual(gen, r.json["generation"])
        r = self.import_raw("API-SLTD", "csv-documents", DOCUMENTS)
        self.assertEqual(r.status, 200, r.body)
        lists, gen2 = self.lists(role="admin")
        self.assertEqual(lists["API-SLTD"]["kind"], "documents")
        self.assertGreater(gen2, gen)
        # The import is audited with the list as record.
        r = self.srv.request("GET", "/v1/audit?record=list:API-SLTD", role="supervisor")
        self.assertEqual(r.status, 200)
        self.assertTrue(any("/import" in e["action"] for e in r.json["entries"]), r.body)

    def test_api_roles(self):
        for role in ("officer", "second_line", "analyst", "liaison"):
            self.assertEqual(self.srv.request("GET", "/v1/lists", role=role).status, 403)
        self.assertEqual(self.import_raw("X", "csv", PERSONS, role="supervisor").status, 403)

    def test_api_bad_input_keeps_previous_version(self):
        self.assertEqual(self.import_raw("API-KEEP", "csv", PERSONS).status, 200)
        bad = PERSONS + "T-3,Omar,,1970-13-01,,,,\n"
        r = self.import_raw("API-KEEP", "csv", bad)
        self.assertEqual(r.status, 400)
        self.assertIn("line 4", r.json["detail"])
        self.assertIn("dob", r.json["detail"])
        lists, _ = self.lists()
        self.assertEqual(lists["API-KEEP"]["entries"], 2)
        r = self.srv.request("POST", "/v1/lists/API-KEEP/import", role="admin", raw=b"x")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "format")
        r = self.import_raw("API-KEEP", "pdf", PERSONS)
        self.assertEqual(r.status, 400)
        r = self.import_raw("bad%20name", "csv", PERSONS)
        self.assertEqual(r.status, 400)
        r = self.import_raw("API-KEEP", "un", "<CONSOLIDATED_LIST><INDIVIDUALS>")
        self.assertEqual(r.status, 400)
        self.assertIn("well-formed", r.json["detail"])

    def test_api_upload_above_json_cap(self):
        # uploads have their own cap (64 MiB by default), above the 1 MiB JSON cap
        big = "ref,full_name\n" + "".join("R%d,Name Number %d\n" % (i, i) for i in range(60000))
        self.assertGreater(len(big), 1 << 20)
        r = self.import_raw("API-BIG", "csv", big)
        self.assertEqual(r.status, 200, r.body)

    def test_cli_import_ls_rm(self):
        db = self.srv.db
        path = self.write("persons.csv", PERSONS)
        p = cli("lists", "import", "--list", "CLI-PERSONS", "--format", "csv", path, db=db)
        self.assertIn("2 persons", p.stdout)
        p = cli("lists", "ls", "--json", db=db)
        names = {l["name"]: l for l in json.loads(p.stdout)}
        self.assertEqual(names["CLI-PERSONS"]["sources"], ["persons.csv"])
        bad = self.write("bad.csv", "ref,full_name,shoe\nA,B,42\n")
        p = cli("lists", "import", "--list", "CLI-PERSONS", "--format", "csv", bad, db=db,
                check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("line 1, column 3", p.stderr)
        p = cli("lists", "import", "--list", "CLI-PERSONS", "--format", "xml", path, db=db,
                check=False)
        self.assertEqual(p.returncode, 2)
        p = cli("lists", "ls", db=db)
        self.assertIn("CLI-PERSONS", p.stdout)
        cli("lists", "rm", "CLI-PERSONS", db=db)
        p = cli("lists", "rm", "CLI-PERSONS", db=db, check=False)
        self.assertNotEqual(p.returncode, 0)
        with sqlite3.connect(db) as con:
            actions = [a for (a,) in con.execute("SELECT action FROM audit WHERE records LIKE "
                                                 "'%list:CLI-PERSONS%'")]
        self.assertIn("cli lists import", actions)
        self.assertIn("cli lists rm", actions)

    def test_cli_un_list(self):
        shared = os.environ.get("LIMES_SHARED_DATA")
        if not shared:
            self.skipTest("LIMES_SHARED_DATA not set: UN list import skipped")
        un = os.path.join(shared, "screening", "un", "UN_consolidated_2026-02-27.xml")
        p = cli("lists", "import", "--list", "UN", "--format", "un", "--action", "arrest", un,
                db=self.srv.db)
        self.assertIn("730 persons", p.stdout)
        self.assertIn("273  entity", p.stdout)
        lists, _ = self.lists()
        self.assertEqual(lists["UN"]["entries"], 730)
        self.assertEqual(lists["UN"]["default_action"], "arrest")


if __name__ == "__main__":
    unittest.main(verbosity=2)
