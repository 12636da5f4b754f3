#!/usr/bin/env python3
"""End-to-end scenario against the real `helpdesk` binary: CLI, HTTP and process lifecycle.

Usage: scenario.py PATH_TO_HELPDESK [DATABASE_URL]
Starts `helpdesk serve` on a free loopback port (SQLite in a temp data dir, or DATABASE_URL), drives the
foundation scenario over HTTP, and checks graceful shutdown on SIGTERM. Exits non-zero on the first failure.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BINARY = sys.argv[1]
DATABASE_URL = sys.argv[2] if len(sys.argv) > 2 else None
PASSED = 0


def check(condition, message):
    global PASSED
    if not condition:
        raise AssertionError(message)
    PASSED += 1


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, data_dir, extra_env=None, args=()):
        self.port = free_port()
        self.data_dir = data_dir
        self.env = dict(os.environ, HELPDESK_BCRYPT_COST="4", **(extra_env or {}))
        self.common = ["--data-dir", data_dir] + (["--database-url", DATABASE_URL] if DATABASE_URL else []) \
            + (["--blob-url", os.environ["HELPDESK_TEST_BLOB_URL"]] if os.environ.get("HELPDESK_TEST_BLOB_URL") else [])
        self.log = open(os.path.join(data_dir, "server.log"), "w+")
        self.proc = subprocess.Popen([BINARY, "serve", "--port", str(self.port)] + self.common + list(args),
                                     env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited early:\n" + self.logs())
            try:
                if self.call("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("server did not become healthy:\n" + self.logs())

    def logs(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def cli(self, *args):
        return subprocess.run([BINARY] + list(args) + self.common, env=self.env, capture_output=True, text=True,
                              timeout=120)

    def call(self, method, path, body=None, token=None, raw=None, content_type="application/json"):
        data = raw.encode() if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text else None), dict(response.headers)
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            return error.code, (json.loads(text) if text else None), dict(error.headers)

    def stop(self, timeout=20):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def fields(problem):
    return [e["field"] for e in (problem or {}).get("errors", [])]


def login(server, email, password):
    status, body, headers = server.call("POST", "/api/v1/auth/login", {"email": email, "password": password})
    check(status == 200, f"login {email}: {status} {body}")
    check(body["token_type"] == "Bearer" and body["expires_in"] == 900, f"token shape: {body}")
    return body


def scenario(server):
    # An admin from the CLI, while the server runs.
    result = server.cli("admin", "create", "--email", "admin@example.com", "--password", "admin-password",
                        "--name", "Ada Admin")
    check(result.returncode == 0, f"admin create failed: {result.stdout} {result.stderr}")
    check("Created admin admin@example.com" in result.stdout, result.stdout)
    again = server.cli("admin", "create", "--email", "ADMIN@example.com", "--password", "admin-password")
    check(again.returncode != 0 and "email" in again.stderr, f"duplicate admin: {again.returncode} {again.stderr}")
    weak = server.cli("admin", "create", "--email", "weak@example.com", "--password", "short")
    check(weak.returncode != 0 and "password" in weak.stderr, f"weak password: {weak.stderr}")

    status, customer, _ = server.call("POST", "/api/v1/auth/register",
                                      {"email": "carol@example.com", "password": "customer-pw", "name": "Carol"})
    check(status == 201 and customer["role"] == "customer", f"register: {status} {customer}")
    admin = login(server, "admin@example.com", "admin-password")
    check(admin["user"]["role"] == "admin", admin)
    carol = login(server, "carol@example.com", "customer-pw")

    status, pair, _ = server.call("POST", "/api/v1/auth/refresh", {"refresh_token": carol["refresh_token"]})
    check(status == 200 and pair["refresh_token"] != carol["refresh_token"], f"refresh: {status}")
    status, problem, _ = server.call("POST", "/api/v1/auth/refresh", {"refresh_token": carol["refresh_token"]})
    check(status == 401 and problem["code"] == "refresh_token_reused", f"reuse: {status} {problem}")
    status, _, _ = server.call("POST", "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]})
    check(status == 401, "the session is revoked after reuse")

    carol = login(server, "carol@example.com", "customer-pw")
    status, sessions, _ = server.call("GET", "/api/v1/auth/sessions", token=carol["access_token"])
    check(status == 200 and len(sessions["items"]) == 1 and sessions["next_cursor"] is None, f"sessions: {sessions}")
    session_id = sessions["items"][0]["id"]
    status, _, _ = server.call("DELETE", f"/api/v1/auth/sessions/{session_id}", token=carol["access_token"])
    check(status == 204, f"revoke session: {status}")
    status, _, _ = server.call("POST", "/api/v1/auth/refresh", {"refresh_token": carol["refresh_token"]})
    check(status == 401, "revoked session cannot refresh")

    token = admin["access_token"]
    status, agent, _ = server.call("POST", "/api/v1/users", {"email": "agent@example.com", "name": "Al Agent",
                                                            "role": "agent", "password": "agent-password"}, token)
    check(status == 201 and agent["role"] == "agent", f"create agent: {status} {agent}")
    login(server, "agent@example.com", "agent-password")
    status, org, _ = server.call("POST", "/api/v1/organizations", {"name": "Acme", "domains": ["acme.example"]}, token)
    check(status == 201, f"create org: {status} {org}")
    status, team, _ = server.call("POST", "/api/v1/teams", {"name": "Tier 1"}, token)
    check(status == 201, f"create team: {status} {team}")
    status, team, _ = server.call("PUT", f"/api/v1/teams/{team['id']}/members/{agent['id']}", token=token)
    check(status == 200 and team["member_ids"] == [agent["id"]], f"add member: {status} {team}")

    carol = login(server, "carol@example.com", "customer-pw")
    status, problem, headers = server.call("GET", "/api/v1/users", token=carol["access_token"])
    check(status == 403 and headers.get("Content-Type") == "application/problem+json", f"customer list: {status}")

    status, problem, _ = server.call("POST", "/api/v1/teams", raw='{"name": ', token=token)
    check(status == 400 and problem["code"] == "malformed_request", f"malformed: {status} {problem}")
    status, problem, _ = server.call("POST", "/api/v1/auth/login", {"email": "carol@example.com"})
    check(status == 422 and fields(problem) == ["password"], f"missing: {status} {problem}")
    status, problem, _ = server.call("POST", "/api/v1/organizations", {"name": ["Acme"]}, token)
    check(status == 422 and fields(problem) == ["name"], f"wrong type: {status} {problem}")
    status, problem, headers = server.call("DELETE", "/api/v1/auth/login")
    check(status == 405 and headers.get("Allow") == "POST", f"405: {status} {headers}")
    status, jwks, _ = server.call("GET", "/.well-known/jwks.json")
    check(status == 200 and jwks["keys"][0]["crv"] == "Ed25519", f"jwks: {jwks}")
    # A ticket: the customer opens it, the agent finds it unassigned and takes it.
    status, ticket, headers = server.call("POST", "/api/v1/tickets", {"subject": "Cannot log in",
                                                                      "description": "Since this morning."},
                                          carol["access_token"])
    check(status == 201 and ticket["number"] >= 1 and ticket["status"] == "new", f"ticket: {status} {ticket}")
    agent_login = login(server, "agent@example.com", "agent-password")
    status, queue, _ = server.call("GET", "/api/v1/tickets?assignee_id=none", token=agent_login["access_token"])
    check(status == 200 and ticket["id"] in [t["id"] for t in queue["items"]], f"queue: {queue}")
    status, taken, _ = server.call("PATCH", f"/api/v1/tickets/{ticket['number']}", {"assignee_id": agent["id"]},
                                   agent_login["access_token"])
    check(status == 200 and taken["status"] == "open" and taken["version"] == 2, f"take: {status} {taken}")

    # 26 MiB against the default 25 MiB limit: answered 413 from the headers alone, before the body is sent
    # (the client here sends the first megabyte and then reads, as curl does with an early answer).
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(f"POST /api/v1/files?filename=big.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {carol['access_token']}\r\n"
                 f"Content-Type: application/octet-stream\r\nContent-Length: {26 * 1024 * 1024}\r\n\r\n".encode()
                 + b"a" * (1024 * 1024))
    answer = b""
    while b"\r\n\r\n" not in answer:
        piece = sock.recv(65536)
        if not piece:
            break
        answer += piece
    sock.close()
    check(answer.startswith(b"HTTP/1.1 413"), f"26 MiB: {answer[:80]!r}")
    blobs = os.path.join(server.data_dir, "files", "blobs")
    check(sum(len(f) for _, _, f in os.walk(blobs)) == 0 and not os.listdir(os.path.join(server.data_dir, "files", "tmp")),
          "a refused upload leaves nothing")

    status, ready, _ = server.call("GET", "/readyz")
    check(status == 200 and ready["checks"]["database"] == "ok", f"readyz: {ready}")


def mail_pipe(server):
    """`helpdesk mail ingest` as an MTA's pipe transport would run it, while the server runs."""
    admin = login(server, "admin@example.com", "admin-password")["access_token"]
    status, box, _ = server.call("POST", "/api/v1/mailboxes", {"address": "pipe@example.com", "name": "Pipe",
                                                               "trusted_authserv_id": "mx.example.com"}, token=admin)
    check(status == 201, f"mailbox: {status} {box}")
    message = ("From: Pia Pipe <pia@example.org>\r\nTo: pipe@example.com\r\nSubject: =?utf-8?q?Caf=C3=A9_froid?=\r\n"
               "Message-ID: <pipe-1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLe café est froid.\r\n")

    def ingest(text):
        return subprocess.run([BINARY, "mail", "ingest", "--mailbox", "PIPE@example.com"] + server.common, env=server.env,
                              input=text.encode(), capture_output=True, timeout=120)

    first = ingest(message)
    check(first.returncode == 0, f"ingest: {first.returncode} {first.stderr.decode()}")
    result = json.loads(first.stdout)
    check(result["action"] == "created" and result["ticket_id"], f"ingest result: {result}")
    status, ticket, _ = server.call("GET", f"/api/v1/tickets/{result['ticket_id']}", token=admin)
    check(status == 200 and ticket["subject"] == "Café froid", f"piped ticket: {ticket}")
    again = json.loads(ingest(message).stdout)
    check(again["ticket_id"] == result["ticket_id"], "the same message twice is one ticket")
    bounce = ingest(message.replace("Pia Pipe <pia@example.org>", "MAILER-DAEMON@example.org").replace("pipe-1", "pipe-2"))
    check(bounce.returncode == 0 and json.loads(bounce.stdout)["reason"] == "automatic", f"bounce: {bounce.stdout}")
    broken = ingest("Subject: no sender\r\n\r\nx\r\n")
    check(broken.returncode == 65, f"an unusable message exits 65 (kept as failed): {broken.returncode}")
    # A staff address: acts as staff only with the trusted MTA's pass, else kept marked, with a customer's rights.
    for n, (header, unverified) in enumerate([("evil.example.net; dmarc=pass header.from=example.com", True),
                                              ("mx.example.com; dmarc=pass header.from=example.com", False)]):
        staff_mail = (f"Authentication-Results: {header}\r\nFrom: Al Agent <agent@example.com>\r\nTo: pipe@example.com\r\n"
                      f"Subject: Staff pipe {n}\r\nMessage-ID: <staff-pipe-{n}@example.com>\r\n\r\nHello\r\n")
        piped = ingest(staff_mail)
        check(piped.returncode == 0, f"staff pipe: {piped.stderr.decode()}")
        status, comments, _ = server.call("GET", f"/api/v1/tickets/{json.loads(piped.stdout)['ticket_id']}/comments", token=admin)
        check(comments["items"][0]["unverified_sender"] is unverified, f"{header}: {comments}")
    unknown = subprocess.run([BINARY, "mail", "ingest", "--mailbox", "nobody@example.com"] + server.common, env=server.env,
                             input=message.encode(), capture_output=True, timeout=120)
    check(unknown.returncode != 0 and b"no mailbox" in unknown.stderr, f"unknown mailbox: {unknown.stderr}")


def graceful_shutdown(server):
    """A request in flight when SIGTERM arrives still gets its answer; then the process exits 0."""
    body = json.dumps({"email": "carol@example.com", "password": "wrong-password"}).encode()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:10])
    time.sleep(0.5)
    server.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    check(server.proc.poll() is None, "server waits for the in-flight request")
    sock.sendall(body[10:])
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(4096)
        if not chunk:
            break
        response += chunk
    sock.close()
    check(response.startswith(b"HTTP/1.1 401"), f"in-flight request answered: {response[:80]!r}")
    code = server.proc.wait(timeout=20)
    check(code == 0, f"server exit code {code}:\n{server.logs()[-2000:]}")


def stalled_shutdown(root):
    """A client that stalls mid-request cannot keep a stopping server up: after --shutdown-timeout the server
    cancels what is left and exits."""
    data = os.path.join(root, "stall")
    os.makedirs(data)
    server = Server(data, args=["--shutdown-timeout", "2"])
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    try:
        # Half a body, then nothing more.
        sock.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"email\":")
        time.sleep(0.5)
        stopped = time.time()
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(1)
        check(server.proc.poll() is None, "server still waits for the request within the timeout")
        try:
            code = server.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            raise AssertionError("server kept running after --shutdown-timeout:\n" + server.logs()[-2000:])
        took = time.time() - stopped
        check(2 <= took < 10, f"stopped {took:.1f} s after SIGTERM with a 2 s timeout (exit {code})")
    finally:
        sock.close()
        if server.proc.poll() is None:
            server.proc.kill()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def big_upload(root):
    """A 200 MiB upload streams through: the server's resident memory grows by less than 50 MiB."""
    import http.client
    import threading
    data = os.path.join(root, "big")
    os.makedirs(data)
    server = Server(data, args=["--max-file-bytes", str(256 * 1024 * 1024)])
    try:
        server.call("POST", "/api/v1/auth/register", {"email": "big@example.com", "password": "customer-pw", "name": "Big"})
        token = login(server, "big@example.com", "customer-pw")["access_token"]
        baseline = rss_kib(server.proc.pid)
        peak = [baseline]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_kib(server.proc.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        size = 200 * 1024 * 1024
        chunk = bytes(range(256)) * 4096   # 1 MiB, not text: octet-stream

        def body():
            for _ in range(size // len(chunk)):
                yield chunk

        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        started = time.time()
        conn.request("POST", "/api/v1/files?filename=big.bin", body=body(),
                      headers={"Authorization": f"Bearer {token}", "Content-Length": str(size),
                               "Content-Type": "application/octet-stream"})
        response = conn.getresponse()
        payload = json.loads(response.read().decode())
        elapsed = time.time() - started
        done.set()
        sampler.join()
        check(response.status == 201 and payload["size"] == size, f"200 MiB upload: {response.status} {payload}")
        growth_mib = (peak[0] - baseline) / 1024
        print(f"e2e: 200 MiB upload in {elapsed:.1f} s; server RSS {baseline / 1024:.1f} MiB -> peak {peak[0] / 1024:.1f} MiB "
              f"(growth {growth_mib:.1f} MiB, limit 50)")
        check(growth_mib < 50, f"RSS grew {growth_mib:.1f} MiB during a 200 MiB upload")

        # A multipart upload of a few MiB, parsed across many network reads.
        boundary = "e2e-boundary-42"
        content = bytes(range(256)) * 12288
        form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.bin\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        conn.request("POST", "/api/v1/files", body=form,
                     headers={"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
        response = conn.getresponse()
        uploaded = json.loads(response.read().decode())
        check(response.status == 201 and uploaded["size"] == len(content) and uploaded["filename"] == "report.bin",
              f"multipart: {response.status} {uploaded}")
        import hashlib
        check(uploaded["sha256"] == hashlib.sha256(content).hexdigest(), "multipart bytes intact")

        # Over the default-sized limit of another server: refused before anything is stored.
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        blobs = os.path.join(data, "files", "blobs")
        before = sum(len(files) for _, _, files in os.walk(blobs))
        temps = os.path.join(data, "files", "tmp")
        conn.request("POST", "/api/v1/files?filename=huge.bin", body=b"x" * (257 * 1024 * 1024),
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"})
        response = conn.getresponse()
        problem = json.loads(response.read().decode())
        check(response.status == 413 and problem["code"] == "file_too_large", f"oversize: {response.status} {problem}")
        check(sum(len(files) for _, _, files in os.walk(blobs)) == before, "no blob left by a refused upload")
        check(not os.listdir(temps), "no partial upload left behind")
    finally:
        check(server.stop() == 0, "big-upload server exits cleanly")


def malware_scanning(root):
    """With --clamd-url every upload is scanned: the EICAR test string is refused and nothing is kept."""
    clamd = os.environ.get("HELPDESK_TEST_CLAMD_URL")
    if not clamd:
        check(os.environ.get("HELPDESK_E2E_REQUIRE_CLAMD") != "1", "clamd is required for this run but not running")
        print("e2e: HELPDESK_TEST_CLAMD_URL unset; malware scanning not exercised in this run")
        return
    data = os.path.join(root, "scan")
    os.makedirs(data)
    server = Server(data, args=["--clamd-url", clamd])
    try:
        server.call("POST", "/api/v1/auth/register", {"email": "scan@example.com", "password": "customer-pw", "name": "S"})
        token = login(server, "scan@example.com", "customer-pw")["access_token"]
        # Built at run time so the repository itself never holds the test signature.
        eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" + "!$H+H*"
        status, problem, _ = server.call("POST", "/api/v1/files?filename=eicar.txt", raw=eicar, token=token,
                                         content_type="application/octet-stream")
        check(status == 422 and problem["code"] == "file_infected", f"EICAR upload: {status} {problem}")
        blobs = os.path.join(data, "files", "blobs")
        check(sum(len(f) for _, _, f in os.walk(blobs)) == 0, "an infected upload leaves no blob")
        check(not os.listdir(os.path.join(data, "files", "tmp")), "an infected upload leaves no partial file")
        status, clean, _ = server.call("POST", "/api/v1/files?filename=clean.txt", raw="perfectly harmless", token=token,
                                       content_type="application/octet-stream")
        check(status == 201 and clean["content_type"] == "text/plain", f"clean upload: {status} {clean}")
    finally:
        check(server.stop() == 0, "scanning server exits cleanly")


def bootstrap_and_json_logs(root):
    data = os.path.join(root, "boot")
    os.makedirs(data)
    server = Server(data, {"HELPDESK_BOOTSTRAP_ADMIN_EMAIL": "boot@example.com",
                           "HELPDESK_BOOTSTRAP_ADMIN_PASSWORD": "boot-password",
                           "HELPDESK_LOG_FORMAT": "json"})
    try:
        if DATABASE_URL is None:
            login(server, "boot@example.com", "boot-password")
        server.call("GET", "/healthz")
    finally:
        check(server.stop() == 0, "bootstrap server exits cleanly")
    lines = [json.loads(line) for line in server.logs().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("msg") == "request"]
    check(access and all("request_id" in a and "status" in a and "duration_ms" in a for a in access),
          f"structured access log: {lines[-3:]}")


def main():
    root = tempfile.mkdtemp(prefix="helpdesk-e2e-")
    data = os.path.join(root, "main")
    os.makedirs(data)
    server = Server(data)
    try:
        scenario(server)
        mail_pipe(server)
        migrate = server.cli("migrate")
        check(migrate.returncode == 0 and "up to date" in migrate.stdout, f"migrate: {migrate.stdout} {migrate.stderr}")
        graceful_shutdown(server)
    except BaseException:
        if server.proc.poll() is None:
            server.proc.kill()
        sys.stderr.write(server.logs()[-4000:])
        raise
    bootstrap_and_json_logs(root)
    stalled_shutdown(root)
    big_upload(root)
    malware_scanning(root)
    storage = "s3" if os.environ.get("HELPDESK_TEST_BLOB_URL") else "disk"
    print(f"e2e ({'postgres' if DATABASE_URL else 'sqlite'}, {storage}): {PASSED} passed, 0 failed")


if __name__ == "__main__":
    main()
