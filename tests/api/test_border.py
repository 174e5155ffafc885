"""test_border.py - the border records over HTTP against a real server:
crossing points, crossings matched into stays with anomalies, bad input
refused, stay situation, history, traveller search, overstayers, refusals
and detections by role, audit of personal-data access, the CLI (stay, bcp,
purge), and durability: a server killed with SIGKILL in the middle of a
stream of crossings keeps every acknowledged one (SQLite, and PostgreSQL
when LIMES_TEST_PG names a server)."""
import calendar
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, PASSWORD, ROLES, Server, cli, free_port  # noqa: E402


def crossing(number, direction, date, nat="GBR", bcp="TN-TUN-AIR", **extra):
    body = {"person": {"surname": "Ben Salah", "given_names": "Leïla", "nationality": nat,
                       "birth_date": "1990-04-02", "sex": "F"},
            "document": {"doc_type": "P", "issuer": nat, "number": number},
            "bcp": bcp, "direction": direction, "at_ms": ms(date)}
    body.update(extra)
    return body


def ms(date):
    y, m, d = (int(x) for x in date.split("-"))
    return calendar.timegm((y, m, d, 12, 0, 0)) * 1000


class BorderApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        try:
            cli("bcp", "demo", db=cls.srv.db)
        except Exception:
            cls.srv.cleanup()  # tearDownClass does not run when set-up fails
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()

    def post(self, path, body, role="officer"):
        return self.srv.request("POST", path, body, role=role)

    def get(self, path, role="officer"):
        return self.srv.request("GET", path, role=role)

    def test_bcps(self):
        r = self.get("/v1/bcps", role="analyst")
        self.assertEqual(r.status, 200)
        codes = {b["code"]: b for b in r.json["bcps"]}
        self.assertEqual(codes["TN-RASJEDIR"]["kind"], "land")
        self.assertEqual(codes["TN-TUN-AIR"]["name_fr"], "Aéroport international de Tunis-Carthage")
        self.assertEqual(self.get("/v1/bcps/ES-ALGECIRAS").json["kind"], "sea")
        self.assertEqual(self.get("/v1/bcps/NOWHERE").status, 404)
        new = {"code": "MA-TNG-SEA", "name_en": "Port of Tangier Med", "name_ar": "ميناء طنجة المتوسط",
               "name_fr": "Port de Tanger Med", "kind": "sea", "country": "MAR"}
        self.assertEqual(self.post("/v1/bcps", new, role="officer").status, 403)
        r = self.post("/v1/bcps", new, role="supervisor")
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json["name_ar"], "ميناء طنجة المتوسط")
        self.assertEqual(self.post("/v1/bcps", new, role="admin").status, 409)
        r = self.post("/v1/bcps", dict(new, code="MA-X", kind="rail"), role="admin")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "kind")

    def test_entry_exit_stay_and_history(self):
        r = self.post("/v1/crossings", crossing("GBAPI0001", "entry", "2025-01-01",
                                                travel={"mode": "flight", "ref": "BA2710"}))
        self.assertEqual(r.status, 201, r.body)
        tid, stay = r.json["traveller_id"], r.json["stay_id"]
        self.assertIsNone(r.json["anomaly"])
        r = self.post("/v1/crossings", crossing("GBAPI0001", "exit", "2025-03-31"))
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json["traveller_id"], tid)
        self.assertEqual(r.json["stay_id"], stay)
        st = self.get("/v1/travellers/%d/stay?on=2025-03-31" % tid).json
        self.assertEqual(st["days_used"], 90)
        self.assertEqual(st["latest_exit"], "2025-03-31")
        self.assertEqual(st["regime"], "visa_free")
        self.assertEqual(self.get("/v1/travellers/%d/stay?on=2025-06-29" % tid).json["days_left"], 0)
        self.assertEqual(self.get("/v1/travellers/%d/stay?on=2025-06-30" % tid).json["days_left"], 90)
        self.assertEqual(self.get("/v1/travellers/%d/stay?on=30-06-2025" % tid).status, 400)
        hist = self.get("/v1/travellers/%d/crossings" % tid).json["crossings"]
        self.assertEqual([c["direction"] for c in hist], ["exit", "entry"])
        self.assertEqual(hist[1]["travel_ref"], "BA2710")
        self.assertEqual(hist[1]["officer"], "officer1")
        self.assertEqual(hist[1]["date"], "2025-01-01")
        t = self.get("/v1/travellers/%d" % tid).json
        self.assertEqual(t["documents"][0]["number"], "GBAPI0001")
        # analysts see aggregates, not people
        self.assertEqual(self.get("/v1/travellers/%d" % tid, role="analyst").status, 403)
        # every access to the person is audited with the record
        entries = self.get("/v1/audit?record=traveller:%d" % tid, role="supervisor").json["entries"]
        actions = {e["action"] for e in entries}
        self.assertIn("GET /v1/travellers/{id}/stay", actions)
        self.assertIn("POST /v1/crossings", actions)

    def test_anomalies_and_bad_input(self):
        r = self.post("/v1/crossings", crossing("XXAPI0002", "exit", "2025-02-01", nat="XXA"))
        self.assertEqual(r.status, 201)
        self.assertEqual(r.json["anomaly"], "exit-without-entry")
        self.post("/v1/crossings", crossing("XXAPI0002", "entry", "2025-02-10", nat="XXA"))
        r = self.post("/v1/crossings", crossing("XXAPI0002", "entry", "2025-02-20", nat="XXA"))
        self.assertEqual(r.json["anomaly"], "entry-without-exit")
        future = crossing("XXAPI0002", "exit", "2025-02-25", nat="XXA")
        future["at_ms"] = int(time.time() * 1000) + 86400000
        r = self.post("/v1/crossings", future)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "at")
        r = self.post("/v1/crossings", crossing("XXAPI0002", "exit", "2025-02-25", nat="XXA", bcp="NOWHERE"))
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "bcp")
        r = self.post("/v1/crossings", crossing("XXAPI0002", "exit", "2025-02-15", nat="XXA"))
        self.assertEqual(r.status, 400)
        r = self.post("/v1/crossings", dict(crossing("XXAPI0002", "exit", "2025-02-25", nat="XXA"), person=[1]))
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "person")
        r = self.post("/v1/crossings", {"bcp": "TN-TUN-AIR", "direction": "entry"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "document")

    def test_search(self):
        r = self.post("/v1/crossings", crossing("MAAPI0003", "entry", "2025-05-01", nat="MAR"))
        tid = r.json["traveller_id"]
        found = self.get("/v1/travellers?document=MAAPI0003").json["travellers"]
        self.assertEqual([t["id"] for t in found], [tid])
        q = urllib.parse.quote("ben salah leila")
        found = self.get("/v1/travellers?name=" + q).json["travellers"]
        self.assertIn(tid, [t["id"] for t in found])
        self.assertEqual(self.get("/v1/travellers").status, 400)
        self.assertEqual(self.get("/v1/travellers?name=x").status, 400)
        self.assertEqual(self.get("/v1/travellers?document=A&limit=0").status, 400)

    def test_overstayers_by_role(self):
        r = self.post("/v1/crossings", crossing("XXAPI0004", "entry", "2025-01-01", nat="XXB"))
        tid = r.json["traveller_id"]
        self.assertEqual(self.get("/v1/overstayers?on=2025-04-05", role="officer").status, 403)
        r = self.get("/v1/overstayers?on=2025-04-05", role="second_line")
        self.assertEqual(r.status, 200)
        mine = [o for o in r.json["overstayers"] if o["traveller_id"] == tid]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["latest_exit"], "2025-03-31")
        self.assertEqual(mine[0]["overstay_days"], 5)
        r = self.get("/v1/overstayers?on=2025-03-31", role="supervisor")
        self.assertNotIn(tid, [o["traveller_id"] for o in r.json["overstayers"]])

    def test_refusals_and_codes(self):
        codes = self.get("/v1/refusal-codes").json
        self.assertEqual([c["code"] for c in codes["codes"]], list("ABCDEFGHI"))
        body = {"person": {"surname": "DOE", "nationality": "XXC"},
                "document": {"issuer": "XXC", "number": "RAPI0005"},
                "bcp": "TN-RASJEDIR", "codes": ["B", "H"], "authority": "Garde nationale"}
        r = self.post("/v1/refusals", body)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(self.post("/v1/refusals", dict(body, codes="CF")).status, 201)
        r = self.post("/v1/refusals", dict(body, codes=["J"]))
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "codes")
        self.assertEqual(self.post("/v1/refusals", dict(body, codes=[])).status, 400)
        self.assertEqual(self.post("/v1/refusals", body, role="analyst").status, 403)

    def test_detections(self):
        kinds = self.get("/v1/detection-codes").json["kinds"]
        self.assertIn("impostor", [k["fraud_type"] for k in kinds])
        r = self.post("/v1/detections", {"kind": "fraudulent_document", "fraud_type": "impostor",
                                         "bcp": "ES-ALGECIRAS", "nationality": "XXA"})
        self.assertEqual(r.status, 201, r.body)
        r = self.post("/v1/detections", {"kind": "fraudulent_document", "bcp": "ES-ALGECIRAS"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "fraud_type")
        r = self.post("/v1/detections", {"kind": "facilitator", "bcp": "ES-ALGECIRAS"}, role="second_line")
        self.assertEqual(r.status, 201)

    def test_first_line_check_and_decisions_by_role(self):
        body = {"document": {"doc_type": "P", "issuer": "GBR", "number": "GBCHKAPI1", "expiry_date": "%d-01-01" % (time.gmtime().tm_year + 5)},
                "person": {"surname": "NOVAK", "given_names": "JANA", "birth_date": "1985-03-01",
                           "sex": "F", "nationality": "GBR"},
                "bcp": "TN-TUN-AIR", "direction": "entry", "travel": {"mode": "flight", "ref": "TU712"}}
        self.assertEqual(self.post("/v1/checks", body, role="analyst").status, 403)
        r = self.post("/v1/checks", body)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json["aid"], "clear")
        self.assertEqual(r.json["stay"]["days_left"], 90)
        cid = r.json["id"]
        # the check and its audit entry commit together: exactly one entry, naming the check
        entries = self.get("/v1/audit?record=check:%d" % cid, role="supervisor").json["entries"]
        self.assertEqual([(e["action"], e["outcome"], e["detail"]) for e in entries],
                         [("POST /v1/checks", "201", "clear")])
        self.assertEqual(entries[0]["actor"], "officer1")
        self.assertEqual(entries[0]["request_id"], r.header("X-Request-Id"))
        self.assertEqual(self.get("/v1/checks/%d" % cid).json["aid"], "clear")
        # an officer cannot refuse, only refer or admit
        r = self.post("/v1/checks/%d/decision" % cid, {"decision": "refuse", "codes": ["E"]})
        self.assertEqual(r.status, 403)
        r = self.post("/v1/checks/%d/decision" % cid, {"decision": "admit"})
        self.assertEqual(r.status, 201, r.body)
        self.assertIn("crossing_id", r.json)
        r = self.post("/v1/checks/%d/decision" % cid, {"decision": "admit"})
        self.assertEqual(r.status, 409)
        self.assertEqual(self.post("/v1/checks/999999/decision", {"decision": "admit"}).status, 404)
        # an expired passport read from the MRZ: stop; second line refuses with code A
        mrz = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
               "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
        r = self.post("/v1/checks", {"mrz": mrz, "bcp": "TN-RASJEDIR", "direction": "entry"})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json["aid"], "stop")
        self.assertIn("document-expired", [x["code"] for x in r.json["reasons"]])
        cid = r.json["id"]
        r = self.post("/v1/checks/%d/decision" % cid, {"decision": "refuse", "codes": ["J"]},
                      role="second_line")
        self.assertEqual(r.status, 400)
        r = self.post("/v1/checks/%d/decision" % cid, {"decision": "refuse", "codes": ["A"]},
                      role="second_line")
        self.assertEqual(r.status, 201, r.body)
        self.assertIn("refusal_id", r.json)
        # a child alone: attention; with the adult's check as companion: still attention, accompanied
        adult = self.post("/v1/checks", dict(body, document=dict(body["document"], number="GBCHKAPI2"))).json
        child = dict(body, document=dict(body["document"], number="GBCHKAPI3"),
                     person=dict(body["person"], birth_date="%d-01-01" % (time.gmtime().tm_year - 9)))
        r = self.post("/v1/checks", child)
        self.assertEqual(r.json["aid"], "attention")
        self.assertIn("minor-unaccompanied", [x["code"] for x in r.json["reasons"]])
        r = self.post("/v1/checks", dict(child, companions=[adult["id"]]))
        self.assertTrue(r.json["minor"]["accompanied_by_adult"])
        r = self.post("/v1/checks/%d/decision" % r.json["id"], {"decision": "refer"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["field"], "reason")
        r = self.post("/v1/checks", dict(body, bcp="NOWHERE"))
        self.assertEqual(r.status, 400)
        # a failed check is audited too, with its status
        entries = self.get("/v1/audit?user=officer1&limit=20", role="supervisor").json["entries"]
        mine = [e for e in entries if e["request_id"] == r.header("X-Request-Id")]
        self.assertEqual([(e["action"], e["outcome"]) for e in mine], [("POST /v1/checks", "400")])
        self.assertEqual(self.post("/v1/checks", dict(body, companions="x")).status, 400)
        self.assertEqual(self.post("/v1/checks", {"mrz": "", "bcp": "TN-TUN-AIR", "direction": "entry"}).status // 100, 4)

    def test_concurrent_checks_on_kept_alive_connections(self):
        # A check's answer waits for its write on another thread while the
        # connection is set aside: every booth gets its own answer, on a
        # connection that stays open, and every check is audited once.
        body = {"document": {"doc_type": "P", "issuer": "FRA", "number": "", "expiry_date": "%d-01-01" % (time.gmtime().tm_year + 5)},
                "person": {"surname": "MARTIN", "given_names": "LUC", "birth_date": "1979-06-30",
                           "sex": "M", "nationality": "FRA"},
                "bcp": "TN-TUN-AIR", "direction": "entry"}
        results, errors = {}, []

        def booth(n):
            c = self.srv.connection()
            h = {"Authorization": "Bearer " + self.srv.tokens["officer"],
                 "Content-Type": "application/json"}
            try:
                for i in range(12):
                    number = "KA%02d%03d" % (n, i)
                    b = dict(body, document=dict(body["document"], number=number))
                    c.request("POST", "/v1/checks", body=json.dumps(b).encode(), headers=h)
                    r = c.getresponse()
                    data = json.loads(r.read())
                    if r.status != 201:
                        errors.append((number, r.status, data))
                        continue
                    results[number] = data
                c.request("POST", "/v1/checks", body=json.dumps(dict(body, bcp="NOWHERE")).encode(),
                          headers=h)
                r = c.getresponse()
                r.read()
                if r.status != 400:
                    errors.append(("NOWHERE", r.status))
            except OSError as e:
                errors.append(("connection", n, repr(e)))
            finally:
                c.close()

        threads = [threading.Thread(target=booth, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 96)
        self.assertEqual(len({r["id"] for r in results.values()}), 96)
        for number, r in list(results.items())[::8]:
            stored = self.get("/v1/checks/%d" % r["id"]).json
            self.assertEqual(stored["result"]["document"], r["document"])
            self.assertIn(number, json.dumps(r["document"]))
            entries = self.get("/v1/audit?record=check:%d" % r["id"], role="supervisor").json["entries"]
            posts = [(e["action"], e["outcome"]) for e in entries if e["action"].startswith("POST")]
            self.assertEqual(posts, [("POST /v1/checks", "201")])

    def test_stats_for_analysts(self):
        self.post("/v1/refusals", {"document": {"issuer": "XXC", "number": "RSTAT0001"},
                                   "bcp": "TN-RASJEDIR", "codes": ["E"], "at_ms": ms("2025-02-01")})
        self.assertEqual(self.get("/v1/border/stats", role="officer").status, 403)
        r = self.get("/v1/border/stats?from=2025-01-01&to=2025-12-31", role="analyst")
        self.assertEqual(r.status, 200, r.body)
        self.assertIn({"code": "E", "n": 1}, r.json["refusals_by_reason"])
        self.assertNotIn("surname", r.body)
        self.assertEqual(self.get("/v1/border/stats?from=2025-13-01", role="analyst").status, 400)

    def test_cli_stay_and_purge(self):
        out = cli("stay", "--stays", "2013-09-01:2013-09-30,2014-02-21:2014-04-20,2014-05-01:2014-06-09",
                  "--on", "2014-06-09").stdout
        self.assertIn("99 days used", out)
        self.assertIn("OVERSTAY 9 days", out)
        out = cli("stay", "--stays", "2013-09-01:2013-09-30,2014-02-21:2014-04-20,2014-05-01:2014-06-09",
                  "--plan", "2014-08-30").stdout
        self.assertIn("up to 50 days", out)
        self.assertEqual(cli("stay", "--stays", "2025-13-01:", check=False).returncode, 2)
        r = self.post("/v1/crossings", crossing("GBAPI0006", "entry", "2025-01-01"))
        tid = r.json["traveller_id"]
        out = cli("stay", "--traveller", str(tid), "--on", "2025-01-10", db=self.srv.db).stdout
        self.assertIn('"days_used": 10', out)
        out = cli("purge", "--today", "2025-06-01", db=self.srv.db).stdout
        self.assertIn("purged: 0 stays", out)
        actor = "cli:" + pwd.getpwuid(os.getuid()).pw_name
        entries = self.get("/v1/audit?user=" + urllib.parse.quote(actor), role="supervisor")
        purges = [e for e in entries.json["entries"] if e["action"] == "purge"]
        self.assertEqual(len(purges), 1)
        self.assertIn("0 stays", purges[0]["detail"])


def pg_url_for(db):
    base = os.environ.get("LIMES_TEST_PG", "")
    if not base:
        return None
    head, sep, query = base.partition("?")
    return head[:head.rindex("/") + 1] + db + sep + query


def pg_fresh(db):
    base = os.environ["LIMES_TEST_PG"]
    for sql in ("DROP DATABASE IF EXISTS %s WITH (FORCE)" % db, "CREATE DATABASE %s" % db):
        subprocess.run(["psql", "-q", base, "-c", sql], check=True, capture_output=True)
    return pg_url_for(db)


class KillableServer(Server):
    """A server on a given database that can be killed and restarted on it."""

    def __init__(self, db):  # noqa: super().__init__ is replaced on purpose
        self.dir = tempfile.mkdtemp(prefix="limes-dur-")
        self.db = db
        self.tls = False
        self.tokens = {}
        cli("db", db=db)
        cli("bcp", "demo", db=db)
        for role in ROLES:
            cli("user", "add", role + "1", "--role", role, "--password-stdin", db=db,
                stdin=PASSWORD + "\n")
            out = cli("token", "create", role + "1", "--name", "test", db=db).stdout
            self.tokens[role] = out.strip().split()[-1]
        self.start()

    def start(self):
        if getattr(self, "log", None) and not self.log.closed:
            self.log.close()
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "server.log"), "a+")
        self.proc = subprocess.Popen([BIN, "serve", "--db", self.db, "--listen",
                                      "127.0.0.1:%d" % self.port, "--threads", "4"],
                                     stdout=self.log, stderr=self.log)
        self.wait_ready()


class BorderApiPgTest(BorderApiTest):
    """The same API tests with the server on PostgreSQL (LIMES_TEST_PG)."""

    @classmethod
    def setUpClass(cls):
        if not os.environ.get("LIMES_TEST_PG"):
            raise unittest.SkipTest("LIMES_TEST_PG not set (tools/pg-test.sh start)")
        url = pg_fresh("limes_border_api")
        p = subprocess.run([BIN, "db", "--db", url], capture_output=True, text=True)
        if p.returncode != 0 and "no PostgreSQL support" in p.stderr:
            raise unittest.SkipTest("this build has no PostgreSQL support")
        cls.srv = KillableServer(url)


class DurabilityTest(unittest.TestCase):
    WORKERS = 4

    def stream_and_kill(self, srv, seconds):
        acked = {}  # traveller id -> acknowledged crossing ids
        checks = self.checks = set()  # acknowledged check ids
        lock = threading.Lock()
        stop = threading.Event()

        def worker(n):
            number = "DUR%05d%d" % (os.getpid() % 100000, n)
            i = 0
            while not stop.is_set():
                direction = "entry" if i % 2 == 0 else "exit"
                body = crossing(number, direction, "2025-01-01")
                body["at_ms"] += i  # later each time, same day
                try:
                    r = srv.request("POST", "/v1/crossings", body, role="officer")
                except OSError:
                    return  # the server died under us: this one was never acknowledged
                if r.status == 201:
                    with lock:
                        acked.setdefault(r.json["traveller_id"], set()).add(r.json["id"])
                    i += 1
                elif r.status >= 500:
                    return
                # a first-line check, answered once its write is durable
                # (the server's thread does not wait for it: http_later)
                body = {k: body[k] for k in ("person", "document", "bcp", "direction")}
                try:
                    r = srv.request("POST", "/v1/checks", body, role="officer")
                except OSError:
                    return
                if r.status == 201:
                    with lock:
                        checks.add(r.json["id"])
                elif r.status >= 500:
                    return

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(self.WORKERS)]
        for t in threads:
            t.start()
        # kill in the middle of the stream: once enough were acknowledged
        # (slow sanitizer builds on a busy machine need longer), plus a moment
        deadline = time.time() + 60
        while time.time() < deadline:
            with lock:
                if sum(len(v) for v in acked.values()) >= 60:
                    break
            time.sleep(0.05)
        time.sleep(seconds)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        return acked

    def check_survivors(self, srv, acked):
        total = sum(len(v) for v in acked.values())
        self.assertGreater(total, 20, "too few crossings acknowledged before the kill")
        srv.start()
        for tid, ids in acked.items():
            r = srv.request("GET", "/v1/travellers/%d/crossings" % tid, role="officer")
            self.assertEqual(r.status, 200)
            stored = {c["id"] for c in r.json["crossings"]}
            self.assertEqual(ids - stored, set(), "acknowledged crossings lost")
        self.assertGreater(len(self.checks), 10, "too few checks acknowledged before the kill")
        for cid in self.checks:
            self.assertEqual(srv.request("GET", "/v1/checks/%d" % cid, role="officer").status, 200,
                             "acknowledged check %d lost" % cid)
        return total

    def run_on(self, db):
        srv = KillableServer(db)
        try:
            acked = self.stream_and_kill(srv, 0.3)
            total = self.check_survivors(srv, acked)
            print("durability on %s: %d acknowledged crossings and %d checks, all present "
                  "after SIGKILL" % (db.split("?")[0], total, len(self.checks)), file=sys.stderr)
        finally:
            srv.cleanup()

    def test_sqlite_sigkill(self):
        d = tempfile.mkdtemp(prefix="limes-dur-db-")
        try:
            self.run_on(os.path.join(d, "limes.db"))
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_postgresql_sigkill(self):
        if not os.environ.get("LIMES_TEST_PG"):
            self.skipTest("LIMES_TEST_PG not set (tools/pg-test.sh start)")
        url = pg_fresh("limes_durability")
        p = subprocess.run([BIN, "db", "--db", url], capture_output=True, text=True)
        if p.returncode != 0 and "no PostgreSQL support" in p.stderr:
            self.skipTest("this build has no PostgreSQL support")
        self.run_on(url)


if __name__ == "__main__":
    unittest.main(verbosity=2)
