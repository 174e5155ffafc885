"""test_protect.py - child protection and victims of trafficking, end to end
against a real server: indicator sets (built in and loaded by a partner),
assessments with their recommendation and reasons, the referral-partner
directory, cases and their step state machine with deadlines, the
need-to-know rule for EVERY role on EVERY protect route, the audit of each
view, statistics without personal data (JSON and CSV), and bad input that
leaves nothing stored."""
import json
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import PASSWORD, ROLES, Server, cli  # noqa: E402

ALL = set(ROLES)


class ProtectTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        # a second second-line officer, to prove the need-to-know rule between colleagues
        cli("user", "add", "second_line2", "--role", "second_line", "--password-stdin",
            db=cls.srv.db, stdin=PASSWORD + "\n")
        out = cli("token", "create", "second_line2", "--name", "test", db=cls.srv.db).stdout
        cls.srv.tokens["second_line2"] = out.strip().split()[-1]
        cli("protect", "partners", "load-demo", db=cls.srv.db)
        cli("bcp", "demo", db=cls.srv.db)

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()

    def req(self, method, path, body=None, role="supervisor"):
        return self.srv.request(method, path, body=body, role=role)

    def assess(self, role="officer", **kw):
        body = {"set": "child", "indicators": ["A1"], "crossing_point": "TUNAIR"}
        body.update(kw)
        r = self.req("POST", "/v1/assessments", body, role=role)
        self.assertEqual(r.status, 201, r.body)
        return r.json

    def open_case(self, role="second_line", **kw):
        body = {"subject_kind": "child", "crossing_point": "TUNAIR",
                "subject": {"name": "Test Child", "date_of_birth": "2015-03-01",
                            "companions": [{"name": "Adult", "relationship": "other_adult",
                                            "relationship_documented": False,
                                            "consent_documented": False}]}}
        body.update(kw)
        r = self.req("POST", "/v1/cases", body, role=role)
        self.assertEqual(r.status, 201, r.body)
        return r.json

    def partner_id(self, country="TUN"):
        r = self.req("GET", "/v1/referral-partners?country=" + country, role="second_line")
        self.assertEqual(r.status, 200)
        return r.json["partners"][0]["id"]

    def check(self, role="officer", number="PK0001", birth_date="2016-01-01", companions=None):
        """A first-line check of a child at the demo airport (issue 5's /v1/checks)."""
        body = {"person": {"surname": "KID", "given_names": "A", "birth_date": birth_date,
                           "sex": "F", "nationality": "TUN"},
                "document": {"doc_type": "P", "issuer": "TUN", "number": number},
                "bcp": "TN-TUN-AIR", "direction": "exit"}
        if companions:
            body["companions"] = companions
        r = self.req("POST", "/v1/checks", body, role=role)
        self.assertEqual(r.status, 201, r.body)
        return r.json

    def count_cases(self):
        return len(self.req("GET", "/v1/cases?limit=500").json["cases"])

    # ---- indicator sets and rules -------------------------------------------------

    def test_indicator_sets_three_languages(self):
        r = self.req("GET", "/v1/protect/indicator-sets", role="officer")
        self.assertEqual(r.status, 200)
        names = {s["set"] for s in r.json["sets"]}
        self.assertTrue({"child", "adult"} <= names)
        child = self.req("GET", "/v1/protect/indicator-sets/child", role="officer").json
        codes = [i["code"] for i in child["indicators"]]
        for code in ["A1", "A10", "B1", "B7", "C1", "C5", "D1", "D5"]:
            self.assertIn(code, codes)
        self.assertEqual(sorted({i["group"] for i in child["indicators"]}), ["A", "B", "C", "D"])
        for ind in child["indicators"]:
            for lang in ("en", "ar", "fr"):
                self.assertTrue(ind["text"][lang], (ind["code"], lang))
        self.assertTrue(any("\u0600" <= ch <= "\u06ff" for ch in child["indicators"][0]["text"]["ar"]))
        first = self.req("GET", "/v1/protect/indicator-sets/child?phase=first_line", role="officer").json
        self.assertTrue(all(i["phase"] == "first_line" for i in first["indicators"]))
        self.assertLess(len(first["indicators"]), len(child["indicators"]))
        adult = self.req("GET", "/v1/protect/indicator-sets/adult", role="officer").json
        self.assertEqual(adult["subject"], "adult")
        self.assertIn("THB", adult["sources"])
        self.assertEqual(self.req("GET", "/v1/protect/indicator-sets/nope").status, 404)
        self.assertEqual(self.req("GET", "/v1/protect/indicator-sets/child?phase=x").status, 400)

    def test_partner_loads_own_set_version(self):
        child = self.req("GET", "/v1/protect/indicator-sets/child").json
        child["version"] = "2026.2-partner"
        child["indicators"].append({"code": "A11", "group": "A", "phase": "first_line",
                                    "sources": ["K"],
                                    "text": {"en": "Test indicator", "ar": "مؤشر تجريبي",
                                             "fr": "Indicateur d'essai"}})
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(child, f, ensure_ascii=False)
        try:
            p = cli("protect", "indicators", "load", f.name, db=self.srv.db)
            self.assertIn("loaded and active", p.stdout)
            # same version again, same content: a no-op
            p = cli("protect", "indicators", "load", f.name, db=self.srv.db)
            self.assertIn("unchanged", p.stdout)
            # same version, different content: refused
            child["indicators"][-1]["text"]["en"] = "changed"
            with open(f.name, "w") as g:
                json.dump(child, g)
            p = cli("protect", "indicators", "load", f.name, db=self.srv.db, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("version", p.stderr)
            # broken set: missing Arabic text is named
            del child["indicators"][0]["text"]["ar"]
            child["version"] = "2026.3"
            with open(f.name, "w") as g:
                json.dump(child, g)
            p = cli("protect", "indicators", "load", f.name, db=self.srv.db, check=False)
            self.assertEqual(p.returncode, 2)
            self.assertIn("/indicators/0/text", p.stderr)
        finally:
            os.unlink(f.name)
        sets = self.req("GET", "/v1/protect/indicator-sets").json["sets"]
        active = [s for s in sets if s["set"] == "child" and s["active"]]
        self.assertEqual(active[0]["version"], "2026.2-partner")
        a = self.assess(indicators=["A11"])
        self.assertEqual(a["set_version"], "2026.2-partner")
        # an older version can still be asked for explicitly
        b = self.assess(indicators=["A1"], set_version="2026.1")
        self.assertEqual(b["set_version"], "2026.1")
        r = self.req("POST", "/v1/assessments", {"set": "child", "set_version": "2026.1",
                                                 "indicators": ["A11"]}, role="officer")
        self.assertEqual(r.status, 400)
        self.assertIn("A11", r.json["detail"])

    # ---- assessments and recommendations ----------------------------------------------

    def test_recommendation_with_reasons(self):
        a = self.assess(indicators=["A1"])
        self.assertEqual(a["recommendation"], "none")
        self.assertFalse(a["decided_by_limes"])
        a = self.assess(indicators=["A1", "B2"], notes="child silent, adult answers")
        self.assertEqual(a["recommendation"], "second_line_interview")
        rules = [x["rule"] for x in a["reasons"]]
        self.assertIn("two-child-or-adult", rules)
        reason = a["reasons"][0]
        self.assertEqual(sorted(reason["matched"]), ["A1", "B2"])
        self.assertTrue(reason["text"]["ar"] and reason["text"]["fr"])
        a = self.assess(indicators=["C4"])
        self.assertEqual(a["recommendation"], "referral")
        self.assertEqual(a["reasons"][0]["rule"], "child-document")
        # C5 alone (surnames differ) is a prompt, never a reason
        a = self.assess(indicators=["C5"])
        self.assertEqual(a["recommendation"], "none")
        a = self.assess(indicators=[], flags=["watchlist_protect"])
        self.assertEqual(a["recommendation"], "referral")
        self.assertEqual(a["reasons"][0]["matched"], ["watchlist_protect"])
        # a lost/stolen document hit on the child's document is a derived C2
        a = self.assess(indicators=[], document_hit="stolen")
        self.assertEqual([d["code"] for d in a["derived"]], ["C2"])
        self.assertEqual(a["recommendation"], "referral")
        adult = self.assess(set="adult", indicators=["A7"])
        self.assertEqual(adult["subject_kind"], "adult")
        self.assertEqual(adult["recommendation"], "referral")
        self.assertEqual(adult["officer"], "officer1")

    def test_declared_companions(self):
        other = {"name": "Adult", "relationship": "other_adult", "relationship_documented": False,
                 "consent_documented": False}
        a = self.assess(indicators=["B2"], companions=[other])
        self.assertIn({"code": "B1", "source": "declared companions",
                       "evidence": {"adult_companions": 1, "parental_care_documented": False}},
                      a["derived"])
        self.assertEqual(a["recommendation"], "second_line_interview")
        self.assertEqual(a["companions"], [other])
        parent = {"relationship": "parent", "relationship_documented": True}
        a = self.assess(indicators=["B2"], companions=[parent])
        self.assertEqual(a["derived"], [])
        self.assertEqual(a["recommendation"], "none")
        a = self.assess(indicators=["B2"], companions=[dict(other, consent_documented=True)])
        self.assertEqual(a["derived"], [])
        a = self.assess(indicators=[], companions=[])
        self.assertIn("unaccompanied", a["flags"])
        self.assertEqual(a["recommendation"], "second_line_interview")
        r = self.req("POST", "/v1/assessments", {"set": "child", "indicators": [],
                                                 "companions": [{"relationship": "cousin"}]},
                     role="officer")
        self.assertEqual((r.status, r.json["field"]), (400, "companions"))

    def test_bad_assessment_stores_nothing(self):
        before = len(self.req("GET", "/v1/assessments?limit=500").json["assessments"])
        r = self.req("POST", "/v1/assessments", {"set": "child", "indicators": ["A1", "Z9", "B99"]},
                     role="officer")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "indicators")
        self.assertIn("Z9", r.json["detail"])
        self.assertIn("B99", r.json["detail"])
        for body, field in [({"indicators": ["A1"]}, "set"),
                            ({"set": "child"}, "indicators"),
                            ({"set": "child", "indicators": ["A1"], "flags": ["nonsense"]}, "flags"),
                            ({"set": "child", "indicators": "A1"}, "indicators"),
                            ({"set": "child", "indicators": [], "crossing_point": "bad point"},
                             "crossing_point"),
                            ({"set": "child", "indicators": [], "check_id": -1}, "check_id")]:
            r = self.req("POST", "/v1/assessments", body, role="officer")
            self.assertEqual(r.status, 400, body)
            self.assertEqual(r.json["field"], field, r.json)
        r = self.req("POST", "/v1/assessments", {"set": "pirates", "indicators": []}, role="officer")
        self.assertEqual(r.status, 404)
        after = len(self.req("GET", "/v1/assessments?limit=500").json["assessments"])
        self.assertEqual(before, after)

    # ---- referral partners --------------------------------------------------------------

    def test_partner_directory(self):
        r = self.req("GET", "/v1/referral-partners?country=TUN", role="second_line")
        types = {p["type"] for p in r.json["partners"]}
        self.assertTrue({"child_protection", "police_thb_unit", "iom"} <= types)
        r = self.req("POST", "/v1/referral-partners",
                     {"name": "Test NGO", "type": "ngo", "country": "JOR", "region": "Zarqa",
                      "email": "ngo@example.org", "languages": ["ar", "en"]}, role="admin")
        self.assertEqual(r.status, 201, r.body)
        pid = r.json["id"]
        self.assertEqual(r.json["languages"], ["ar", "en"])
        self.assertEqual(self.req("POST", "/v1/referral-partners",
                                  {"name": "Test NGO", "type": "ngo", "country": "JOR"},
                                  role="admin").status, 409)
        r = self.req("POST", "/v1/referral-partners", {"name": "X", "type": "church", "country": "JOR"},
                     role="admin")
        self.assertEqual((r.status, r.json["field"]), (400, "type"))
        r = self.req("PATCH", "/v1/referral-partners/%d" % pid, {"phone": "+000 5 000", "country": "jo"},
                     role="admin")
        self.assertEqual((r.status, r.json["field"]), (400, "country"))
        self.assertEqual(self.req("GET", "/v1/referral-partners/%d" % pid).json["phone"], "")
        r = self.req("PATCH", "/v1/referral-partners/%d" % pid, {"phone": "+000 5 000"}, role="admin")
        self.assertEqual(r.status, 200)
        self.assertEqual((r.json["phone"], r.json["region"]), ("+000 5 000", "Zarqa"))

    # ---- cases ----------------------------------------------------------------------------

    def test_case_workflow_deadlines_and_bad_steps(self):
        c = self.open_case()
        cid = c["id"]
        self.assertEqual(c["state"], "open")
        self.assertEqual(c["assigned"], ["second_line1"])
        self.assertEqual(sorted(c["allowed_next"]), ["closed", "referred"])
        path = "/v1/cases/%d/steps" % cid
        # out of order: 409 listing the allowed steps, nothing stored
        r = self.req("POST", path, {"step": "interview_held"}, role="second_line")
        self.assertEqual(r.status, 409)
        self.assertEqual(r.header("Content-Type"), "application/problem+json")
        self.assertEqual(sorted(r.json["allowed"]), ["closed", "referred"])
        self.assertIn("referred", r.json["detail"])
        # referral to an unknown organisation: 422, nothing stored
        r = self.req("POST", path, {"step": "referred", "partner_id": 999999}, role="second_line")
        self.assertEqual((r.status, r.json["field"]), (422, "partner_id"))
        r = self.req("POST", path, {"step": "referred"}, role="second_line")
        self.assertEqual((r.status, r.json["field"]), (400, "partner_id"))
        r = self.req("GET", "/v1/cases?state=sleeping", role="second_line")
        self.assertEqual((r.status, r.json["field"]), (400, "state"))
        self.assertIn(cid, [x["id"] for x in self.req("GET", "/v1/cases?state=open").json["cases"]])
        r = self.req("POST", path, {"step": "teleported"}, role="second_line")
        self.assertEqual((r.status, r.json["field"]), (400, "step"))
        c = self.req("GET", "/v1/cases/%d" % cid, role="second_line").json
        self.assertEqual(c["state"], "open")
        self.assertEqual([s["step"] for s in c["steps"]], ["opened"])
        # the real sequence
        pid = self.partner_id()
        r = self.req("POST", path, {"step": "referred", "partner_id": pid, "consent": True,
                                    "reason_codes": ["A1", "B1"]}, role="second_line")
        self.assertEqual(r.status, 200, r.body)
        c = r.json
        self.assertEqual(c["state"], "referred")
        self.assertEqual(c["partner"]["id"], pid)
        refl = c["deadlines"]["reflection_period"]
        self.assertGreaterEqual(refl["days"], 30)
        self.assertTrue(refl["running"])
        self.assertFalse(c["deadlines"]["acknowledgement"]["overdue"])
        self.assertEqual(c["overdue"], [])
        for step in ["acknowledged", "interview_held", "guardian_appointed", "placed_in_care"]:
            r = self.req("POST", path, {"step": step, "note": "done"}, role="second_line")
            self.assertEqual(r.status, 200, (step, r.body))
        r = self.req("POST", path, {"step": "closed"}, role="second_line")
        self.assertEqual((r.status, r.json["field"]), (400, "outcome"))
        r = self.req("POST", path, {"step": "closed", "outcome": "child_protection"}, role="second_line")
        self.assertEqual(r.status, 200)
        c = r.json
        self.assertEqual(c["state"], "closed")
        self.assertEqual(c["outcome"], "child_protection")
        self.assertEqual(c["allowed_next"], [])
        steps = c["steps"]
        self.assertEqual([s["step"] for s in steps],
                         ["opened", "referred", "acknowledged", "interview_held",
                          "guardian_appointed", "placed_in_care", "closed"])
        self.assertTrue(all(s["actor"] == "second_line1" and s["at"] for s in steps))
        self.assertTrue(steps[1]["consent"])
        r = self.req("POST", path, {"step": "referred", "partner_id": pid}, role="second_line")
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json["allowed"], [])

    def test_adult_case_has_no_guardian_step(self):
        c = self.open_case(subject_kind="adult")
        path = "/v1/cases/%d/steps" % c["id"]
        for step, extra in [("referred", {"partner_id": self.partner_id()}), ("acknowledged", {}),
                            ("interview_held", {})]:
            self.assertEqual(self.req("POST", path, dict(step=step, **extra), role="second_line").status, 200)
        r = self.req("POST", path, {"step": "guardian_appointed"}, role="second_line")
        self.assertEqual(r.status, 409)
        self.assertEqual(sorted(r.json["allowed"]), ["closed", "placed_in_care"])

    def test_overdue_acknowledgement_listed(self):
        cli("protect", "config", "--ack-hours", "0", db=self.srv.db)
        try:
            c = self.open_case()
            path = "/v1/cases/%d/steps" % c["id"]
            r = self.req("POST", path, {"step": "referred", "partner_id": self.partner_id()},
                         role="second_line")
            self.assertEqual(r.status, 200)
            time.sleep(0.01)
            c = self.req("GET", "/v1/cases/%d" % c["id"], role="second_line").json
            self.assertEqual(c["overdue"], ["acknowledged"])
            self.assertTrue(c["deadlines"]["acknowledgement"]["overdue"])
            ids = [x["id"] for x in self.req("GET", "/v1/cases?overdue=true", role="second_line").json["cases"]]
            self.assertIn(c["id"], ids)
            self.req("POST", path, {"step": "acknowledged"}, role="second_line")
            ids = [x["id"] for x in self.req("GET", "/v1/cases?overdue=true").json["cases"]]
            self.assertNotIn(c["id"], ids)
            c = self.req("GET", "/v1/cases/%d" % c["id"]).json
            self.assertEqual(c["overdue"], [])
            self.assertIsNotNone(c["deadlines"]["acknowledgement"]["met_at"])
        finally:
            cli("protect", "config", "--ack-hours", "48", db=self.srv.db)

    def test_assessment_from_check(self):
        chk = self.check(number="PK0100", birth_date="")
        self.assertTrue(chk["minor"]["minor"])
        a = self.assess(role="officer", indicators=[], check_id=chk["id"], crossing_point=None)
        self.assertEqual(a["crossing_point"], "TN-TUN-AIR")
        self.assertIn("unaccompanied", a["flags"])
        self.assertIn("age_doubtful", a["flags"])
        self.assertIn({"flag": "unaccompanied", "source": "check", "check_id": chk["id"]}, a["derived"])
        self.assertEqual(a["recommendation"], "second_line_interview")
        # another officer's check cannot be linked by a first-line officer; a missing check is 422
        other = self.check(role="second_line", number="PK0101")
        r = self.req("POST", "/v1/assessments", {"set": "child", "indicators": [], "check_id": other["id"]},
                     role="officer")
        self.assertEqual((r.status, r.json["field"]), (403, "check_id"))
        r = self.req("POST", "/v1/assessments", {"set": "child", "indicators": [], "check_id": 999999},
                     role="officer")
        self.assertEqual((r.status, r.json["field"]), (422, "check_id"))
        r = self.req("POST", "/v1/cases", {"check_id": other["id"]}, role="officer")
        self.assertEqual((r.status, r.json["field"]), (403, "check_id"))
        r = self.req("POST", "/v1/cases", {"check_id": 999999}, role="second_line")
        self.assertEqual((r.status, r.json["field"]), (422, "check_id"))

    def test_case_from_check_once(self):
        chk = self.check(number="PK0200")
        a = self.assess(role="officer", indicators=["C1"], check_id=chk["id"])
        r = self.req("POST", "/v1/cases", {"assessment_id": a["id"]}, role="officer")
        self.assertEqual(r.status, 201, r.body)
        # first line gets the id, not the case
        self.assertEqual(set(r.json), {"id", "state", "check_id", "assessment_id", "opened_at"})
        self.assertEqual(r.json["check_id"], chk["id"])
        before = self.count_cases()
        r = self.req("POST", "/v1/cases", {"check_id": chk["id"], "subject_kind": "child"}, role="second_line")
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json["field"], "check_id")
        r = self.req("POST", "/v1/cases", {"assessment_id": a["id"]}, role="supervisor")
        self.assertEqual(r.status, 409)
        r = self.req("POST", "/v1/cases", {"check_id": chk["id"]}, role="officer")
        self.assertEqual(r.status, 409)
        # an officer opens a case straight from an own check too
        chk2 = self.check(number="PK0201")
        r = self.req("POST", "/v1/cases", {"check_id": chk2["id"]}, role="officer")
        self.assertEqual(r.status, 201, r.body)
        entries = self.req("GET", "/v1/audit?record=check:%d" % chk2["id"]).json["entries"]
        self.assertIn("POST /v1/cases", [e["action"] for e in entries])
        c = self.req("GET", "/v1/cases/%d" % r.json["id"], role="supervisor").json
        self.assertEqual((c["subject_kind"], c["crossing_point"], c["assigned"]), ("child", "TN-TUN-AIR", []))
        # the second line sees who was checked, taken from the check
        self.assertEqual(c["subject"]["name"], "A KID")
        self.assertEqual(c["subject"]["date_of_birth"], "2016-01-01")
        self.assertEqual(c["subject"]["document"], {"issuer": "TUN", "number": "PK0201"})
        before = self.count_cases()
        r = self.req("POST", "/v1/cases", {"assessment_id": 999999}, role="second_line")
        self.assertEqual((r.status, r.json["field"]), (422, "assessment_id"))
        r = self.req("POST", "/v1/cases", {"subject_kind": "child",
                                           "subject": {"companions": [{"relationship": "uncle"}]}},
                     role="second_line")
        self.assertEqual(r.status, 400)
        self.assertEqual(self.count_cases(), before)

    # ---- need to know: every role on every route ------------------------------------------------

    def test_access_rule_every_role_every_route(self):
        mine = self.assess(role="officer")  # officer1's assessment
        other = self.assess(role="second_line")
        unassigned = self.req("POST", "/v1/cases", {"assessment_id": mine["id"]}, role="officer").json
        theirs = self.open_case(role="second_line2")  # assigned to second_line2 only
        pid = self.partner_id()
        stamp = str(time.time_ns())
        expect = [
            # (method, path, body, {role: status}); roles not named get 403
            ("GET", "/v1/protect/indicator-sets", None, {r: 200 for r in ALL}),
            ("GET", "/v1/protect/indicator-sets/adult", None, {r: 200 for r in ALL}),
            ("GET", "/v1/protect/rules", None, {r: 200 for r in ALL}),
            ("GET", "/v1/protect/statistics", None, {"analyst": 200, "supervisor": 200, "liaison": 200}),
            ("GET", "/v1/protect/statistics?format=csv", None,
             {"analyst": 200, "supervisor": 200, "liaison": 200}),
            ("POST", "/v1/assessments", {"set": "child", "indicators": ["A2"]},
             {"officer": 201, "second_line": 201, "supervisor": 201}),
            ("GET", "/v1/assessments", None, {"second_line": 200, "supervisor": 200}),
            ("GET", "/v1/assessments/%d" % mine["id"], None,
             {"officer": 200, "second_line": 200, "supervisor": 200}),
            ("GET", "/v1/assessments/%d" % other["id"], None, {"second_line": 200, "supervisor": 200}),
            ("GET", "/v1/referral-partners", None, {"second_line": 200, "supervisor": 200, "admin": 200}),
            ("GET", "/v1/referral-partners/%d" % pid, None,
             {"second_line": 200, "supervisor": 200, "admin": 200}),
            ("POST", "/v1/referral-partners", {"name": "P" + stamp, "type": "ngo", "country": "TUN"},
             {"admin": 201}),
            ("PATCH", "/v1/referral-partners/%d" % pid, {"hours": "24/7"}, {"admin": 200}),
            ("POST", "/v1/cases", {"subject_kind": "adult"}, {"second_line": 201, "supervisor": 201}),
            ("GET", "/v1/cases", None, {"second_line": 200, "supervisor": 200}),
            ("GET", "/v1/cases/%d" % unassigned["id"], None, {"second_line": 200, "supervisor": 200}),
            ("GET", "/v1/cases/%d" % theirs["id"], None, {"supervisor": 200}),
            ("POST", "/v1/cases/%d/assignees" % theirs["id"], {"username": "supervisor1"},
             {"supervisor": 200}),
            ("POST", "/v1/cases/%d/steps" % theirs["id"], {"step": "closed", "outcome": "no_grounds"},
             {"supervisor": 200}),
        ]
        for method, path, body, allowed in expect:
            for role in ROLES:
                want = allowed.get(role, 403)
                r = self.req(method, path, body, role=role)
                self.assertEqual(r.status, want, "%s %s as %s: %s" % (method, path, role, r.body))
        # an officer opens no case by hand nor from another officer's assessment
        r = self.req("POST", "/v1/cases", {"subject_kind": "child"}, role="officer")
        self.assertEqual(r.status, 403)
        r = self.req("POST", "/v1/cases", {"assessment_id": other["id"]}, role="officer")
        self.assertEqual(r.status, 403)
        # second_line1 does not see second_line2's case in the list, but sees the unassigned one
        ids = [c["id"] for c in self.req("GET", "/v1/cases?limit=500", role="second_line").json["cases"]]
        self.assertNotIn(theirs["id"], ids)
        self.assertIn(unassigned["id"], ids)
        ids2 = [c["id"] for c in self.srv.request("GET", "/v1/cases?limit=500",
                                                  token=self.srv.tokens["second_line2"]).json["cases"]]
        self.assertIn(theirs["id"], ids2)
        r = self.req("POST", "/v1/cases/%d/steps" % theirs["id"], {"step": "referred", "partner_id": pid},
                     role="second_line")
        self.assertEqual(r.status, 403)
        # recording a step on the unassigned case takes it: then second_line2 is out
        r = self.req("POST", "/v1/cases/%d/steps" % unassigned["id"],
                     {"step": "referred", "partner_id": pid}, role="second_line")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json["assigned"], ["second_line1"])
        r = self.srv.request("GET", "/v1/cases/%d" % unassigned["id"], token=self.srv.tokens["second_line2"])
        self.assertEqual(r.status, 403)
        # an assigned officer may bring in a colleague, who then sees the case
        r = self.req("POST", "/v1/cases/%d/assignees" % unassigned["id"], {"username": "second_line2"},
                     role="second_line")
        self.assertEqual(r.status, 200)
        r = self.srv.request("GET", "/v1/cases/%d" % unassigned["id"], token=self.srv.tokens["second_line2"])
        self.assertEqual(r.status, 200)
        r = self.req("POST", "/v1/cases/%d/assignees" % unassigned["id"], {"username": "analyst1"},
                     role="supervisor")
        self.assertEqual((r.status, r.json["field"]), (422, "username"))

    def test_every_view_audited(self):
        c = self.open_case()
        self.req("GET", "/v1/cases/%d" % c["id"], role="second_line")
        self.req("GET", "/v1/cases/%d" % c["id"], role="analyst")
        entries = self.req("GET", "/v1/audit?record=case:%d" % c["id"]).json["entries"]
        seen = {(e["actor"], e["action"], e["outcome"]) for e in entries}
        self.assertIn(("second_line1", "POST /v1/cases", "201"), seen)
        self.assertIn(("second_line1", "GET /v1/cases/{id}", "200"), seen)
        # a colleague without need to know is refused, and the refusal is in the trail
        r = self.srv.request("GET", "/v1/cases/%d" % c["id"], token=self.srv.tokens["second_line2"])
        self.assertEqual(r.status, 403)
        entries = self.req("GET", "/v1/audit?record=case:%d" % c["id"]).json["entries"]
        self.assertIn(("second_line2", "GET /v1/cases/{id}", "403"),
                      {(e["actor"], e["action"], e["outcome"]) for e in entries})
        self.req("GET", "/v1/cases?limit=500", role="supervisor")
        entries = self.req("GET", "/v1/audit?user=supervisor1").json["entries"]
        listing = [e for e in entries if e["action"] == "GET /v1/cases"][0]
        self.assertIn(" %d" % c["id"], listing["detail"])
        entries = self.req("GET", "/v1/audit?user=analyst1").json["entries"]
        self.assertIn(("GET /v1/cases/{id}", "403"), {(e["action"], e["outcome"]) for e in entries})
        a = self.assess()
        self.req("GET", "/v1/assessments/%d" % a["id"], role="second_line")
        entries = self.req("GET", "/v1/audit?record=assessment:%d" % a["id"]).json["entries"]
        self.assertEqual({e["action"] for e in entries},
                         {"POST /v1/assessments", "GET /v1/assessments/{id}"})

    # ---- statistics ------------------------------------------------------------------------

    def test_statistics_without_personal_data(self):
        a = self.assess(indicators=["C1"], crossing_point="STATPT", notes="secret note")
        c = self.open_case(crossing_point="STATPT")
        path = "/v1/cases/%d/steps" % c["id"]
        self.req("POST", path, {"step": "referred", "partner_id": self.partner_id()}, role="second_line")
        self.req("POST", path, {"step": "closed", "outcome": "reunited_with_family"}, role="second_line")
        month = a["observed_at"][:7]
        r = self.req("GET", "/v1/protect/statistics?from=%s&to=%s" % (month, month), role="analyst")
        self.assertEqual(r.status, 200)
        rows = [x for x in r.json["rows"] if x["crossing_point"] == "STATPT"]
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual(row["month"], month)
        self.assertEqual(row["assessments_child"], 1)
        self.assertEqual(row["recommended_referral"], 1)
        self.assertEqual(row["cases_opened"], 1)
        self.assertEqual(row["referrals"], 1)
        self.assertEqual(row["outcome_reunited_with_family"], 1)
        self.assertNotIn("secret note", r.body)
        self.assertNotIn("Test Child", r.body)
        r = self.req("GET", "/v1/protect/statistics?format=csv", role="liaison")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/csv"))
        lines = r.body.strip().splitlines()
        header = lines[0].split(",")
        self.assertEqual(header[:3], ["crossing_point", "month", "minors_checked"])
        line = [x for x in lines if x.startswith("STATPT,")][0].split(",")
        self.assertEqual(line[header.index("referrals")], "1")
        self.check(number="PK0300")
        r = self.req("GET", "/v1/protect/statistics?format=json", role="supervisor")
        airport = [x for x in r.json["rows"] if x["crossing_point"] == "TN-TUN-AIR"]
        self.assertGreaterEqual(sum(x["minors_checked"] for x in airport), 1)
        self.assertTrue(r.json["minors_checked_available"])
        self.assertEqual(self.req("GET", "/v1/protect/statistics?from=2026-13", role="analyst").status, 400)
        self.assertEqual(self.req("GET", "/v1/protect/statistics?format=xml", role="analyst").status, 400)
        p = cli("protect", "stats", "--format", "csv", db=self.srv.db)
        self.assertIn("STATPT,", p.stdout)
        self.assertNotIn("secret", p.stdout)


class PartnerRulesTest(unittest.TestCase):
    """A partner's own recommendation rules, on a server of its own."""

    def test_partner_rules(self):
        srv = Server()
        try:
            rules = srv.request("GET", "/v1/protect/rules", role="officer").json["rules"]
            self.assertEqual(rules["version"], "2026.1")
            mine = {"version": "tun-2026.1", "rules": [
                {"id": "a1-refers", "sets": ["child"], "recommend": "referral",
                 "when": {"codes": ["A1"]},
                 "reason": {"en": "National rule", "ar": "قاعدة وطنية", "fr": "Règle nationale"}}]}
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(mine, f, ensure_ascii=False)
            try:
                p = cli("protect", "rules", "load", f.name, db=srv.db)
                self.assertIn("loaded and active", p.stdout)
                mine["rules"][0]["recommend"] = "decide"
                mine["version"] = "tun-2026.2"
                with open(f.name, "w") as g:
                    json.dump(mine, g)
                p = cli("protect", "rules", "load", f.name, db=srv.db, check=False)
                self.assertEqual(p.returncode, 2)
                self.assertIn("/rules/0", p.stderr)
            finally:
                os.unlink(f.name)
            rules = srv.request("GET", "/v1/protect/rules", role="officer").json["rules"]
            self.assertEqual(rules["version"], "tun-2026.1")
            r = srv.request("POST", "/v1/assessments", {"set": "child", "indicators": ["A1"]},
                            role="officer")
            self.assertEqual(r.status, 201, r.body)
            self.assertEqual((r.json["recommendation"], r.json["rules_version"]),
                             ("referral", "tun-2026.1"))
            self.assertEqual(r.json["reasons"][0]["text"]["fr"], "Règle nationale")
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
