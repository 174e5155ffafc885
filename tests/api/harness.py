"""harness.py - start a real `limes serve` on a temporary database and talk
to it over HTTP(S), for black-box tests of the API and the CLI.

Only the Python standard library is used.  LIMES_BIN names the program.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

BIN = os.environ.get("LIMES_BIN", "build/limes")
ROLES = ["officer", "second_line", "supervisor", "analyst", "liaison", "admin"]
PASSWORD = "correct horse battery"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cli(*args, db=None, stdin=None, check=True):
    cmd = [BIN] + list(args)
    if db:
        cmd += ["--db", db]
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d): %s %s" % (cmd, p.returncode, p.stdout, p.stderr))
    return p


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class Server:
    """A limes server on a free port with one user (and API token) per role."""

    def __init__(self, tls=False, extra_args=(), users=True):
        self.dir = tempfile.mkdtemp(prefix="limes-test-")
        self.db = os.path.join(self.dir, "limes.db")
        self.port = free_port()
        self.tls = tls
        self.tokens = {}
        cli("db", db=self.db)
        if users:
            for role in ROLES:
                cli("user", "add", role + "1", "--role", role, "--password-stdin", db=self.db,
                    stdin=PASSWORD + "\n")
                out = cli("token", "create", role + "1", "--name", "test", db=self.db).stdout
                self.tokens[role] = out.strip().split()[-1]
        args = [BIN, "serve", "--db", self.db, "--listen", "127.0.0.1:%d" % self.port,
                "--threads", "4"] + list(extra_args)
        if tls:
            self.cert = os.path.join(self.dir, "cert.pem")
            self.key = os.path.join(self.dir, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-keyout", self.key, "-out",
                            self.cert, "-days", "2", "-subj", "/CN=localhost"],
                           check=True, capture_output=True)
            args += ["--tls-cert", self.cert, "--tls-key", self.key]
        self.log = open(os.path.join(self.dir, "server.log"), "w+")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        self.wait_ready()

    def wait_ready(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited: " + self.read_log())
            try:
                if self.request("GET", "/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("server not ready: " + self.read_log())

    def read_log(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def connection(self):
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.cert)
            ctx.check_hostname = False
            return http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=60)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method, path, body=None, token=None, role=None, headers=None, raw=None):
        h = dict(headers or {})
        if role:
            token = self.tokens[role]
        if token:
            h["Authorization"] = "Bearer " + token
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        c = self.connection()
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read().decode("utf-8", "replace"))
        finally:
            c.close()

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode
        self.log.close()
        return code

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Session:
    """A browser-like client: cookie session and CSRF header."""

    def __init__(self, server, username, password=PASSWORD):
        self.server = server
        r = server.request("POST", "/v1/session", {"username": username, "password": password})
        if r.status != 201:
            raise AssertionError("login failed: %d %s" % (r.status, r.body))
        cookie = r.header("Set-Cookie")
        self.cookie = cookie.split(";")[0]
        self.csrf = r.json["csrf_token"]
        self.set_cookie = cookie

    def request(self, method, path, body=None, csrf=True):
        h = {"Cookie": self.cookie}
        if csrf:
            h["X-CSRF-Token"] = self.csrf
        return self.server.request(method, path, body, headers=h)
