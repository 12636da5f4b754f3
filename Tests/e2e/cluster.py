#!/usr/bin/env python3
"""The distributed mode end to end, run inside `scripts/cluster` (PostgreSQL, Redis, every service in its own
process, tickets twice, two gateways).

Usage: scripts/cluster python3 Tests/e2e/cluster.py PATH_TO_HELPDESK
1. The foundation scenario of scenario.py, through the first gateway.
2. A trace: a request's traceparent reaches the ticket service's log under the same trace id; the services asked
   each other over HTTP (signed), not through each other's tables.
3. Reads under load while one ticket-service replica is SIGKILLed: no request is lost (reads are retried on the
   other replica), and the dead replica's circuit opens.
4. Rate limits across the two gateways sharing Redis: together they accept no more than the bucket holds.
5. A trigger in the automations process changes a ticket through the tickets service (a signed rule-apply call):
   the ticket is tagged, its run log explains it.
"""
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenario  # noqa: E402
from scenario import check  # noqa: E402

BINARY = sys.argv[1]
DIR = os.environ["HELPDESK_CLUSTER_DIR"]
URLS = os.environ["HELPDESK_CLUSTER_URLS"].split()


class Gateway(scenario.Server):
    """scenario.Server's client and CLI, pointed at a running gateway instead of a process of its own."""

    def __init__(self, url):
        self.port = int(url.rsplit(":", 1)[1])
        self.data_dir = os.environ["HELPDESK_CLUSTER_FILES_DIR"]
        self.env = dict(os.environ)
        self.common = ["--data-dir", os.path.join(DIR, "cli"), "--database-url", os.environ["HELPDESK_CLUSTER_DATABASE_URL"]]


def read(path):
    with open(os.path.join(DIR, path)) as f:
        return f.read()


def trace_reaches_service(gateway, token):
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    request = urllib.request.Request(f"http://127.0.0.1:{gateway.port}/api/v1/tickets?limit=1",
                                     headers={"Authorization": f"Bearer {token}",
                                              "traceparent": f"00-{trace}-00f067aa0ba902b7-01"})
    with urllib.request.urlopen(request, timeout=10) as response:
        check(response.status == 200, "traced request")
    time.sleep(0.5)
    check(trace in read("gateway.log"), "the gateway logs the trace id")
    check(trace in read("tickets-1.log") + read("tickets-2.log"), "a ticket replica logs the same trace id")


def services_call_each_other():
    """Every service process was told where the others are: they ask their owners over HTTP, signed."""
    time.sleep(1)  # notifications and audit work through the scenario's events
    check("/internal/v1/users/user" in read("users.log"), "services looked users up through the users service")
    check("/internal/v1/tickets/ticket" in read("tickets-1.log") + read("tickets-2.log"),
          "notifications read tickets through the tickets service")
    for name in ("users", "auth", "tickets-1", "tickets-2", "files", "notifications", "audit", "channels", "automations"):
        check("status=401" not in "".join(line for line in read(f"{name}.log").splitlines() if "/internal/" in line),
              f"{name}: no internal call was refused")


def reads_survive_a_killed_replica(gateway, token):
    status, ticket, _ = gateway.call("POST", "/api/v1/tickets", {"subject": "Load", "description": "Read me."}, token)
    check(status == 201, f"ticket for the load: {status} {ticket}")
    paths = [f"/api/v1/tickets/{ticket['number']}", "/api/v1/tickets?limit=5", "/api/v1/tickets/counts"]
    results = {"ok": 0, "failed": []}
    lock = threading.Lock()
    stop = time.time() + 8

    def reader(n):
        i = n
        while time.time() < stop:
            path = paths[i % len(paths)]
            i += 1
            try:
                code = gateway.call("GET", path, token=token)[0]
            except Exception as error:  # a lost request, whatever its form
                code = repr(error)
            with lock:
                if code == 200:
                    results["ok"] += 1
                else:
                    results["failed"].append((path, code))

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    time.sleep(2.5)
    pid = int(read("tickets-1.pid"))
    os.kill(pid, signal.SIGKILL)
    killed_at = results["ok"]
    for t in threads:
        t.join()
    print(f"cluster: {results['ok']} reads ({results['ok'] - killed_at} after the kill), "
          f"{len(results['failed'])} failed", flush=True)
    check(results["failed"] == [], f"reads lost while a replica died: {results['failed'][:5]}")
    check(results["ok"] - killed_at > 100, "reads went on after the kill")
    status, ready, _ = gateway.call("GET", "/readyz")
    check(status == 200 and ready["checks"]["upstream:tickets"] == "1/2 ready", f"readyz after the kill: {ready}")
    with urllib.request.urlopen(f"http://127.0.0.1:{gateway.port}/metrics", timeout=10) as response:
        metrics = response.read().decode()
    dead = f"http://127.0.0.1:{read('tickets-1.port').strip()}"
    breaker = [line for line in metrics.splitlines()
               if line.startswith(f'helpdesk_upstream_circuit_open{{service="tickets",upstream="{dead}"}}')]
    check(len(breaker) == 1 and breaker[0].split()[-1] in ("1", "0.5"), f"the dead replica's breaker is open: {breaker}")


def rate_limit_shared(gateways):
    """Anonymous calls alternate between the gateways; the first answer says how many tokens the bucket has."""
    first = gateways[0].call("GET", "/api/v1/setup")
    check(first[0] == 200, f"first anonymous call: {first[0]}")
    remaining = int(first[2]["RateLimit-Remaining"])
    limit = int(first[2]["RateLimit-Limit"])
    accepted = [0, 0]
    refused = 0
    for i in range(remaining + 60):
        status, body, headers = gateways[i % 2].call("GET", "/api/v1/setup")
        if status == 200:
            accepted[i % 2] += 1
        else:
            check(status == 429 and body["code"] == "rate_limited" and int(headers["Retry-After"]) >= 1,
                  f"refusal: {status} {body} {headers}")
            refused += 1
    print(f"cluster: bucket of {limit}, {remaining} left; accepted {accepted} by the two gateways, refused {refused}",
          flush=True)
    # The bucket refills 1 token per (period / limit) seconds; the loop takes a second or two.
    check(sum(accepted) <= remaining + 2, f"the gateways together accepted {sum(accepted)} > {remaining} left")
    check(accepted[0] > 0 and accepted[1] > 0, "both gateways served from the shared bucket")
    check(refused >= 58, f"refused {refused}")


def trigger_across_processes(gateway, token):
    trigger = {"name": "Cluster refunds", "conditions": {"all": [
        {"field": "event", "operator": "is", "value": "created"}, {"field": "comment", "operator": "contains", "value": "refund"}]},
        "actions": [{"action": "add_tags", "value": ["billing"]}, {"action": "set", "field": "priority", "value": "high"}]}
    status, made, _ = gateway.call("POST", "/api/v1/triggers", trigger, token)
    check(status == 201, f"trigger: {status} {made}")
    status, ticket, _ = gateway.call("POST", "/api/v1/tickets", {"subject": "Money", "description": "A refund, please"}, token)
    check(status == 201, f"ticket for the trigger: {status} {ticket}")
    deadline = time.time() + 20
    while time.time() < deadline:
        current = gateway.call("GET", f"/api/v1/tickets/{ticket['id']}", token=token)[1]
        if "billing" in current.get("tags", []):
            break
        time.sleep(0.2)
    check(current.get("tags") == ["billing"] and current.get("priority") == "high", f"the trigger changed the ticket: {current}")
    status, runs, _ = gateway.call("GET", f"/api/v1/tickets/{ticket['id']}/automation-runs", token=token)
    fired = [t["name"] for t in runs["items"][0]["triggers"] if t["fired"]] if status == 200 and runs["items"] else []
    check("Cluster refunds" in fired, f"the run log names the trigger: {status} {runs}")
    check("/internal/v1/tickets/rule-apply" in read("tickets-1.log") + read("tickets-2.log"),
          "automations wrote the change through the tickets service")
    gateway.call("DELETE", f"/api/v1/triggers/{made['id']}", token=token)


def main():
    gateways = [Gateway(url) for url in URLS]
    gateway = gateways[0]
    scenario.scenario(gateway)
    admin = scenario.login(gateway, "admin@example.com", "admin-password")["access_token"]
    trace_reaches_service(gateway, admin)
    services_call_each_other()
    trigger_across_processes(gateway, admin)
    reads_survive_a_killed_replica(gateway, admin)
    rate_limit_shared(gateways)
    print(f"cluster: {scenario.PASSED} checks passed")


if __name__ == "__main__":
    main()
