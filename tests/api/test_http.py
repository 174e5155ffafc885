"""test_http.py - the foundation's API, end to end against a real server:
health, problem+json, the role matrix over every route, sessions and CSRF,
body limits, metrics, OpenAPI coverage, audit and its tamper detection,
TLS, and a clean stop on SIGTERM."""
import json
import os
import re
import signal
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import PASSWORD, ROLES, Server, Session, cli  # noqa: E402


def fill(path):
    return re.sub(r"\{[^}]+\}", "999999", path)


class HttpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server()

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()

    def test_healthz_public_with_request_id(self):
        r = self.srv.request("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["status"], "ok")
        self.assertRegex(r.header("X-Request-Id"), r"^[0-9a-f]{32}$")

    def test_v1_refuses_without_credentials(self):
        r = self.srv.request("GET", "/v1/users")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.header("Content-Type"), "application/problem+json")
        self.assertEqual(r.json["code"], "unauthenticated")
        self.assertEqual(r.json["request_id"], r.header("X-Request-Id"))

    def test_bad_token_refused(self):
        r = self.srv.request("GET", "/v1/session", token="0" * 64)
        self.assertEqual(r.status, 401)
        r = self.srv.request("GET", "/v1/session", token="not-a-token")
        self.assertEqual(r.status, 401)

    def test_unknown_route_and_method(self):
        self.assertEqual(self.srv.request("GET", "/v1/nothing", role="admin").status, 404)
        r = self.srv.request("PUT", "/v1/users", body={}, role="admin")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.json["code"], "method-not-allowed")

    def test_openapi_matches_route_table(self):
        doc = self.srv.request("GET", "/v1/openapi.json").json
        self.assertEqual(doc["openapi"], "3.1.0")
        documented = set()
        for path, item in doc["paths"].items():
            for method in item:
                if method in ("get", "post", "put", "patch", "delete"):
                    documented.add((method.upper(), path))
        routes = json.loads(cli("routes").stdout)
        actual = {(r["method"], r["path"]) for r in routes}
        self.assertEqual(actual - documented, set(), "routes missing from openapi.json")
        self.assertEqual(documented - actual, set(), "openapi.json documents missing routes")

    def test_role_matrix_every_route(self):
        routes = json.loads(cli("routes").stdout)
        self.assertGreater(len(routes), 5)
        for rt in routes:
            path = fill(rt["path"])
            if rt["method"] == "DELETE" and rt["path"] == "/v1/session":
                continue  # covered by the session test (it would end the token's use)
            body = {} if rt["method"] in ("POST", "PUT", "PATCH") else None
            r = self.srv.request(rt["method"], path, body=body)
            if rt["public"]:
                self.assertNotIn(r.status, (401, 403), rt)
            else:
                self.assertEqual(r.status, 401, "%s without credentials" % rt)
            for role in ROLES:
                r = self.srv.request(rt["method"], path, body=body, role=role)
                if rt["public"] or role in rt["roles"]:
                    self.assertNotIn(r.status, (401, 403), "%s as %s: %s" % (rt, role, r.body))
                else:
                    self.assertEqual(r.status, 403, "%s as %s" % (rt, role))
                    self.assertEqual(r.json["code"], "forbidden")

    def test_session_cookie_and_csrf(self):
        s = Session(self.srv, "officer1")
        self.assertIn("HttpOnly", s.set_cookie)
        self.assertIn("SameSite=Strict", s.set_cookie)
        r = s.request("GET", "/v1/session")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["role"], "officer")
        # state-changing request with the cookie but no CSRF token
        r = s.request("DELETE", "/v1/session", csrf=False)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json["code"], "csrf-token-missing")
        r = s.request("DELETE", "/v1/session")
        self.assertEqual(r.status, 200)
        self.assertEqual(s.request("GET", "/v1/session").status, 401)

    def test_login_wrong_password(self):
        r = self.srv.request("POST", "/v1/session", {"username": "analyst1", "password": "nope"})
        self.assertEqual(r.status, 401)
        r = self.srv.request("POST", "/v1/session", {"username": "analyst1"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "password")

    def test_body_limits(self):
        big = b'{"a":"' + b"x" * (2 << 20) + b'"}'
        r = self.srv.request("POST", "/v1/users", raw=big, role="admin",
                             headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 413)
        r = self.srv.request("POST", "/v1/users", raw=b'{"username": "x",\n "role": ', role="admin")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["code"], "bad-json")
        self.assertIn("line 2", r.json["detail"])
        deep = b"[" * 40 + b"]" * 40
        r = self.srv.request("POST", "/v1/users", raw=b'{"a":' + deep + b"}", role="admin")
        self.assertEqual(r.status, 400)
        self.assertIn("nested", r.json["detail"])
        r = self.srv.request("POST", "/v1/users", raw=b"[1,2]", role="admin")
        self.assertEqual(r.status, 400)

    def test_user_admin_and_bad_input_changes_nothing(self):
        before = self.srv.request("GET", "/v1/users", role="admin").json["users"]
        r = self.srv.request("POST", "/v1/users", {"username": "new.one", "password": PASSWORD,
                                                   "role": "pilot"}, role="admin")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "role")
        r = self.srv.request("POST", "/v1/users", {"username": "new.one", "password": "short",
                                                   "role": "officer"}, role="admin")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "password")
        self.assertEqual(self.srv.request("GET", "/v1/users", role="admin").json["users"], before)
        r = self.srv.request("POST", "/v1/users", {"username": "new.one", "password": PASSWORD,
                                                   "role": "officer"}, role="admin")
        self.assertEqual(r.status, 201)
        uid = r.json["id"]
        r = self.srv.request("POST", "/v1/users", {"username": "new.one", "password": PASSWORD,
                                                   "role": "officer"}, role="admin")
        self.assertEqual(r.status, 409)
        r = self.srv.request("PATCH", "/v1/users/%d" % uid, {"disabled": True}, role="admin")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.json["disabled"])
        r = self.srv.request("POST", "/v1/session", {"username": "new.one", "password": PASSWORD})
        self.assertEqual(r.status, 401)

    def test_metrics(self):
        self.srv.request("GET", "/healthz")
        r = self.srv.request("GET", "/metrics", role="supervisor")
        self.assertEqual(r.status, 200)
        self.assertIn('limes_http_requests_total{method="GET",route="/healthz",code="2xx"}', r.body)
        self.assertIn("limes_http_request_duration_seconds_bucket", r.body)
        self.assertIn("process_resident_memory_bytes", r.body)
        self.assertIn('limes_store_info{backend="sqlite"} 1', r.body)

    def test_audit_trail_and_tamper_detection(self):
        r = self.srv.request("GET", "/v1/users/1", role="admin", headers={"X-Purpose": "review"})
        self.assertEqual(r.status, 200)
        entries = self.srv.request("GET", "/v1/audit?record=user:1", role="supervisor").json["entries"]
        mine = [e for e in entries if e["actor"] == "admin1" and e["purpose"] == "review"]
        self.assertTrue(mine, entries)
        self.assertEqual(mine[0]["action"], "GET /v1/users/{id}")
        self.assertEqual(mine[0]["outcome"], "200")
        self.assertEqual(cli("audit", "verify", db=self.srv.db).returncode, 0)
        # edit one audit row by hand: verify must name it
        con = sqlite3.connect(self.srv.db)
        seq = con.execute("SELECT MIN(seq) FROM audit WHERE actor = 'admin1'").fetchone()[0]
        con.execute("UPDATE audit SET purpose = 'innocent' WHERE seq = ?", (seq,))
        con.commit()
        p = cli("audit", "verify", db=self.srv.db, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("entry %d" % seq, p.stdout)
        con.execute("UPDATE audit SET purpose = 'review' WHERE seq = ?", (seq,))
        con.commit()
        con.close()
        p = cli("audit", "verify", db=self.srv.db, check=False)
        self.assertEqual(p.returncode, 0, p.stdout)

    def test_cli_bad_input(self):
        p = cli("user", "add", "someone", db=self.srv.db, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--role", p.stderr)
        p = cli("user", "add", "someone", "--role", "officer", "--password-stdin", db=self.srv.db,
                stdin="short\n", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("password", p.stderr)
        self.assertNotIn("someone", cli("user", "list", db=self.srv.db).stdout)
        p = cli("nonsense", check=False)
        self.assertEqual(p.returncode, 2)


class LifecycleTest(unittest.TestCase):
    def test_tls(self):
        srv = Server(tls=True, users=False)
        try:
            r = srv.request("GET", "/healthz")
            self.assertEqual(r.status, 200)
            self.assertIn("max-age", r.header("Strict-Transport-Security"))
        finally:
            srv.cleanup()

    def test_sigterm_exits_zero(self):
        srv = Server(users=False)
        try:
            self.assertEqual(srv.request("GET", "/healthz").status, 200)
            self.assertEqual(srv.stop(signal.SIGTERM), 0)
            with open(srv.log.name) as f:
                log = f.read()
            self.assertIn('"msg":"stopping"', log)
        finally:
            srv.cleanup()

    def test_upload_cap_answers_413_early(self):
        srv = Server(users=True, extra_args=["--max-upload-mb", "1"])
        try:
            big = b"ref,full_name\n" + b"R1,Someone\n" * 200000
            r = srv.request("POST", "/v1/lists/BIG/import?format=csv", raw=big, role="admin",
                            headers={"Content-Type": "text/csv"})
            self.assertEqual(r.status, 413)
            self.assertEqual(r.json["code"], "too-large")
            self.assertEqual(srv.request("GET", "/healthz").status, 200)
        finally:
            srv.cleanup()

    def test_bad_listen_and_missing_key(self):
        p = cli("serve", "--listen", "nowhere", "--db", "/tmp/limes-never.db", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("listen", p.stderr)
        p = cli("serve", "--listen", "127.0.0.1:0", "--tls-cert", "/nonexistent.pem",
                "--db", "/tmp/limes-never.db", check=False)
        self.assertNotEqual(p.returncode, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
