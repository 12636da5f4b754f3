#!/usr/bin/env python3
"""Events across processes: the real binary on PostgreSQL + Redis, tickets served by one process and the audit
service by another, which is killed (SIGKILL) and restarted twice while 1,000 tickets are created.

Usage: events.py PATH_TO_HELPDESK DATABASE_URL REDIS_URL
Afterwards the audit log must hold exactly one record per event (none lost, none duplicated), verify as ok,
and name the one row changed behind its back by SQL.
"""
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenario  # noqa: E402  (Server, check, login)
from scenario import check, login  # noqa: E402

BINARY, DATABASE_URL, REDIS_URL = sys.argv[1], sys.argv[2], sys.argv[3]
scenario.BINARY = BINARY
scenario.DATABASE_URL = DATABASE_URL


def psql(sql):
    out = subprocess.run(["psql", DATABASE_URL, "-At", "-c", sql], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError(f"psql failed: {out.stderr}")
    return out.stdout.strip()


def start(root, name, services, extra=()):
    data = os.path.join(root, name)
    os.makedirs(data, exist_ok=True)
    env = {"HELPDESK_JWT_PRIVATE_KEY": KEY, "HELPDESK_BOOTSTRAP_ADMIN_EMAIL": "admin@example.com",
           "HELPDESK_BOOTSTRAP_ADMIN_PASSWORD": "admin-password"}
    return scenario.Server(data, extra_env=env, args=["--services", services, "--redis-url", REDIS_URL,
                                                      "--event-claim-timeout", "2"] + list(extra))


def main():
    global KEY
    import base64
    KEY = base64.b64encode(os.urandom(32)).decode()   # one signing key: tokens work on every process
    root = tempfile.mkdtemp(prefix="helpdesk-events-")
    tickets = start(root, "tickets", "users,auth,tickets,files")
    audit = start(root, "audit-1", "audit")
    servers = [tickets, audit]
    try:
        admin = login(tickets, "admin@example.com", "admin-password")
        token = admin["access_token"]
        workspace_events_before = int(psql("SELECT COUNT(*) FROM outbox"))

        created, errors = [], []
        lock = threading.Lock()

        def create(worker):
            for i in range(125):
                status, body, _ = tickets.call("POST", "/api/v1/tickets",
                                               {"subject": f"Load {worker}-{i}", "description": "é ✓ audit me"},
                                               token=token)
                with lock:
                    (created if status == 201 else errors).append(body if status == 201 else (status, body))

        threads = [threading.Thread(target=create, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        # Kill the audit consumer twice mid-load, without warning, and start a new one each time.
        for round_ in range(2):
            while len(created) < 300 * (round_ + 1):
                time.sleep(0.05)
            audit.proc.kill()
            audit.proc.wait()
            servers.remove(audit)
            time.sleep(0.5)
            audit = start(root, f"audit-{round_ + 2}", "audit")
            servers.append(audit)
        for t in threads:
            t.join()
        check(not errors, f"ticket creation errors: {errors[:3]}")
        check(len(created) == 1000, f"created {len(created)}")

        events = int(psql("SELECT COUNT(*) FROM outbox"))
        check(events >= workspace_events_before + 2000, f"each ticket writes ticket.created and comment.added: {events}")
        deadline = time.time() + 120
        recorded = distinct = 0
        while time.time() < deadline:
            row = psql("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM audit_records WHERE action <> 'audit.pruned'")
            recorded, distinct = (int(x) for x in row.split("|"))
            if recorded >= events:
                break
            time.sleep(0.5)
        missing = psql("SELECT COUNT(*) FROM outbox o WHERE NOT EXISTS "
                       "(SELECT 1 FROM audit_records a WHERE a.event_id = o.id)")
        check(missing == "0", f"{missing} events never reached the audit log")
        check(recorded == events and distinct == recorded, f"{events} events, {recorded} records, {distinct} distinct")
        print(f"events.py: {events} events, {recorded} audit records, consumer killed twice", flush=True)

        status, verify, _ = audit.call("GET", "/api/v1/audit/verify", token=token)
        check(status == 200 and verify["ok"] is True and verify["checked"] == recorded, f"verify: {status} {verify}")
        victim = psql("SELECT id FROM audit_records WHERE position = 777")
        psql(f"UPDATE audit_records SET data = '{{}}' WHERE id = '{victim}'")
        status, verify, _ = audit.call("GET", "/api/v1/audit/verify", token=token)
        check(verify["ok"] is False and verify["first_bad_id"] == victim, f"tampered row not named: {verify}")

        status, ready, _ = audit.call("GET", "/readyz")
        check(status == 200 and ready["checks"].get("redis") == "ok", f"readyz: {ready}")
        print(f"events.py: all {scenario.PASSED} checks passed", flush=True)
    except Exception:
        for server in servers:
            print(f"==== {server.data_dir} log (tail)\n" + server.logs()[-4000:], file=sys.stderr)
        raise
    finally:
        for server in servers:
            if server.proc.poll() is None:
                server.stop()


if __name__ == "__main__":
    main()
