#!/usr/bin/env python3
"""The realtime benchmark: holds N WebSocket connections on the server, then creates tickets and measures how long
each ticket event takes to reach every connection (from just before the POST to the frame's arrival).

Usage: realtime.py PORT SERVER_PID TOKEN [--connections 10000] [--events 20]
Prints one JSON line. Needs `websockets` (the tools venv) and a raised open-files limit (bench/run sets it).
"""
import argparse
import asyncio
import json
import time
import urllib.request

import websockets


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("pid", type=int)
    parser.add_argument("token")
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=20)
    args = parser.parse_args()
    url = f"ws://127.0.0.1:{args.port}/api/v1/realtime"
    sent_at = {}          # ticket number → time just before its POST
    arrivals = []         # (ticket number, arrival time); matched with sent_at once all events are out
    ready = 0
    rss_before = rss_kib(args.pid)

    async def client():
        nonlocal ready
        async with websockets.connect(url, max_queue=None, ping_interval=None, open_timeout=120) as ws:
            await ws.send(json.dumps({"type": "auth", "token": args.token}))
            first = json.loads(await ws.recv())
            assert first["type"] == "ready", first
            ready += 1
            async for text in ws:
                now = time.perf_counter()
                frame = json.loads(text)
                if frame["type"] == "event" and frame["event"]["type"] == "ticket.created":
                    arrivals.append((frame["event"].get("ticket_number"), now))

    started = time.perf_counter()
    tasks = []
    # Connect in small waves: each socket must send its token within the server's 10 s, and one Python loop
    # opening thousands at once falls behind.
    wave = 100
    for i in range(0, args.connections, wave):
        tasks += [asyncio.create_task(client()) for _ in range(min(wave, args.connections - i))]
        while ready < min(args.connections, i + wave) and not any(t.done() for t in tasks):
            await asyncio.sleep(0.01)
        failed = [t for t in tasks if t.done()]
        if failed:
            failed[0].result()
    connect_seconds = time.perf_counter() - started
    await asyncio.sleep(2)
    rss_held = rss_kib(args.pid)

    def post(n):
        request = urllib.request.Request(
            f"http://127.0.0.1:{args.port}/api/v1/tickets", method="POST",
            data=json.dumps({"subject": f"Realtime bench {n}", "description": "fan-out"}).encode(),
            headers={"Content-Type": "application/json", "Authorization": "Bearer " + args.token})
        t0 = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as r:
            return t0, json.loads(r.read())["number"]

    loop = asyncio.get_running_loop()
    for n in range(args.events):
        # The number is only known after the POST; the start time is taken before it.
        t0, number = await loop.run_in_executor(None, post, n)
        sent_at[number] = t0
        await asyncio.sleep(1)
    await asyncio.sleep(3)
    peak = rss_kib(args.pid)
    for t in tasks:
        t.cancel()
    expected = args.events * args.connections
    latencies = sorted(at - sent_at[number] for number, at in arrivals if number in sent_at)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else None

    print(json.dumps({
        "connections": ready, "connect_seconds": round(connect_seconds, 1), "events": args.events,
        "deliveries": len(latencies), "expected_deliveries": expected,
        "rss_before_mib": round(rss_before / 1024, 1), "rss_held_mib": round(rss_held / 1024, 1),
        "rss_after_events_mib": round(peak / 1024, 1),
        "per_connection_kib": round((rss_held - rss_before) / max(1, ready), 1),
        "fanout_p50_ms": pct(0.50), "fanout_p99_ms": pct(0.99), "fanout_max_ms": latencies[-1] * 1000 if latencies else None,
    }))


asyncio.run(main())
