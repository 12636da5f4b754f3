#!/usr/bin/env python3
"""The realtime benchmark: holds N WebSocket connections on the server, then creates tickets and measures how long
each ticket event takes to reach every connection (from just before the POST to the frame's arrival).

Usage: realtime.py PORT SERVER_PID AGENT_TOKEN CUSTOMER_TOKEN [--connections 10000] [--events 20] [--interval 1.0]
The sockets are the agent's; the tickets are the customer's, as in a helpdesk (an agent creating a ticket for
themselves would also get an unread-count frame on each socket, the acknowledgement of their own request).
Prints one JSON line. The sockets are held by bench/realtime_client.c (compiled here with cc): it shares the two
cores with the server, so it must cost far less per frame than the server does. Each created ticket is one frame
on every socket (ticket.created). Then bench/fanout_floor.c measures what the kernel alone needs to carry a message to as many sockets.
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """User + system CPU of a process so far (clock ticks of /proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("pid", type=int)
    parser.add_argument("token")
    parser.add_argument("customer_token")
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between ticket creations")
    args = parser.parse_args()

    build = tempfile.mkdtemp(prefix="helpdesk-realtime-")
    client_bin = os.path.join(build, "realtime_client")
    floor_bin = os.path.join(build, "fanout_floor")
    for source, binary in (("realtime_client.c", client_bin), ("fanout_floor.c", floor_bin)):
        subprocess.run(["cc", "-O2", "-Wall", "-pthread", "-o", binary, os.path.join(HERE, source)], check=True)

    # The floor first: the kernel alone carrying a message of the same size to as many loopback sockets, from C
    # writers (one per core, as the server has an event loop per core) to a C reader (bench/fanout_floor.c).
    frame_bytes = 160
    floor = subprocess.run([floor_bin, str(args.connections), "10", str(frame_bytes)], capture_output=True,
                           text=True, check=True, timeout=300).stdout.split()
    rss_before = rss_kib(args.pid)
    client = subprocess.Popen([client_bin, str(args.port), args.token, str(args.connections)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    first = client.stdout.readline().split()
    if not first or first[0] != "ready":
        raise SystemExit(f"realtime client: {' '.join(first) or 'no output'}")
    connected, connect_seconds = int(first[1]), float(first[2])
    time.sleep(2)
    rss_held = rss_kib(args.pid)

    def post(n):
        request = urllib.request.Request(
            f"http://127.0.0.1:{args.port}/api/v1/tickets", method="POST",
            data=json.dumps({"subject": f"Realtime bench {n}", "description": "fan-out"}).encode(),
            headers={"Content-Type": "application/json", "Authorization": "Bearer " + args.customer_token})
        t0 = time.monotonic()  # CLOCK_MONOTONIC, as the client's arrival times
        with urllib.request.urlopen(request, timeout=60) as r:
            number = json.loads(r.read())["number"]
        answered[number] = time.monotonic() - t0
        return t0, number

    sent_at = {}
    answered = {}  # ticket number → seconds the POST took
    server_cpu, client_cpu = cpu_seconds(args.pid), cpu_seconds(client.pid)
    for n in range(args.events):
        # The number is only known after the POST; the start time is taken before it.
        t0, number = post(n)
        sent_at[number] = t0
        time.sleep(args.interval)
    time.sleep(3)
    server_cpu, client_cpu = cpu_seconds(args.pid) - server_cpu, cpu_seconds(client.pid) - client_cpu
    peak = rss_kib(args.pid)
    out, _ = client.communicate(timeout=120)
    shutil.rmtree(build, ignore_errors=True)
    closed = 0
    latencies = []
    first = {}  # ticket number → its first arrival: when the fan-out began
    for line in out.splitlines():
        parts = line.split()
        if parts[0] == "arrival" and int(parts[1]) in sent_at:
            latency = float(parts[2]) - sent_at[int(parts[1])]
            latencies.append(latency)
            first[parts[1]] = min(first.get(parts[1], latency), latency)
        elif parts[0] == "closed":
            closed = int(parts[1])
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else None

    print(json.dumps({
        "connections": connected, "connect_seconds": round(connect_seconds, 1), "events": args.events,
        "deliveries": len(latencies), "expected_deliveries": args.events * connected, "closed": closed,
        "rss_before_mib": round(rss_before / 1024, 1), "rss_held_mib": round(rss_held / 1024, 1),
        "rss_after_events_mib": round(peak / 1024, 1),
        "per_connection_kib": round((rss_held - rss_before) / max(1, connected), 1),
        "server_cpu_ms_per_ticket": round(server_cpu * 1000 / args.events, 1),
        "client_cpu_ms_per_ticket": round(client_cpu * 1000 / args.events, 1),
        "floor_p50_ms": float(floor[3]), "floor_max_ms": float(floor[5]), "floor_writer_cpu_ms": float(floor[6]),
        "post_median_ms": sorted(answered.values())[len(answered) // 2] * 1000 if answered else None,
        "first_delivery_median_ms": sorted(first.values())[len(first) // 2] * 1000 if first else None,
        "fanout_p50_ms": pct(0.50), "fanout_p99_ms": pct(0.99),
        "fanout_max_ms": latencies[-1] * 1000 if latencies else None,
    }))


if __name__ == "__main__":
    main()
