#!/usr/bin/env python3
"""SLA breaches across processes: the real binary on PostgreSQL + Redis, tickets served by one process and the
automations service by two, each running the breach scheduler every second. Three hundred urgent tickets get a
first-reply target; their due times are then moved into the past (as the clock would), half before one automations
process is killed (SIGKILL) and half after a third one joins.

Usage: sla_scheduler.py PATH_TO_HELPDESK DATABASE_URL REDIS_URL
Afterwards the outbox must hold exactly one sla.breached per ticket (none lost, none announced twice), and the
tickets service must show each ticket as breached.
"""
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import events  # noqa: E402  (start, psql)
import scenario  # noqa: E402
from scenario import check, login  # noqa: E402

TICKETS = 300


def breaches():
    row = psql("SELECT COUNT(*), COUNT(DISTINCT envelope::json->'subject'->>'id') FROM outbox WHERE type = 'sla.breached'")
    return tuple(int(x) for x in row.split("|"))


def make_due(limit):
    """Moves the due time of `limit` not yet due first-reply targets a second into the past."""
    past = int(time.time() * 1000) - 1000
    psql(f"""UPDATE sla_targets SET due_at = {past}, breach_check_at = {past}, warn_check_at = NULL
             WHERE ticket_id IN (SELECT ticket_id FROM sla_targets WHERE metric = 'first_reply' AND due_at > {past}
                                 ORDER BY ticket_id LIMIT {limit}) AND metric = 'first_reply'""")


def main():
    import base64
    events.KEY = base64.b64encode(os.urandom(32)).decode()
    root = tempfile.mkdtemp(prefix="helpdesk-sla-")
    fast = ["--sla-scan-interval", "1"]
    tickets = events.start(root, "tickets", "users,auth,tickets,files")
    first = events.start(root, "automations-1", "automations", fast)
    second = events.start(root, "automations-2", "automations", fast)
    servers = [tickets, first, second]
    try:
        token = login(tickets, "admin@example.com", "admin-password")["access_token"]
        status, policy, _ = first.call("POST", "/api/v1/sla-policies", {
            "name": "Urgent", "conditions": [{"field": "priority", "operator": "is", "value": "urgent"}],
            "targets": {"urgent": {"first_reply": 60}}, "business_hours": False}, token=token)
        check(status == 201, f"policy: {status} {policy}")

        created, errors, lock = [], [], threading.Lock()

        def create(worker):
            for i in range(TICKETS // 6):
                status, body, _ = tickets.call("POST", "/api/v1/tickets", {
                    "subject": f"Urgent {worker}-{i}", "description": "down", "priority": "urgent"}, token=token)
                with lock:
                    (created if status == 201 else errors).append(body["id"] if status == 201 else (status, body))

        threads = [threading.Thread(target=create, args=(w,)) for w in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(not errors and len(created) == TICKETS, f"created {len(created)}, errors {errors[:3]}")
        deadline = time.time() + 60
        while time.time() < deadline and int(psql("SELECT COUNT(*) FROM sla_targets WHERE metric = 'first_reply'")) < TICKETS:
            time.sleep(0.2)
        check(int(psql("SELECT COUNT(*) FROM sla_targets WHERE metric = 'first_reply'")) == TICKETS,
              "every ticket got its first-reply target")
        check(breaches() == (0, 0), f"nothing breached an hour ahead: {breaches()}")

        make_due(TICKETS // 2)
        time.sleep(0.3)   # let a pass start, then kill one scheduler without warning
        first.proc.kill()
        first.proc.wait()
        servers.remove(first)
        make_due(TICKETS)
        third = events.start(root, "automations-3", "automations", fast)
        servers.append(third)

        deadline = time.time() + 60
        while time.time() < deadline and breaches()[0] < TICKETS:
            time.sleep(0.5)
        time.sleep(3)   # further passes of both schedulers must announce nothing more
        total, distinct = breaches()
        check(total == TICKETS and distinct == TICKETS, f"{TICKETS} breaches expected once each: {total} events, {distinct} tickets")
        check(psql("SELECT COUNT(*) FROM sla_targets WHERE breach_fired_at IS NULL") == "0", "every breach marked announced")

        # The tickets service keeps the breach on each ticket (its copy of the snapshot) and lists them.
        deadline = time.time() + 30
        shown = 0
        while time.time() < deadline:
            shown = int(psql("SELECT COUNT(*) FROM tickets WHERE sla LIKE '%breached_at%'"))
            if shown == TICKETS:
                break
            time.sleep(0.5)
        check(shown == TICKETS, f"tickets showing their breach: {shown}")
        status, page, _ = tickets.call("GET", "/api/v1/tickets?sla=breached&limit=100", token=token)
        check(status == 200 and len(page["items"]) == 100 and page["next_cursor"], f"breached list: {status}")
        print(f"sla_scheduler.py: {total} breaches announced once each across 3 schedulers, one killed; "
              f"all {scenario.PASSED} checks passed", flush=True)
    except Exception:
        for server in servers:
            print(f"==== {server.data_dir} log (tail)\n" + server.logs()[-4000:], file=sys.stderr)
        raise
    finally:
        for server in servers:
            if server.proc.poll() is None:
                server.stop()


def psql(sql):
    return events.psql(sql)


if __name__ == "__main__":
    main()
