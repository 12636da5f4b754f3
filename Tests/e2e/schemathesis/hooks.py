import ast
import threading

import schemathesis

# CPython 3.11 builds Python AST objects with one recursion counter per interpreter, so two threads in ast.parse
# at once can fail with "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905).
# Hypothesis parses lambda sources to describe its strategies, and the run has two worker threads: one parse at
# a time keeps that race out of the results.
_parse = ast.parse
_parse_lock = threading.Lock()


def _parse_one_at_a_time(*args, **kwargs):
    with _parse_lock:
        return _parse(*args, **kwargs)


ast.parse = _parse_one_at_a_time

# message/rfc822 bodies are bytes, like application/octet-stream.
schemathesis.serializer.alias("message/rfc822", "application/octet-stream")
