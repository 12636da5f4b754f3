#!/usr/bin/env python3
"""Runs the benchmark scenarios against one server mode and appends the results to bench/RESULTS.md.

Called by bench/run (which builds the release binary and provides PostgreSQL + Redis for the distributed mode);
see bench/README.md. Every scenario runs twice with wrk: once flat out (the maximum throughput) and once at
half that rate (BENCH_DELAY_MS paces each connection), where latency is judged.
"""
import argparse
import datetime
import json
import os
import resource
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCENARIOS = ["health", "ticket_get", "ticket_list", "search", "comment_create", "ticket_create", "mix", "login"]
MIB = 1024 * 1024


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Server:
    def __init__(self, binary, data_dir, database_url=None, redis_url=None):
        self.binary, self.data_dir = binary, data_dir
        self.port = free_port()
        self.common = ["--data-dir", data_dir, "--log-level", "warning"]
        if database_url:
            self.common += ["--database-url", database_url]
        if redis_url:
            self.common += ["--redis-url", redis_url]
        self.proc = None

    def seed(self, tickets, customers, agents):
        started = time.time()
        out = subprocess.run([self.binary, "seed", "--tickets", str(tickets), "--customers", str(customers),
                              "--agents", str(agents)] + self.common, capture_output=True, text=True, check=True)
        print(out.stdout.strip().splitlines()[-1], flush=True)
        return time.time() - started

    def start(self):
        self.log = open(os.path.join(self.data_dir, "server.log"), "a")
        started = time.time()
        # One token drives the whole load: the limiter runs on every request (its cost is measured) with buckets
        # no run can empty.
        limits = ["--rate-limits", "user=1000000000/1 anonymous=1000000000/1 auth=1000000000/1"]
        # An admin for setting up rules (--rules); the seed makes agents and customers only.
        env = dict(os.environ, HELPDESK_BOOTSTRAP_ADMIN_EMAIL="admin@bench.example", HELPDESK_BOOTSTRAP_ADMIN_PASSWORD="bench-password")
        self.proc = subprocess.Popen([self.binary, "serve", "--port", str(self.port)] + self.common + limits,
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        while True:
            if self.proc.poll() is not None:
                raise SystemExit("server exited early; see " + self.log.name)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return time.time() - started
            except OSError:
                time.sleep(0.01)

    def call(self, method, path, body=None, token=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"null")

    def token(self, email):
        return self.call("POST", "/api/v1/auth/login", {"email": email, "password": "bench-password"})["access_token"]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def wrk(server, scenario, connections, duration, env):
    lua = os.path.join(HERE, "wrk", scenario + ".lua")
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", lua,
           f"http://127.0.0.1:{server.port}"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, BENCH_LUA_DIR=os.path.join(HERE, "wrk"),
                                                                      **env))
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            result = json.loads(line)
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
            result["command"] = " ".join(cmd)
            return result
    raise SystemExit(f"wrk failed for {scenario}:\n{out.stdout}\n{out.stderr}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds():
    """CPU time the whole machine spent busy so far (every process, the kernel included)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    """CPU time of finished child processes: the wrk runs."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def quiesce(server, limit=120.0):
    """Waits until the work a previous scenario left behind is done, so each scenario starts from a quiet server:
    no unpublished outbox rows, no consumer lag or pending events (Redis), and the server under a tenth of a core
    for a second (in-process consumers, notification deliveries). Returns the seconds waited."""
    started = time.time()
    quiet_since = None
    last = cpu_seconds(server.proc.pid)
    while time.time() - started < limit:
        time.sleep(0.5)
        now = cpu_seconds(server.proc.pid)
        busy, last = (now - last) / 0.5, now
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=10) as r:
            backlog = [line for line in r.read().decode().splitlines()
                       if line.startswith(("helpdesk_outbox_unpublished", "helpdesk_event_consumer_lag",
                                           "helpdesk_event_consumer_pending")) and not line.endswith(" 0")]
        if backlog or busy > 0.1:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since >= 1.0:
            return time.time() - started
    return time.time() - started


def ticket_count(server, token):
    # The newest number is the count: seeded and created tickets are numbered without gaps.
    page = server.call("GET", "/api/v1/tickets?sort=-number&limit=1", token=token)
    return page["items"][0]["number"] if page["items"] else 0


def add_rules(server, admin):
    """50 active triggers and 10 SLA policies, as a busy workspace keeps them: most triggers look at words, tags and
    fields most tickets lack (so every one is evaluated and few fire), a few fire on every creation."""
    words = ["refund", "invoice", "outage", "password", "printer", "delivery", "contract", "urgent", "cancel", "bug"]
    for i in range(50):
        if i < 3:
            conditions = {"all": [{"field": "event", "operator": "is", "value": "created"}]}
            actions = [{"action": "add_tags", "value": [f"auto{i}"]}]
        else:
            conditions = {"all": [{"field": "comment", "operator": "contains", "value": f"{words[i % 10]}-{i}"},
                                  {"field": "tag", "operator": "excludes", "value": f"seen{i}"}],
                          "any": [{"field": "priority", "operator": "is", "value": "high"},
                                  {"field": "status", "operator": "changed_to", "value": "open"}]}
            actions = [{"action": "add_tags", "value": [f"seen{i}"]}, {"action": "set", "field": "priority", "value": "high"}]
        server.call("POST", "/api/v1/triggers", {"name": f"Rule {i}", "conditions": conditions, "actions": actions}, token=admin)
    priorities = ["urgent", "high", "normal", "low"]
    for i in range(10):
        server.call("POST", "/api/v1/sla-policies", {
            "name": f"Policy {i}",
            "conditions": [{"field": "tag", "operator": "includes", "value": f"tier{i}"}] if i < 9 else [],
            "targets": {p: {"first_reply": 60 * (j + 1), "resolution": 480 * (j + 1)} for j, p in enumerate(priorities)},
            "business_hours": False}, token=admin)
    return "rules: 50 active triggers (3 fire on every creation) and 10 SLA policies (the last matches every ticket)"


def run_mode(args, mode, database_url, redis_url):
    data_dir = tempfile.mkdtemp(prefix=f"helpdesk-bench-{mode}-")
    server = Server(args.binary, data_dir, database_url, redis_url)
    rows, notes = [], []
    try:
        customers = max(1, args.tickets // 10)
        seed_seconds = server.seed(args.tickets, customers, args.agents)
        notes.append(f"seeded {args.tickets:,} tickets in {seed_seconds:.1f} s ({args.tickets / seed_seconds:,.0f}/s)")
        start_seconds = server.start()
        time.sleep(2)
        idle_rss = rss_kib(server.proc.pid) / 1024
        notes.append(f"start to ready: {start_seconds * 1000:.0f} ms; idle RSS {idle_rss:.1f} MiB")
        agent = server.token("agent1@bench.example")
        customer = server.token("customer3@bench.example")
        if args.rules:
            notes.append(add_rules(server, server.token("admin@bench.example")))
        # Comments go to tickets that accept them (closed ones answer 422).
        numbers, cursor = [], None
        while len(numbers) < 500:
            page = server.call("GET", "/api/v1/tickets?status=new,open,pending&limit=100"
                               + (f"&cursor={cursor}" if cursor else ""), token=agent)
            numbers += [str(t["number"]) for t in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        open_tickets = ",".join(numbers)
        # Warm-up: caches, connection pools, the JIT-free but page-cache-hungry first reads.
        wrk(server, "mix", 16, 5, {"BENCH_TOKEN": agent, "BENCH_TICKETS": str(args.tickets)})
        waits, costs = [], []
        for scenario in args.scenarios:
            waits.append(f"{scenario} {quiesce(server):.0f} s")
            token = customer if scenario == "ticket_create" else agent
            env = {"BENCH_TOKEN": token, "BENCH_TICKETS": str(args.tickets), "BENCH_AGENTS": str(args.agents),
                   "BENCH_OPEN_TICKETS": open_tickets}
            before = ticket_count(server, agent) if scenario == "ticket_create" else None
            connections = 8 if scenario == "login" else args.connections
            busy_before, wrk_before = machine_busy_seconds(), children_cpu_seconds()
            peak = wrk(server, scenario, connections, args.duration, env)
            peak.update(scenario=scenario, load="max", connections=connections)
            rows.append(peak)
            if scenario == "ticket_create":
                created = ticket_count(server, agent) - before
                accepted = peak["requests"] - peak["non2xx"]
                notes.append(f"ticket_create ({mode}): {created:,} tickets present afterwards for {accepted:,} "
                             f"accepted requests ({'all present' if created >= accepted else 'MISSING'})")
            if scenario != "login":
                # Half the maximum rate, spread over fewer connections, each pacing itself.
                paced_connections = 16
                rate = max(1.0, peak["rps"] / 2)
                delay_ms = max(0, int(1000 * paced_connections / rate))
                waits[-1] += f" + {quiesce(server):.0f} s"
                # What a request costs once the work it leaves behind (events, consumers) is done too: the
                # machine's CPU from the start of the full-rate run until quiet again, less wrk's own.
                ok = peak["requests"] - peak["non2xx"]
                spent = machine_busy_seconds() - busy_before - (children_cpu_seconds() - wrk_before)
                if ok:
                    costs.append((scenario, spent * 1000 / ok))
                half = wrk(server, scenario, paced_connections, args.duration, dict(env, BENCH_DELAY_MS=str(delay_ms)))
                half.update(scenario=scenario, load="50%", connections=paced_connections)
                rows.append(half)
            for row in rows[-2:]:
                row.setdefault("rss_mib", rss_kib(server.proc.pid, "VmHWM") / 1024)
            print(f"{mode:12} {scenario:15} max {peak['rps']:9.0f} req/s  p99 {peak['p99_us'] / 1000:7.2f} ms"
                  + (f"   50%: p99 {rows[-1]['p99_us'] / 1000:6.2f} ms" if scenario != "login" else ""), flush=True)
        cores = os.cpu_count() or 1
        if costs:
            notes.append("CPU per successful request, the work it leaves behind included (machine CPU less wrk's, from the "
                         "start of the full-rate run until quiet again), and the rate that would keep all "
                         f"{cores} cores busy: " + ", ".join(f"{s} {ms:.2f} ms ({cores * 1000 / ms:,.0f}/s)" for s, ms in costs))
        notes.append("waited for a quiet server (outbox and consumers caught up, server under 0.1 core) before "
                     "each scenario's full and half run: " + ", ".join(waits))
        if args.realtime_connections:
            # Fresh tokens: access tokens last 15 minutes, about as long as the scenarios before.
            agent, customer = server.token("agent1@bench.example"), server.token("customer3@bench.example")
            out = subprocess.run([sys.executable, os.path.join(HERE, "realtime.py"), str(server.port), str(server.proc.pid),
                                  agent, customer, "--connections", str(args.realtime_connections)],
                                 capture_output=True, text=True, timeout=1200)
            lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
            if out.returncode != 0 or not lines:
                notes.append(f"realtime ({mode}): FAILED: {(out.stderr or out.stdout).strip().splitlines()[-1:]} ")
            else:
                r = json.loads(lines[-1])
                notes.append(
                    f"realtime ({mode}): {r['connections']:,} WebSocket connections held (connected in "
                    f"{r['connect_seconds']} s); server RSS {r['rss_before_mib']} → {r['rss_held_mib']} MiB "
                    f"(≈ {r['per_connection_kib']} KiB per connection), {r['rss_after_events_mib']} MiB after events; "
                    f"{r['events']} ticket events fanned out: {r['deliveries']:,}/{r['expected_deliveries']:,} deliveries, "
                    f"latency p50 {r['fanout_p50_ms']:.1f} ms, p99 {r['fanout_p99_ms']:.1f} ms, max {r['fanout_max_ms']:.1f} ms; "
                    f"CPU per created ticket: server {r['server_cpu_ms_per_ticket']} ms, client "
                    f"{r['client_cpu_ms_per_ticket']} ms; the floor (bench/fanout_floor.c: C writers, one per core, to a C reader "
                    f"over as many loopback sockets) took p50 {r['floor_p50_ms']} ms, max {r['floor_max_ms']} ms per "
                    f"message to reach them all, {r['floor_writer_cpu_ms']} ms of writer CPU"
                    + (f"; {r['closed']} connections closed by the server" if r['closed'] else ""))
            print(notes[-1], flush=True)
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return rows, notes


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores, {model}, {mem:.0f} GiB, {platform.system()} {platform.release()}"


def write(args, mode, rows, notes):
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "Sources"], capture_output=True,
                           text=True).stdout.strip()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    by = {(r["scenario"], r["load"]): r for r in rows}
    lines = [f"\n### {date} · {commit}{' (modified)' if dirty else ''} · {mode} · {args.tickets:,} tickets\n",
             f"Machine: {machine()}. Command: `{' '.join(args.argv)}`; wrk 2 threads, {args.duration} s per run.\n",
             "| scenario | load | conns | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | peak RSS MiB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['scenario']} | {r['load']} | {r['connections']} | {r['rps']:,.0f} | {r['p50_us'] / 1000:.2f} | "
                     f"{r['p90_us'] / 1000:.2f} | {r['p99_us'] / 1000:.2f} | {r['max_us'] / 1000:.1f} | "
                     f"{r['errors']} | {r['rss_mib']:.0f} |")
    health = by.get(("health", "max"))
    if health:
        ratios = [f"{name} ÷ health = {by[(name, 'max')]['rps'] / health['rps']:.2f}"
                  for name in ("ticket_get", "ticket_list", "mix") if (name, "max") in by]
        notes.append("ratios (max req/s): " + "; ".join(ratios))
    lines += [""] + [f"- {n}" for n in notes]
    with open(args.output, "a") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--mode", choices=["embedded", "distributed"], required=True)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--output", default=os.path.join(HERE, "RESULTS.md"))
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--rules", action="store_true", help="run with 50 active triggers and 10 SLA policies")
    parser.add_argument("--realtime-connections", type=int, default=0,
                        help="after the HTTP scenarios, hold this many WebSockets and measure fan-out (0: skip)")
    args = parser.parse_args()
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    args.argv = ["bench/run"] + [a for a in sys.argv[1:] if not a.startswith("--binary") and "/" not in a]
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing (apt-get install wrk)")
    database_url = os.environ.get("HELPDESK_TEST_DATABASE_URL") if args.mode == "distributed" else None
    redis_url = os.environ.get("HELPDESK_TEST_REDIS_URL") if args.mode == "distributed" else None
    if args.mode == "distributed" and not (database_url and redis_url):
        raise SystemExit("distributed mode needs HELPDESK_TEST_DATABASE_URL and HELPDESK_TEST_REDIS_URL (bench/run sets them)")
    rows, notes = run_mode(args, args.mode, database_url, redis_url)
    write(args, args.mode + (" (PostgreSQL + Redis)" if args.mode == "distributed" else " (SQLite, in-process bus)")
          + (", 50 triggers + 10 SLA policies" if args.rules else ""),
          rows, notes)


if __name__ == "__main__":
    main()
