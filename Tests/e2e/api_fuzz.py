#!/usr/bin/env python3
"""The OpenAPI document fuzzed by schemathesis against the real binary.

Usage: api_fuzz.py PATH_TO_HELPDESK   (run with the python of a venv holding schemathesis 4.x)
Starts `helpdesk serve` (SQLite, a bootstrap admin), then runs schemathesis on /api/v1/openapi.json as the admin:
every operation, positive and negative examples, all checks (no 5xx, status codes, content types, headers and
bodies as documented, invalid input refused) except `positive_data_acceptance`, since the document cannot say
everything a route requires (a cursor it issued, a time zone it knows, an id that exists): a 422 for such data is
documented and correct; and `use_after_free`, since DELETE on a notification template resets it to the built-in
one, which GET then answers (200, `customized: false`) as documented. The budget is fixed below so every run tries
the same cases.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenario  # noqa: E402

BINARY = sys.argv[1]
MAX_EXAMPLES = 25
SEED = 20261126
HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    with tempfile.TemporaryDirectory() as root:
        server = scenario.Server(root, extra_env={
            "HELPDESK_BOOTSTRAP_ADMIN_EMAIL": "admin@example.com",
            "HELPDESK_BOOTSTRAP_ADMIN_PASSWORD": "admin-password",
            # The limiter is on (its headers are checked against the document) but never refuses the fuzzer.
            "HELPDESK_RATE_LIMITS": "user=1000000/60 anonymous=1000000/60 auth=1000000/60",
        })
        try:
            token = scenario.login(server, "admin@example.com", "admin-password")["access_token"]
            config = os.path.join(root, "schemathesis.toml")
            with open(config, "w") as f:
                f.write(f'hooks = "{os.path.join(HERE, "schemathesis", "hooks.py")}"\n\n'
                        "# A body that breaks the document may also be refused for its size before it is read.\n"
                        "[checks.negative_data_rejection]\n"
                        'expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "413", "415",'
                        ' "422", "428", "429"]\n')
            st = os.path.join(os.path.dirname(sys.executable), "st")
            base = f"http://127.0.0.1:{server.port}"
            command = [st, "--config-file", config, "run", f"{base}/api/v1/openapi.json", "--url", base,
                       "--checks", "all", "--exclude-checks", "positive_data_acceptance,use_after_free",
                       "-H", f"Authorization: Bearer {token}", "--max-examples", str(MAX_EXAMPLES),
                       "--seed", str(SEED), "--continue-on-failure", "--workers", "2", "--no-color"]
            print("api_fuzz:", " ".join(c if not c.startswith("Authorization") else "Authorization: Bearer …"
                                        for c in command), flush=True)
            result = subprocess.run(command, timeout=1800)
            if result.returncode != 0:
                print(server.logs()[-4000:], file=sys.stderr)
                sys.exit(f"api_fuzz: schemathesis found failures (exit {result.returncode})")
            print("api_fuzz: no server error and no response off the document")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
