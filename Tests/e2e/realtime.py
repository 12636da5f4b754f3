#!/usr/bin/env python3
"""The realtime WebSocket against the real binary: authentication by first frame, event fan-out by permission,
presence between two agents, and the protocol's error answers.

Usage: realtime.py PATH_TO_HELPDESK [DATABASE_URL REDIS_URL]
Needs HELPDESK_TOOLS_PYTHON with `websockets` (scripts/with-browser installs it); re-executes itself with it.
"""
import asyncio
import json
import os
import sys
import tempfile

try:
    import websockets
except ImportError:
    # The venv's python may be a symlink to this very interpreter: compare sys.prefix, not paths, and re-run once.
    tools = os.environ.get("HELPDESK_TOOLS_PYTHON")
    if not tools or os.environ.get("HELPDESK_REEXEC") == "1":
        raise
    os.environ["HELPDESK_REEXEC"] = "1"
    os.execv(tools, [tools] + sys.argv)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenario  # noqa: E402
from scenario import check, login  # noqa: E402

scenario.BINARY = sys.argv[1]
scenario.DATABASE_URL = sys.argv[2] if len(sys.argv) > 2 else None
REDIS_URL = sys.argv[3] if len(sys.argv) > 3 else None


class Socket:
    """One realtime connection and the frames it has received."""

    def __init__(self, server):
        self.url = f"ws://127.0.0.1:{server.port}/api/v1/realtime"
        self.frames = []

    async def open(self, token):
        self.ws = await websockets.connect(self.url)
        await self.ws.send(json.dumps({"type": "auth", "token": token}))
        ready = json.loads(await asyncio.wait_for(self.ws.recv(), 5))
        check(ready["type"] == "ready", f"first frame after auth is ready: {ready}")
        self.reader = asyncio.create_task(self.read())
        return self

    async def read(self):
        try:
            async for text in self.ws:
                self.frames.append(json.loads(text))
        except websockets.ConnectionClosed:
            pass

    def mark(self):
        """Frames from here on are the answer to what happens next."""
        self.since = len(self.frames)

    async def wait(self, what, predicate, timeout=10):
        for _ in range(int(timeout / 0.05)):
            found = [f for f in self.frames[getattr(self, "since", 0):] if predicate(f)]
            if found:
                return found[-1]
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; frames: {self.frames}")

    def events(self, ticket_id):
        return [f["event"] for f in self.frames if f["type"] == "event" and f["event"]["ticket_id"] == ticket_id]

    async def send(self, message):
        await self.ws.send(json.dumps(message))

    async def close(self):
        await self.ws.close()
        self.reader.cancel()


async def run(server):
    admin = login(server, "admin@example.com", "admin-password")
    for email in ("one@example.com", "two@example.com"):
        status, body, _ = server.call("POST", "/api/v1/users", {"email": email, "name": email.split("@")[0].title(),
                                                                "role": "agent", "password": "agent-password"},
                                      token=admin["access_token"])
        check(status == 201, f"agent {email}: {status} {body}")
    one = login(server, "one@example.com", "agent-password")
    two = login(server, "two@example.com", "agent-password")
    for email in ("alice@example.com", "bob@example.com"):
        status, body, _ = server.call("POST", "/api/v1/auth/register",
                                      {"email": email, "password": "customer-pw", "name": email.split("@")[0].title()})
        check(status == 201, f"register {email}: {status} {body}")
    alice = login(server, "alice@example.com", "customer-pw")
    bob = login(server, "bob@example.com", "customer-pw")

    # Authentication: a bad token, and a first frame that is not auth, both close with 4401.
    for first in ({"type": "auth", "token": "not-a-token"}, {"type": "ping"}):
        ws = await websockets.connect(f"ws://127.0.0.1:{server.port}/api/v1/realtime")
        await ws.send(json.dumps(first))
        try:
            await asyncio.wait_for(ws.recv(), 5)
            check(False, f"{first} was answered instead of closed")
        except websockets.ConnectionClosed as closed:
            check(closed.rcvd.code == 4401, f"close code for {first}: {closed.rcvd}")

    agent1 = await Socket(server).open(one["access_token"])
    agent2 = await Socket(server).open(two["access_token"])
    alice_ws = await Socket(server).open(alice["access_token"])
    bob_ws = await Socket(server).open(bob["access_token"])

    status, ticket, _ = server.call("POST", "/api/v1/tickets", {"subject": "Realtime", "description": "hello"},
                                    token=alice["access_token"])
    check(status == 201, f"ticket: {status} {ticket}")
    created = await agent1.wait("ticket.created for the agent",
                                lambda f: f["type"] == "event" and f["event"]["ticket_id"] == ticket["id"]
                                and f["event"]["type"] == "ticket.created")
    check(created["event"]["ticket_number"] == ticket["number"], f"event carries the number: {created}")
    await alice_ws.wait("ticket.created for the requester", lambda f: f["type"] == "event")

    status, _, _ = server.call("POST", f"/api/v1/tickets/{ticket['id']}/comments",
                               {"body": "internal", "public": False}, token=one["access_token"])
    check(status == 201, "internal note")
    await agent2.wait("the note announced to agents",
                      lambda f: f["type"] == "event" and f["event"].get("public") is False)
    status, reply, _ = server.call("POST", f"/api/v1/tickets/{ticket['id']}/comments",
                                   {"body": "public", "public": True}, token=one["access_token"])
    check(status == 201, "public reply")
    await alice_ws.wait("the reply announced to the requester",
                        lambda f: f["type"] == "event" and f["event"].get("comment_id") == reply["id"])
    await alice_ws.wait("the unread count pushed", lambda f: f["type"] == "notification" and f["unread_count"] >= 1)
    check(all(e.get("public") is not False for e in alice_ws.events(ticket["id"])),
          f"the requester never hears of the note: {alice_ws.events(ticket['id'])}")
    check(bob_ws.events(ticket["id"]) == [], f"another customer hears nothing: {bob_ws.frames}")

    # Presence: agent two sees agent one replying, then leaving.
    await agent1.send({"type": "presence", "ticket_id": ticket["id"], "state": "viewing"})
    await agent2.send({"type": "presence", "ticket_id": ticket["id"], "state": "viewing"})
    agent2.mark()
    await agent1.send({"type": "presence", "ticket_id": ticket["id"], "state": "replying"})
    await agent2.wait("One is replying", lambda f: f["type"] == "presence" and
                      [(u["name"], u["state"]) for u in f["users"]] == [("One", "replying")])
    agent2.mark()
    await agent1.close()
    await agent2.wait("One left", lambda f: f["type"] == "presence" and f["users"] == [])

    # Protocol errors are answered, not fatal.
    await agent2.send({"type": "presence", "ticket_id": "nope", "state": "viewing"})
    await agent2.wait("bad presence", lambda f: f["type"] == "error" and f["code"] == "bad_presence")
    await agent2.send({"type": "ping"})
    await agent2.wait("pong", lambda f: f["type"] == "pong")
    return [agent2, alice_ws, bob_ws]


def main():
    root = tempfile.mkdtemp(prefix="helpdesk-realtime-")
    server = scenario.Server(root, args=(["--redis-url", REDIS_URL] if REDIS_URL else []))
    try:
        result = server.cli("admin", "create", "--email", "admin@example.com", "--password", "admin-password")
        check(result.returncode == 0, f"admin create: {result.stderr}")
        async def run_and_stop():
            sockets = await run(server)
            # Stopping with pages still connected: they are told to go away, and the server exits promptly.
            stopping = asyncio.get_running_loop().run_in_executor(None, server.stop)
            for s in sockets:
                await asyncio.wait_for(s.reader, 15)
                check(s.ws.close_code in (1000, 1001), f"clean close: {s.ws.close_code}")
            check(await stopping == 0, "graceful stop with open sockets")
        asyncio.run(run_and_stop())
    except BaseException:
        print(server.logs()[-4000:], file=sys.stderr)
        server.stop()
        raise
    print(f"realtime.py: {scenario.PASSED} checks passed")


if __name__ == "__main__":
    main()
