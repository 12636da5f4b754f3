#!/usr/bin/env python3
"""A throwaway SMTP server for tests (aiosmtpd): every message lands in a Maildir.

Usage: smtp_sink.py PORT MAILDIR [--starttls CERT KEY] [--auth USER:PASSWORD] [--pipelining]
With --starttls the server offers STARTTLS and requires it; with --auth it requires AUTH (PLAIN, LOGIN); with
--pipelining it advertises PIPELINING (aiosmtpd reads commands line by line, so pipelined ones just work).
Runs until SIGTERM or SIGINT.
"""
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult


class PipeliningMailbox(Mailbox):
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return responses[:-1] + ["250-PIPELINING", responses[-1]]


def main():
    port, maildir = int(sys.argv[1]), sys.argv[2]
    args = sys.argv[3:]
    options = {}
    if "--starttls" in args:
        i = args.index("--starttls")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args[i + 1], args[i + 2])
        options.update(tls_context=context, require_starttls=True)
    if "--auth" in args:
        user, password = args[args.index("--auth") + 1].split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = getattr(auth_data, "login", None) == user.encode() and getattr(auth_data, "password", None) == password.encode()
            return AuthResult(success=ok, handled=False)

        options.update(authenticator=authenticator, auth_required=True,
                       auth_require_tls="--starttls" in args)
    handler = PipeliningMailbox(maildir) if "--pipelining" in args else Mailbox(maildir)
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    print(f"smtp_sink: listening on 127.0.0.1:{port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
