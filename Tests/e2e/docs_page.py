#!/usr/bin/env python3
"""The interactive API documentation page (/docs) in headless Chromium against the real binary.

Usage: docs_page.py PATH_TO_HELPDESK
Needs selenium: run it through scripts/with-browser (it re-executes itself with HELPDESK_TOOLS_PYTHON), or with a
python that has it. Starts `helpdesk serve` on a free loopback port (SQLite in a temp dir, an admin bootstrapped
from the environment), serving the UI and the OpenAPI document from the binary's resources; HELPDESK_E2E_WEB_ROOT=
<folder> serves that folder as the web root instead (for working on the page).

Checks: the page loads the document with no console error (CSP violations included) and shows its title, version
and every operation grouped by tag; the filter; an operation's view (endpoint, auth, parameters with enum and
range, the request body's schema tree, responses); deep links and an unknown one; the document failing to load
and the retry; "Try it" without a token (401 problem), signing in through the page, GET /users/me (200, the
body, X-Request-Id and RateLimit-* headers), the token surviving a reload, an expired token refreshed before
sending, a bad POST /tickets (422 with its field list), a good one (201), a multipart upload to /files; the dark
theme; 375 px (no horizontal scroll, the drawer). Screenshots: e2e/screenshots/docs.png and docs-dark-mobile.png.
Exits non-zero on the first failure.
"""
import base64
import json
import os
import re
import sys
import tempfile
import time
import urllib.request

try:
    import selenium  # noqa: F401
except ImportError:
    tools = os.environ.get("HELPDESK_TOOLS_PYTHON")
    if not tools or os.environ.get("HELPDESK_E2E_REEXEC"):
        sys.exit("docs_page.py: selenium is missing; run it through scripts/with-browser")
    os.environ["HELPDESK_E2E_REEXEC"] = "1"
    os.execv(tools, [tools] + sys.argv)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (ElementClickInterceptedException, ElementNotInteractableException,  # noqa: E402
                                        StaleElementReferenceException, TimeoutException)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

if len(sys.argv) != 2:
    sys.exit("usage: docs_page.py PATH_TO_HELPDESK")
sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenario  # noqa: E402
from scenario import check  # noqa: E402

scenario.BINARY = sys.argv[1]
scenario.DATABASE_URL = None
CHROMIUM = os.environ.get("HELPDESK_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("HELPDESK_CHROMEDRIVER", "/usr/bin/chromedriver")
WEB_ROOT = os.environ.get("HELPDESK_E2E_WEB_ROOT")
SHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "e2e", "screenshots")
TIMEOUT = 15
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin-password-1"
METHODS = ["get", "post", "put", "patch", "delete", "options", "head", "trace"]


class Page:
    """One headless Chromium on the docs page, and the console entries it has produced."""

    def __init__(self, base):
        self.base = base
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,900", "--lang=en-US", "--hide-scrollbars"):
            opts.add_argument(arg)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.console = []
        self.scheme("light")
        self.size("desktop")

    def scheme(self, value):
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                    {"features": [{"name": "prefers-color-scheme", "value": value}]})

    def size(self, kind):
        metrics = {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True} if kind == "mobile" \
            else {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)

    def open(self, path):
        self.driver.get(self.base + path)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, what, condition, timeout=TIMEOUT):
        try:
            result = WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                                   ignored_exceptions=(StaleElementReferenceException,)).until(condition)
        except TimeoutException:
            text = self.js("return document.body ? document.body.innerText.slice(0, 2000) : ''")
            raise AssertionError(f"timed out after {timeout}s waiting for {what} on {self.driver.current_url}\n"
                                 f"page text: {text}\nconsole: {self.drain()}")
        check(result, what)
        return result

    def element(self, what, css):
        def find(d):
            for el in d.find_elements(By.CSS_SELECTOR, css):
                if el.is_displayed():
                    return el
            return None
        return self.wait(what, find)

    def text(self, what, css, text):
        """Waits until an element matching css contains `text`; returns that text."""
        return self.wait(what, lambda d: d.execute_script(
            "const e = [...document.querySelectorAll(arguments[0])].find((x) => x.textContent.includes(arguments[1]));"
            "return e ? e.textContent : null", css, text))

    def click(self, what, css):
        def attempt(d):
            for el in d.find_elements(By.CSS_SELECTOR, css):
                if el.is_displayed() and el.is_enabled():
                    # Centred, so the sticky top bar never covers it.
                    self.js("arguments[0].scrollIntoView({block: 'center'})", el)
                    try:
                        el.click()
                    except (ElementClickInterceptedException, ElementNotInteractableException):
                        return False  # still moving (the drawer sliding in): try again
                    return True
            return False
        self.wait(f"clicking {what}", attempt)

    def fill(self, css, text):
        el = self.element(f"field {css}", css)
        el.clear()
        el.send_keys(text)
        return el

    def set_value(self, css, text):
        """Sets a (large) field's value at once, as typing would, then fires `input`."""
        self.element(f"field {css}", css)
        self.js("const e = document.querySelector(arguments[0]); e.value = arguments[1];"
                "e.dispatchEvent(new Event('input', {bubbles: true}))", css, text)

    def drain(self):
        try:
            self.console += self.driver.get_log("browser")
        except Exception as error:  # best effort while reporting another failure
            return [f"(no log: {error})"]
        return self.console

    def console_clean(self, step, expected=()):
        """Fails on any SEVERE console entry (JS error, CSP violation, failed request) except those matching one of
        `expected`, regexes on the message; returns how many expected entries were seen."""
        bad, seen = [], 0
        entries, self.console = self.drain(), []
        for entry in entries:
            if entry["level"] != "SEVERE":
                continue
            message = entry.get("message", "")
            if any(re.search(pattern, message) for pattern in expected):
                seen += 1
            else:
                bad.append(message)
        check(not bad, f"console errors after {step}: {json.dumps(bad, indent=1)}")
        return seen

    def failed(self, path, status):
        """The console line of a request the step makes fail on purpose."""
        return rf"{re.escape(self.base)}{re.escape(path)}(\?\S*)? .*status of {status}"

    def no_horizontal_scroll(self, what):
        width, inner = self.js("return [document.documentElement.scrollWidth, window.innerWidth]")
        check(inner == 375, f"{what}: the viewport is 375 px wide ({inner})")
        check(width <= inner, f"{what}: no horizontal scroll at 375 px (scrollWidth {width})")

    def screenshot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))")
        file = os.path.join(SHOTS, name)
        check(self.driver.save_screenshot(file) and os.path.getsize(file) > 5000, f"screenshot {file}")

    def quit(self):
        try:
            self.driver.quit()
        except Exception:
            pass


# ---------------------------------------------------------------------------------------------------------
# The document, read as the page reads it

class Document:
    def __init__(self, doc):
        self.doc = doc
        self.ops = []
        used = set()
        for path, item in doc["paths"].items():
            item = self.deref(item)
            for method in METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                op_id = op.get("operationId") or method + re.sub(r"[^A-Za-z0-9]+", "_", path)
                while op_id in used:
                    op_id += "_"
                used.add(op_id)
                tags = op.get("tags") or ["other"]
                params = {}
                for raw in item.get("parameters", []) + op.get("parameters", []):
                    p = self.deref(raw)
                    params[(p.get("in"), p.get("name"))] = p
                self.ops.append({"id": op_id, "method": method, "path": path, "op": op, "tags": tags,
                                 "params": list(params.values()),
                                 "haystack": " ".join(str(x) for x in [method, path, op.get("summary"),
                                                                       op.get("operationId"), op_id, *tags]
                                                      if x).lower()})

    def deref(self, node, seen=()):
        while isinstance(node, dict) and "$ref" in node and node["$ref"] not in seen:
            seen = seen + (node["$ref"],)
            target = self.doc
            for part in node["$ref"][2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def find(self, method, suffix):
        """The operation whose path ends with `suffix` (paths may or may not carry the /api/v1 prefix)."""
        for entry in self.ops:
            if entry["method"] == method and (entry["path"] == suffix or entry["path"].endswith(suffix)
                                              and entry["path"][:-len(suffix)] in ("", "/api/v1")):
                return entry
        raise AssertionError(f"the OpenAPI document has no {method.upper()} …{suffix}")

    def first_param(self, predicate):
        for entry in self.ops:
            for p in entry["params"]:
                schema = self.deref(p.get("schema") or {})
                if predicate(p, schema):
                    return entry, p, schema
        return None, None, None


def link(entry):
    return f".dx-op-link[data-op='{entry['id']}']"


# ---------------------------------------------------------------------------------------------------------
# Steps

def loads(b, doc):
    b.open("/docs")
    b.element("the operation list", ".dx-op-link")
    info = doc.doc.get("info", {})
    b.text("the API title in the header", "#api-title", info.get("title", ""))
    if info.get("version"):
        check(b.js("return document.getElementById('api-version').textContent") == f"v{info['version']}",
              "the API version in the header")
    b.element("the overview", "[data-testid=overview]")
    pairs = sum(len(e["tags"]) for e in doc.ops)
    check(b.js("return document.querySelectorAll('.dx-op-link').length") == pairs,
          f"every operation is listed under each of its tags ({pairs})")
    tags = {t for e in doc.ops for t in e["tags"]}
    listed = set(b.js("return [...document.querySelectorAll('.dx-group')].map((g) => g.dataset.tag)"))
    check(listed == tags, f"one group per tag: {sorted(listed)} vs {sorted(tags)}")
    methods = b.js("return [...document.querySelectorAll('.dx-op-link .dx-method')].map((m) => m.className)")
    check(all(re.search(r"\bdx-m-(get|post|put|patch|delete|options|head|trace)\b", m) for m in methods),
          "every operation has a method badge with its colour class")
    check(b.js("return document.documentElement.dataset.theme") == "light", "light theme for a light system")
    check(b.js("return getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)",
          "the app's tokens apply (light background)")
    check(b.js("return !!document.querySelector('link[href=\"/css/tokens.css\"]')"), "the app's tokens are used")
    b.console_clean("loading /docs")


def filters(b, doc):
    def visible():
        return b.js("return [...document.querySelectorAll('.dx-op-link')]"
                    ".filter((a) => a.offsetParent !== null).map((a) => a.dataset.op)")
    everything = len(visible())
    term = "users/me"
    expected = sorted({e["id"] for e in doc.ops if term in e["haystack"]})
    check(expected, "the document has operations on /users/me")
    b.fill("#filter", term)
    b.wait("the filter keeps only matching operations", lambda d: sorted(set(visible())) == expected)
    check(all(not g.is_displayed() for g in b.driver.find_elements(By.CSS_SELECTOR, ".dx-group")
              if not g.find_elements(By.CSS_SELECTOR, "li:not([hidden]) .dx-op-link")), "empty groups are hidden")
    me = doc.find("get", "/users/me")
    summary = (me["op"].get("summary") or "").split()[0].lower() if me["op"].get("summary") else None
    if summary:
        b.fill("#filter", summary)
        b.wait("the filter matches summaries", lambda d: me["id"] in visible())
    b.fill("#filter", me["id"].lower())
    b.wait("the filter matches operation ids", lambda d: me["id"] in visible())
    b.fill("#filter", "no-such-operation-anywhere")
    b.element("the no-match message", "#filter-empty")
    check(visible() == [], "no operation shown for a term that matches nothing")
    b.element("the filter", "#filter").send_keys(Keys.ESCAPE)
    b.wait("Escape clears the filter", lambda d: len(visible()) == everything)
    b.console_clean("filtering")


def operation_view(b, doc):
    me = doc.find("get", "/users/me")
    b.click("the GET /users/me link", link(me))
    b.wait("the hash names the operation", lambda d: d.execute_script("return location.hash") == f"#{me['id']}")
    title = me["op"].get("summary") or f"GET {me['path']}"
    b.text("the operation's title", "#op-title", title)
    endpoint = b.element("the endpoint", "[data-testid=endpoint]").text
    check("GET" in endpoint and me["path"] in endpoint, f"method and path shown: {endpoint!r}")
    check(b.js("return document.querySelector('[data-testid=auth-required]').dataset.required") == "true",
          "GET /users/me says it needs a token")
    check(b.js(f"return document.querySelector(\"{link(me)}\").getAttribute('aria-current')") == "page",
          "the sidebar marks the open operation")
    for status in me["op"].get("responses", {}):
        b.element(f"the {status} response", f".dx-resp[data-status='{status}']")
    if me["op"].get("description"):
        first = me["op"]["description"].strip().split("\n")[0].split("`")[0][:30].strip()
        if first:
            b.text("the description", ".dx-op .dx-prose", first)

    # A parameter with an enum, and one with a range, as the document defines them.
    entry, p, schema = doc.first_param(lambda p, s: p.get("in") == "query" and s.get("enum"))
    check(entry, "the document has a query parameter with an enum")
    b.open(f"/docs#{entry['id']}")
    row = b.element(f"the {p['name']} parameter row", f"[data-testid=parameters] tr[data-param='{p['name']}']")
    shown = b.js("return [...arguments[0].querySelectorAll('.sch-enum')].map((e) => e.textContent)", row)
    check(shown == [v if isinstance(v, str) else json.dumps(v) for v in schema["enum"] if v is not None],
          f"{p['name']}: every enum value shown ({shown})")
    check(row.find_element(By.CSS_SELECTOR, "td[data-label=In]").text == "query", "the parameter's place")
    entry, p, schema = doc.first_param(lambda p, s: "minimum" in s and "maximum" in s)
    if entry:
        b.open(f"/docs#{entry['id']}")
        row = b.element(f"the {p['name']} parameter row", f"[data-testid=parameters] tr[data-param='{p['name']}']")
        check(f"{schema['minimum']}–{schema['maximum']}" in row.text, f"{p['name']}: its range shown ({row.text!r})")
    b.console_clean("reading operations")


def body_tree(b, doc):
    create = doc.find("post", "/tickets")
    b.open(f"/docs#{create['id']}")
    body = b.element("the request body", "[data-testid=request-body]")
    subject = body.find_element(By.CSS_SELECTOR, ".sch-prop[data-name=subject]")
    check("required" in subject.text, "the request body tree marks subject required")
    check("string" in subject.text, "the request body tree shows types")
    if "priority" in b.js("return [...arguments[0].querySelectorAll('.sch-prop')].map((p) => p.dataset.name)", body):
        priority = body.find_element(By.CSS_SELECTOR, ".sch-prop[data-name=priority]")
        check(len(priority.find_elements(By.CSS_SELECTOR, ".sch-enum")) >= 2, "priority's values are listed")
    body_area = b.element("the JSON body editor", "#try-body")
    prefilled = body_area.get_attribute("value")
    check(json.loads(prefilled).get("subject") is not None, f"the body is prefilled with a subject: {prefilled!r}")
    b.open("/docs#no-such-operation")
    b.element("an unknown operation says so", "[data-testid=missing]")
    b.console_clean("the request body tree")


def load_failure(b):
    b.driver.execute_cdp_cmd("Network.enable", {})
    b.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/api/v1/openapi.json"]})
    b.open("/docs")
    b.element("the load error state", "[data-testid=load-error]")
    b.text("the error says why", "[data-testid=load-error]", "could not be reached")
    b.console_clean("a failed load", expected=[r"openapi\.json.*ERR_BLOCKED_BY_CLIENT"])
    b.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    b.click("Try again", "[data-testid=load-error] button")
    b.element("the overview after the retry", "[data-testid=overview]")
    b.console_clean("the retry")


def send(b, expect):
    b.click("Send", "#try-send")
    return b.text(f"the {expect} status", "#try-result [data-testid=status]", str(expect))


def try_it(b, doc, server):
    me = doc.find("get", "/users/me")
    b.open(f"/docs#{me['id']}")
    b.text("the no-token warning", "[data-testid=try-auth]", "No token")
    send(b, 401)
    b.element("the problem", "#try-result [data-testid=problem]")
    check(b.console_clean("Try it without a token", expected=[b.failed("/api/v1/users/me", 401)]) == 1,
          "the 401 shows in the console log")

    # Sign in through the page.
    b.click("Authorize", "#auth-toggle")
    b.fill("#auth-email", ADMIN_EMAIL)
    b.fill("#auth-password", "wrong-password")
    b.click("Sign in", "#auth-submit")
    b.text("the refused sign-in", "#auth-message.dx-msg-error", "401")
    b.console_clean("a wrong password", expected=[b.failed("/api/v1/auth/login", 401)])
    b.fill("#auth-password", ADMIN_PASSWORD)
    b.click("Sign in", "#auth-submit")
    b.text("signed in", "#auth-message", "Signed in as")
    b.text("the header says who is signed in", "#auth-toggle-label", ADMIN_EMAIL)
    stored = json.loads(b.js("return sessionStorage.getItem('helpdesk.docs.auth')") or "null")
    check(stored and stored["token"].count(".") == 2, "the access token is kept in sessionStorage")
    check(not b.js("return localStorage.getItem('helpdesk.docs.auth')"), "and not in localStorage")
    b.text("Try it says a token is sent", "[data-testid=try-auth]", "Sends your token")

    status, _, headers = server.call("GET", "/api/v1/users/me", token=stored["token"])
    rate_limited = any(k.lower() == "ratelimit-limit" for k in headers)
    send(b, 200)
    body = b.element("the response body", "#try-response-body").text
    check(json.loads(body)["email"] == ADMIN_EMAIL, "GET /users/me answers the signed-in admin")
    names = b.js("return [...document.querySelectorAll('[data-testid=response-headers] tr')].map((r) => r.dataset.header)")
    check("x-request-id" in names and names.index("x-request-id") == 0, f"X-Request-Id shown first: {names}")
    if rate_limited:
        check({"ratelimit-limit", "ratelimit-remaining"} <= set(names), f"RateLimit-* headers shown: {names}")
    check(re.fullmatch(r"\d+ ms", b.element("the duration", "[data-testid=duration]").text), "the duration shown")
    curl = b.js("return document.getElementById('try-curl').textContent")
    check("Authorization: Bearer " in curl and "/users/me" in curl, f"the curl command: {curl[:80]}")
    b.console_clean("Try it signed in")
    b.screenshot("docs.png")

    b.driver.refresh()
    b.element("the operation after a reload", "[data-testid=endpoint]")
    check(b.js("return document.getElementById('auth-toggle').dataset.state") == "set", "the token survives a reload")

    # An expired access token with the refresh token of a sign-in: Send refreshes the pair first.
    pair = scenario.login(server, ADMIN_EMAIL, ADMIN_PASSWORD)
    claims = base64.urlsafe_b64encode(json.dumps({"exp": 1, "role": "admin"}).encode()).decode().rstrip("=")
    expired = f"eyJhbGciOiJub25lIn0.{claims}.x"
    b.js("sessionStorage.setItem('helpdesk.docs.auth', JSON.stringify({token: arguments[0], refresh_token: arguments[1],"
         " email: arguments[2]}))", expired, pair["refresh_token"], ADMIN_EMAIL)
    b.driver.refresh()
    b.wait("an expired token is flagged", lambda d: d.execute_script(
        "return document.getElementById('auth-toggle').dataset.state") == "expired")
    send(b, 200)
    renewed = json.loads(b.js("return sessionStorage.getItem('helpdesk.docs.auth')"))
    check(renewed["token"] != expired and renewed["refresh_token"] != pair["refresh_token"],
          "Send refreshed the expired token first")
    check(b.js("return document.getElementById('auth-toggle').dataset.state") == "set", "the header shows it fresh")
    b.console_clean("a refreshed token")

    # A bad POST and a good one.
    create = doc.find("post", "/tickets")
    b.element("the sidebar", link(create))
    b.click("the POST /tickets link", link(create))
    b.element("the JSON body editor", "#try-body")
    b.set_value("#try-body", json.dumps({"subject": "", "description": "The printer is on fire."}))
    send(b, 422)
    errors = b.js("return [...document.querySelectorAll('[data-testid=field-errors] li')]"
                  ".map((li) => [li.dataset.field, li.querySelector('.dx-field-message').textContent])")
    check(any(field == "subject" and message for field, message in errors), f"the 422 names subject: {errors}")
    b.console_clean("a bad POST", expected=[b.failed("/api/v1/tickets", 422)])
    b.set_value("#try-body", "{not json")
    b.text("invalid JSON is flagged", "#try-body-check", "Not valid JSON")
    b.set_value("#try-body", json.dumps({"subject": "Filed from /docs", "description": "Created by docs_page.py."}))
    send(b, 201)
    check(json.loads(b.element("the response body", "#try-response-body").text)["subject"] == "Filed from /docs",
          "POST /tickets created the ticket")
    b.console_clean("a good POST")

    # A multipart upload.
    upload = doc.find("post", "/files")
    b.open(f"/docs#{upload['id']}")
    types = b.js("const s = document.getElementById('try-content-type'); return s ? [...s.options].map((o) => o.value) : null")
    if types:
        multipart = [t for t in types if t.startswith("multipart/form-data")]
        check(multipart, f"the upload offers multipart/form-data: {types}")
        Select(b.element("the content type", "#try-content-type")).select_by_value(multipart[0])
    file_input = b.element("the file input", ".dx-form-fields input[type=file]")
    path = os.path.join(tempfile.mkdtemp(prefix="docs-upload-"), "docs-page-note.txt")
    with open(path, "w") as f:
        f.write("Uploaded through the API reference page.\n")
    file_input.send_keys(path)
    send(b, 201)
    check(json.loads(b.element("the response body", "#try-response-body").text)["filename"] == "docs-page-note.txt",
          "the upload answers the stored file")
    b.console_clean("a multipart upload")


def dark_and_mobile(b, doc):
    me = doc.find("get", "/users/me")
    create = doc.find("post", "/tickets")
    b.scheme("dark")
    b.size("mobile")
    b.open("/docs")
    b.element("the overview", "[data-testid=overview]")
    check(b.js("return document.documentElement.dataset.theme") == "dark", "dark theme for a dark system")
    check(b.js("return getComputedStyle(document.body).backgroundColor") != "rgb(255, 255, 255)", "dark background")
    b.no_horizontal_scroll("the overview")
    check(not b.js(f"return document.querySelector(\"{link(me)}\").getBoundingClientRect().right > 0"),
          "at 375 px the sidebar is a closed drawer")
    b.click("the operations button", "#nav-toggle")
    b.wait("the drawer slides in", lambda d: d.execute_script(
        "return document.getElementById('sidebar').getBoundingClientRect().left === 0"))
    b.click("the POST /tickets link in the drawer", link(create))
    b.wait("the drawer closes on a choice", lambda d: not d.execute_script(
        "return document.body.classList.contains('dx-nav-open')"))
    b.element("the JSON body editor", "#try-body")
    b.no_horizontal_scroll("an operation")
    b.open(f"/docs#{me['id']}")
    send(b, 200)
    b.no_horizontal_scroll("a response")
    b.element("the response body", "#try-response-body")
    b.screenshot("docs-dark-mobile.png")
    b.console_clean("dark, 375 px")


def main():
    started = time.time()
    data = tempfile.mkdtemp(prefix="helpdesk-docs-")
    env = {"HELPDESK_BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL,
           "HELPDESK_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD}
    server = scenario.Server(data, extra_env=env, args=["--web-root", WEB_ROOT] if WEB_ROOT else [])
    page = None
    try:
        status, document, headers = server.call("GET", "/api/v1/openapi.json")
        check(status == 200 and isinstance(document, dict) and document.get("paths"),
              f"GET /api/v1/openapi.json answers a document with paths: {status}")
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/docs", timeout=30) as response:
            csp = response.headers.get("Content-Security-Policy", "")
            check(response.status == 200 and response.headers.get_content_type() == "text/html",
                  "GET /docs answers the page")
            check("script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp,
                  f"the page is served under the strict CSP: {csp}")
        doc = Document(document)
        base = f"http://127.0.0.1:{server.port}"
        page = Page(base)
        loads(page, doc)
        filters(page, doc)
        operation_view(page, doc)
        body_tree(page, doc)
        load_failure(page)
        try_it(page, doc, server)
        dark_and_mobile(page, doc)
        page.quit()
        page = None
        check(server.stop() == 0, "the server stops cleanly")
    except BaseException:
        print(server.logs()[-4000:], file=sys.stderr)
        if page:
            page.quit()
        server.stop()
        raise
    print(f"docs_page: {scenario.PASSED} checks passed in {time.time() - started:.0f}s; screenshots in {SHOTS}")


if __name__ == "__main__":
    main()
