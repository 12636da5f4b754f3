#!/usr/bin/env python3
"""Notifications end to end: the real binary sends email through a real SMTP server (aiosmtpd).

Usage: notifications.py PATH_TO_HELPDESK [DATABASE_URL REDIS_URL]
A ticket created, replied to and solved produces three emails to its French-speaking requester, in French,
threaded (Message-ID / In-Reply-To / References, [#number] in the subject). With the SMTP server stopped, a
delivery is retried and ends `failed` after the attempt limit; one that is still retrying when the server
comes back is delivered. Needs HELPDESK_TOOLS_PYTHON (a python with aiosmtpd; scripts/with-smtp sets it).
"""
import email
import email.header
import email.policy
import glob
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenario  # noqa: E402
from scenario import check, login  # noqa: E402

BINARY = sys.argv[1]
DATABASE_URL = sys.argv[2] if len(sys.argv) > 2 else None
REDIS_URL = sys.argv[3] if len(sys.argv) > 3 else None
scenario.BINARY = BINARY
scenario.DATABASE_URL = DATABASE_URL
SINK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "smtp_sink.py")


class Sink:
    def __init__(self, port, maildir):
        self.port, self.maildir, self.proc = port, maildir, None

    def start(self):
        self.proc = subprocess.Popen([os.environ["HELPDESK_TOOLS_PYTHON"], SINK, str(self.port), self.maildir],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import socket
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("SMTP sink did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def messages(self, to):
        out = []
        for path in sorted(glob.glob(os.path.join(self.maildir, "new", "*")), key=os.path.getmtime):
            with open(path, "rb") as f:
                message = email.message_from_binary_file(f, policy=email.policy.default)
            if to in str(message["To"]):
                out.append(message)
        return out


def wait_for(what, predicate, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def main():
    root = tempfile.mkdtemp(prefix="helpdesk-notify-")
    sink = Sink(scenario.free_port(), os.path.join(root, "maildir"))
    sink.start()
    args = ["--smtp-url", f"smtp://127.0.0.1:{sink.port}", "--mail-from", "Support Helpdesk <support@helpdesk.test>",
            "--delivery-max-attempts", "3", "--delivery-retry-seconds", "1", "--public-url", "https://help.example.test"]
    if REDIS_URL:
        args += ["--redis-url", REDIS_URL]
    data_dir = os.path.join(root, "data")
    os.makedirs(data_dir)
    server = scenario.Server(data_dir, extra_env={"HELPDESK_BOOTSTRAP_ADMIN_EMAIL": "admin@example.com",
                                               "HELPDESK_BOOTSTRAP_ADMIN_PASSWORD": "admin-password"}, args=args)
    try:
        admin = login(server, "admin@example.com", "admin-password")["access_token"]
        status, _, _ = server.call("POST", "/api/v1/users", {"email": "agent@example.com", "name": "Alex Agent",
                                                             "role": "agent", "password": "agent-password"}, token=admin)
        check(status == 201, "agent created")
        agent = login(server, "agent@example.com", "agent-password")["access_token"]
        status, _, _ = server.call("POST", "/api/v1/auth/register",
                                   {"email": "camille@example.com", "password": "customer-pw", "name": "Camille"})
        check(status == 201, "customer registered")
        camille = login(server, "camille@example.com", "customer-pw")["access_token"]
        check(server.call("PATCH", "/api/v1/users/me", {"locale": "fr"}, token=camille)[0] == 200, "locale fr")

        status, ticket, _ = server.call("POST", "/api/v1/tickets", {"subject": "Écran noir", "description": "Plus rien ne s'affiche"},
                                        token=camille)
        check(status == 201, f"ticket: {status} {ticket}")
        number = ticket["number"]
        ack = wait_for("the acknowledgement", lambda: sink.messages("camille@example.com"))[0]
        check(ack["Subject"] == f"[#{number}] Nous avons bien reçu votre demande : Écran noir", f"ack subject: {ack['Subject']}")
        check("Bonjour Camille" in text_of(ack), "French greeting")
        check(ack["Auto-Submitted"] == "auto-generated", "auto-submitted")
        check("Support Helpdesk" in str(ack["From"]) and "support@helpdesk.test" in str(ack["From"]), f"from: {ack['From']}")
        root_id = ack["Message-ID"]
        check(root_id.startswith("<ticket-") and root_id.endswith("@helpdesk.test>"), f"message id: {root_id}")
        check(f"https://help.example.test/tickets/{number}" in text_of(ack), "link to the ticket")

        check(server.call("POST", f"/api/v1/tickets/{ticket['id']}/comments",
                          {"body": "Avez-vous vérifié le câble ?", "public": True}, token=agent)[0] == 201, "reply")
        check(server.call("POST", f"/api/v1/tickets/{ticket['id']}/comments",
                          {"body": "note interne: client VIP", "public": False}, token=agent)[0] == 201, "note")
        check(server.call("PATCH", f"/api/v1/tickets/{ticket['id']}", {"status": "solved"}, token=agent)[0] == 200, "solve")
        mails = wait_for("reply and solution", lambda: (lambda m: m if len(m) >= 3 else None)(sink.messages("camille@example.com")))
        reply, solved = mails[1], mails[2]
        check(reply["Subject"] == f"[#{number}] Nouvelle réponse : Écran noir", f"reply subject: {reply['Subject']}")
        check("Avez-vous vérifié le câble ?" in text_of(reply), "reply body")
        check(reply["In-Reply-To"] == root_id and root_id in reply["References"], "reply threads under the ack")
        check(reply.get_body(preferencelist=("html",)) is not None, "HTML alternative")
        check(solved["Subject"] == f"[#{number}] Demande résolue : Écran noir", f"solved subject: {solved['Subject']}")
        check(solved["In-Reply-To"] == root_id, "solution threads too")
        time.sleep(1)
        check(len(sink.messages("camille@example.com")) == 3, "the internal note never mails the customer")
        check(all("VIP" not in text_of(m) for m in sink.messages("camille@example.com")), "no internal text")

        # SMTP down: retries, then failed after three attempts (1 s, 2 s backoff).
        sink.stop()
        status, lost, _ = server.call("POST", "/api/v1/tickets", {"subject": "Perdu", "description": "x"}, token=camille)

        def delivery(subject):
            _, page, _ = server.call("GET", "/api/v1/notifications/deliveries?channel=email&limit=100", token=admin)
            return next((d for d in page["items"] if subject in d["subject"]), None)

        retrying = wait_for("a retrying delivery", lambda: (lambda d: d if d and d["status"] == "retrying" else None)(delivery("Perdu")))
        check(retrying["attempts"] >= 1 and retrying["last_error"], f"retrying: {retrying}")
        failed = wait_for("a failed delivery", lambda: (lambda d: d if d and d["status"] == "failed" else None)(delivery("Perdu")))
        check(failed["attempts"] == 3, f"failed after the limit: {failed}")

        # A delivery still retrying when the server comes back is delivered.
        status, saved, _ = server.call("POST", "/api/v1/tickets", {"subject": "Sauvé", "description": "x"}, token=camille)
        wait_for("the second delivery to retry", lambda: (lambda d: d if d and d["status"] == "retrying" else None)(delivery("Sauvé")))
        sink.start()
        sent = wait_for("the retried delivery", lambda: (lambda d: d if d and d["status"] == "sent" else None)(delivery("Sauvé")))
        check(sent["attempts"] >= 2, f"sent on a retry: {sent}")
        check(any("Sauvé" in m["Subject"] for m in sink.messages("camille@example.com")), "the mail arrived")
        print(f"notifications.py: all {scenario.PASSED} checks passed", flush=True)
    except Exception:
        print("==== server log (tail)\n" + server.logs()[-4000:], file=sys.stderr)
        raise
    finally:
        server.stop()
        sink.stop()


if __name__ == "__main__":
    main()
