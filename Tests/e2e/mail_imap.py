#!/usr/bin/env python3
"""The email channel end to end: the real binary polls a real Dovecot and mails through a real SMTP sink.

Usage: mail_imap.py PATH_TO_HELPDESK [DATABASE_URL]  (inside scripts/with-imap and scripts/with-smtp)
A customer's mail (multipart, French accents in a Windows-1252 part, a PDF) appended to the mailbox becomes a
ticket with the attachment within one poll interval; the agent's public reply reaches the sink with threading
headers; the customer's answer to that mail (quoted history below) becomes a comment on the same ticket with
the quote trimmed; an auto-reply and a bounce open nothing; a server killed between ingesting a message and
marking it seen does not make a second ticket when it comes back.
"""
import email
import email.policy
import glob
import imaplib
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenario  # noqa: E402
from scenario import check, login  # noqa: E402

BINARY = sys.argv[1]
DATABASE_URL = sys.argv[2] if len(sys.argv) > 2 else None
scenario.BINARY = BINARY
scenario.DATABASE_URL = DATABASE_URL
ENV = os.environ
POLL = 10


def imap():
    conn = imaplib.IMAP4("127.0.0.1", int(ENV["HELPDESK_TEST_IMAP_PORT"]))
    conn.login(ENV["HELPDESK_TEST_IMAP_USER"], ENV["HELPDESK_TEST_IMAP_PASS"])
    conn.select("INBOX")
    return conn


def append(raw):
    conn = imap()
    status, _ = conn.append("INBOX", None, None, raw.encode("latin-1") if isinstance(raw, str) else raw)
    conn.logout()
    check(status == "OK", "append")


def unseen():
    conn = imap()
    _, data = conn.uid("SEARCH", "UNSEEN")
    conn.logout()
    return data[0].split()


def wait_for(what, predicate, timeout=POLL * 3):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def sink_messages(to):
    out = []
    for path in sorted(glob.glob(os.path.join(ENV["HELPDESK_TEST_SMTP_MAILDIR"], "new", "*")), key=os.path.getmtime):
        with open(path, "rb") as f:
            message = email.message_from_binary_file(f, policy=email.policy.default)
        if to in str(message["To"]):
            out.append(message)
    return out


CUSTOMER_MAIL = (
    "From: =?utf-8?q?Am=C3=A9lie_Poulain?= <amelie@example.com>\r\n"
    "To: support@example.test\r\n"
    "Subject: =?windows-1252?q?Probl=E8me_de_facture?=\r\n"
    "Message-ID: <first-{n}@mail.example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
    "--alt\r\n"
    "Content-Type: text/plain; charset=windows-1252\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    "Bonjour, ma facture d=E9passe le montant pr=E9vu de 12 =80. Pouvez-vous v=E9rifier ?\r\n"
    "--alt\r\n"
    "Content-Type: text/html; charset=windows-1252\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    "<p>Bonjour, ma facture d=E9passe le montant pr=E9vu de 12 =80.</p>\r\n"
    "--alt--\r\n"
    "--outer\r\n"
    "Content-Type: application/pdf; name=\"facture.pdf\"\r\n"
    "Content-Disposition: attachment; filename=\"facture.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n"
    "JVBERi0xLjQKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK\r\n"
    "--outer--\r\n")


def main():
    root = tempfile.mkdtemp(prefix="helpdesk-mail-")
    data = os.path.join(root, "data")
    os.makedirs(data)
    args = ["--smtp-url", ENV["HELPDESK_TEST_SMTP_URL"], "--mail-from", "Support <support@example.test>"]
    env = {"HELPDESK_BOOTSTRAP_ADMIN_EMAIL": "admin@example.com", "HELPDESK_BOOTSTRAP_ADMIN_PASSWORD": "admin-password"}
    server = scenario.Server(data, extra_env=env, args=args)
    try:
        admin = login(server, "admin@example.com", "admin-password")["access_token"]
        status, _, _ = server.call("POST", "/api/v1/users", {"email": "agent@example.com", "name": "Alex Agent",
                                                             "role": "agent", "password": "agent-password"}, token=admin)
        agent = login(server, "agent@example.com", "agent-password")["access_token"]
        status, box, _ = server.call("POST", "/api/v1/mailboxes", {
            "address": "support@example.test", "name": "Support",
            "imap": {"host": "127.0.0.1", "port": int(ENV["HELPDESK_TEST_IMAP_PORT"]), "security": "none",
                     "username": ENV["HELPDESK_TEST_IMAP_USER"], "password": ENV["HELPDESK_TEST_IMAP_PASS"],
                     "poll_seconds": POLL}}, token=admin)
        check(status == 201, f"mailbox: {status} {box}")
        status, test, _ = server.call("POST", f"/api/v1/mailboxes/{box['id']}/test", token=admin)
        check(test["ok"] is True, f"connection test: {test}")

        def tickets():
            return server.call("GET", "/api/v1/tickets?limit=100", token=agent)[1]["items"]

        append(CUSTOMER_MAIL.format(n=1))
        appended = time.time()
        ticket = wait_for("the ticket", lambda: next(iter(tickets()), None))
        check(time.time() - appended <= POLL + 5, "within one poll interval")
        check(ticket["subject"] == "Problème de facture", f"subject: {ticket['subject']}")
        comments = server.call("GET", f"/api/v1/tickets/{ticket['id']}/comments", token=agent)[1]["items"]
        check(comments[0]["body"].startswith("Bonjour, ma facture dépasse le montant prévu de 12 €"), comments[0]["body"])
        check([a["filename"] for a in comments[0]["attachments"]] == ["facture.pdf"], f"attachment: {comments[0]}")
        wait_for("the message to be marked seen", lambda: not unseen())

        # The agent answers; the customer receives it, threaded.
        check(server.call("POST", f"/api/v1/tickets/{ticket['id']}/comments",
                          {"body": "Nous corrigeons la facture.", "public": True}, token=agent)[0] == 201, "agent reply")
        reply_mail = wait_for("the reply email", lambda: next((m for m in sink_messages("amelie@example.com")
                                                                if "Nous corrigeons" in m.get_body(("plain",)).get_content()), None))
        check(f"[#{ticket['number']}]" in reply_mail["Subject"], f"subject token: {reply_mail['Subject']}")
        check(reply_mail["In-Reply-To"] and reply_mail["References"], "threading headers")

        # The customer answers that email with the history quoted below.
        answer = ("From: Amelie Poulain <amelie@example.com>\r\nTo: support@example.test\r\n"
                  f"Subject: Re: {reply_mail['Subject']}\r\nMessage-ID: <answer@mail.example.com>\r\n"
                  f"In-Reply-To: {reply_mail['Message-ID']}\r\nReferences: {reply_mail['References']} {reply_mail['Message-ID']}\r\n"
                  "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                  "Merci beaucoup !\r\n\r\nLe mar. 4 févr. 2025 à 09:00, Support <support@example.test> a écrit :\r\n"
                  "> Nous corrigeons la facture.\r\n").encode()
        append(answer)
        last = wait_for("the customer's comment", lambda: (lambda c: c if len(c) >= 3 else None)(
            server.call("GET", f"/api/v1/tickets/{ticket['id']}/comments", token=agent)[1]["items"]))[-1]
        check(last["body"] == "Merci beaucoup !", f"quote trimmed: {last['body']!r}")
        check(len(tickets()) == 1, "the answer joined the ticket")

        # An auto-reply and a bounce open nothing.
        append("From: amelie@example.com\r\nTo: support@example.test\r\nSubject: Absente\r\nAuto-Submitted: auto-replied\r\n"
               "Message-ID: <ooo@mail.example.com>\r\n\r\nJe suis absente.\r\n")
        append("From: MAILER-DAEMON@mail.example.com\r\nTo: support@example.test\r\nSubject: Undelivered Mail\r\n"
               "Message-ID: <bounce@mail.example.com>\r\n"
               "Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n--r\r\n"
               "Content-Type: text/plain\r\n\r\nDelivery failed.\r\n--r--\r\n")
        wait_for("both to be read", lambda: not unseen())
        check(len(tickets()) == 1, "no ticket from automatic mail")

        # Killed between ingesting and marking seen: the message is unseen again after the restart.
        append(CUSTOMER_MAIL.format(n=2).replace("Probl=E8me_de_facture", "Deuxi=E8me_demande"))
        wait_for("the second ticket", lambda: len(tickets()) == 2)
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
        conn = imap()
        _, found = conn.uid("SEARCH", "ALL")
        newest = found[0].split()[-1]
        conn.uid("STORE", newest, "-FLAGS", "(\\Seen)")
        conn.logout()
        check(unseen() == [newest], "the last message looks unprocessed")
        server = scenario.Server(data_dir=data, extra_env=env, args=args)
        wait_for("the restarted poller to read it", lambda: not unseen())
        check(len(tickets()) == 2, "no duplicate ticket after the restart")
        print(f"mail_imap.py: all {scenario.PASSED} checks passed", flush=True)
    except Exception:
        print("==== server log (tail)\n" + server.logs()[-4000:], file=sys.stderr)
        raise
    finally:
        if server.proc.poll() is None:
            server.stop()


if __name__ == "__main__":
    main()
