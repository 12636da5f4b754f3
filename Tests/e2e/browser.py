#!/usr/bin/env python3
"""The web UI end to end in a real browser (headless Chromium driven by Selenium) against the real binary.

Usage: browser.py PATH_TO_HELPDESK [DATABASE_URL REDIS_URL]
Needs HELPDESK_TOOLS_PYTHON with `selenium` and HELPDESK_CHROMIUM / HELPDESK_CHROMEDRIVER (scripts/with-browser sets
them); re-executes itself with that python. The server runs WITHOUT --web-root, so the UI must be bundled in the
binary's resources; HELPDESK_E2E_WEB_ROOT=<folder> serves that folder instead (for working on the UI).

Three browsers at once: the admin (first-run setup, invites an agent in Admin › Users), the agent (signs in, sees
the customer's request arrive live, replies and adds an internal note) and the customer (registers, opens a request
with an attachment, sees the reply live and never the note). Then the theme and language switches on /profile, no
horizontal scroll at 375 px, and screenshots of the main screens (light and dark, 1280 and 375 px wide) into
e2e/screenshots/. Every step fails on a JavaScript error or an unexpected failed request in any browser console.
"""
import json
import os
import re
import sys
import tempfile
import time

try:
    import selenium  # noqa: F401
except ImportError:
    tools = os.environ.get("HELPDESK_TOOLS_PYTHON")
    if not tools or os.environ.get("HELPDESK_E2E_REEXEC"):
        sys.exit("browser.py: selenium is missing; run it through scripts/with-browser")
    os.environ["HELPDESK_E2E_REEXEC"] = "1"
    os.execv(tools, [tools] + sys.argv)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenario  # noqa: E402
from scenario import check  # noqa: E402

scenario.BINARY = sys.argv[1]
scenario.DATABASE_URL = sys.argv[2] if len(sys.argv) > 2 else None
REDIS_URL = sys.argv[3] if len(sys.argv) > 3 else None
CHROMIUM = os.environ.get("HELPDESK_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("HELPDESK_CHROMEDRIVER", "/usr/bin/chromedriver")
WEB_ROOT = os.environ.get("HELPDESK_E2E_WEB_ROOT")
SHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "e2e", "screenshots")
TIMEOUT = 15
# Installed in every page before its own scripts: records error toasts and error states (ui.js `toast(…, 'error')`,
# `failure()`), which the app shows instead of throwing, so a step that "worked" on screen but told the user it failed
# is caught even when the message is gone by the time the step ends.
WATCH_ERRORS = """
(() => {
  const seen = [];
  Object.defineProperty(window, '__e2eErrors', { value: seen });
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) {
      if (n.nodeType !== 1) continue;
      for (const el of [n, ...n.querySelectorAll('.toast-error, .state-error')]) {
        if (el.matches('.toast-error, .state-error')) seen.push(`${el.className}: ${el.textContent}`);
      }
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""

ADMIN = {"name": "Ada Admin", "email": "admin@example.com", "password": "admin-password-1"}
AGENT = {"name": "Al Agent", "email": "agent@example.com", "password": "agent-password-1"}
CUSTOMER = {"name": "Carol Customer", "email": "carol@example.com", "password": "customer-password-1"}
SUBJECT = "Printer on fire"
DESCRIPTION = "The office printer shows error E-42 and smells of smoke."
ATTACHMENT = "printer-log.txt"
REPLY = "Thanks Carol, please unplug it; a technician is on the way."
NOTE = "Internal: vendor contract 7781, do not share with the customer."
FOLLOW_UP = "The technician will arrive at 3 pm."


class Browser:
    """One Chromium with its own profile (a separate person), and the console entries it has produced."""

    def __init__(self, who, base):
        self.who, self.base = who, base
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,900", "--lang=en-US", "--hide-scrollbars"):
            opts.add_argument(arg)
        opts.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.console = []  # entries read from the browser and not yet judged by console_clean
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_ERRORS})
        # "System" theme means light here, whatever the machine prefers.
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                    {"features": [{"name": "prefers-color-scheme", "value": "light"}]})
        self.size("desktop")

    def open(self, path):
        self.driver.get(self.base + path)

    def path(self):
        return self.js("return location.pathname")

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, what, condition, timeout=TIMEOUT):
        """Waits until condition(driver) is truthy; fails with `what` and the page's state otherwise."""
        try:
            result = WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                                   ignored_exceptions=(StaleElementReferenceException,)).until(condition)
        except TimeoutException:
            text = self.js("return document.body ? document.body.innerText.slice(0, 1500) : ''")
            raise AssertionError(f"[{self.who}] timed out after {timeout}s waiting for {what} "
                                 f"on {self.driver.current_url}\npage text: {text}\nconsole: {self.drain()}")
        check(result, what)
        return result

    def element(self, what, css, timeout=TIMEOUT):
        """The first element matching css, once it is displayed."""
        def find(d):
            for el in d.find_elements(By.CSS_SELECTOR, css):
                if el.is_displayed():
                    return el
            return None
        return self.wait(what, find, timeout)

    def with_text(self, what, css, text, timeout=TIMEOUT):
        """The first element matching css whose text contains `text` (queried atomically in the page)."""
        return self.wait(what, lambda d: d.execute_script(
            "return [...document.querySelectorAll(arguments[0])]"
            ".find((e) => e.textContent.includes(arguments[1])) || null", css, text), timeout)

    def click(self, what, css, timeout=TIMEOUT):
        """Clicks the first displayed element matching css; a re-render between finding and clicking retries."""
        def attempt(d):
            for el in d.find_elements(By.CSS_SELECTOR, css):
                if el.is_displayed() and el.is_enabled():
                    el.click()
                    return True
            return False
        self.wait(f"clicking {what}", attempt, timeout)

    def at(self, path, timeout=TIMEOUT):
        self.wait(f"location {path}", lambda d: d.execute_script("return location.pathname") == path, timeout)

    def fill(self, css, text):
        el = self.element(f"field {css}", css)
        el.clear()
        el.send_keys(text)
        return el

    def mark(self):
        """Marks the document: still marked later means the page was not reloaded in between."""
        self.js("window.__e2eMark = 'same-document'")

    def still_marked(self, what):
        check(self.js("return window.__e2eMark") == "same-document", f"[{self.who}] {what} without a page reload")

    def size(self, kind):
        """desktop: a 1280 x 900 viewport; mobile: a 375 x 812 phone (meta viewport honoured, 2x pixels)."""
        metrics = {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True} if kind == "mobile" \
            else {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)

    def settle(self):
        """Two animation frames, and the fonts: what is on screen is what was laid out."""
        self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))")

    def no_horizontal_scroll(self, what):
        width, inner, wide = self.js(
            "const w = window.innerWidth;"
            "const wide = [...document.querySelectorAll('body *')].filter((e) => {"
            "  const r = e.getBoundingClientRect(); return r.width > 0 && r.right > w + 1;"
            "}).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}"
            ".${[...e.classList].join('.')} right=${Math.round(e.getBoundingClientRect().right)}`);"
            "return [document.documentElement.scrollWidth, w, wide];")
        check(inner == 375, f"[{self.who}] {what}: the viewport is 375 px wide (innerWidth {inner})")
        check(width <= inner, f"[{self.who}] {what}: no horizontal scroll at 375 px (scrollWidth {width}; "
                              f"overflowing: {wide})")

    def realtime_connected(self):
        """Whether the page's realtime socket is authenticated (the app's own store says so)."""
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "import('/js/core/store.js')"
            ".then((m) => done(m.store.get().connected === true), (e) => done(String(e)))") is True

    def read_console(self):
        """Everything the console logged so far (get_log hands each entry out once: keep them until judged)."""
        self.console += self.driver.get_log("browser")
        return self.console

    def drain(self):
        try:
            return self.read_console()
        except Exception as error:  # the log is best effort when reporting another failure
            return [f"(no log: {error})"]

    def console_clean(self, step, expected=()):
        """Fails on any SEVERE console entry (JS error, CSP violation, failed request) and on missing translations,
        except failed requests listed in `expected` as (path regex, status) — the ones the step causes on purpose.
        Returns how many expected entries were seen."""
        bad, seen = [], 0
        entries, self.console = self.read_console(), []
        for entry in entries:
            message = entry.get("message", "")
            if entry["level"] == "SEVERE":
                status = re.search(r"status of (\d{3})", message)
                if entry.get("source") == "network" and status and any(
                        re.search(rf"{re.escape(self.base)}{pattern}(\?\S*)? ", message)
                        and int(status.group(1)) == code for pattern, code in expected):
                    seen += 1
                    continue
                bad.append(message)
            elif "missing translation" in message:
                bad.append(message)
        check(not bad, f"[{self.who}] console errors after {step}: {json.dumps(bad, indent=1)}")
        shown = self.js("return window.__e2eErrors ? window.__e2eErrors.splice(0) : ['(the error watch is missing)']")
        check(not shown, f"[{self.who}] error messages shown during {step}: {shown}")
        return seen

    def quit(self):
        try:
            self.driver.quit()
        except Exception:
            pass


def screens(b, name, ready, mobile_scroll=True):
    """Screenshots of the current page, light and dark, 1280 and 375 px wide: <name>-<theme>-<size>.png.
    `ready()` waits for the page's content after each reload; at 375 px the page must not scroll sideways."""
    for theme in ("light", "dark"):
        b.js("localStorage.setItem('helpdesk.theme', arguments[0])", theme)
        for size in ("desktop", "mobile"):
            b.size(size)
            b.driver.refresh()
            ready()
            b.wait(f"{name}: the {theme} theme applied", lambda d: d.execute_script(
                "return document.documentElement.dataset.theme") == theme)
            if size == "mobile" and mobile_scroll:
                b.no_horizontal_scroll(f"{name} ({theme})")
            elif size == "desktop":
                check(b.js("return window.innerWidth") == 1280, f"{name}: desktop viewport is 1280 px")
            b.settle()
            b.console_clean(f"{name} ({theme}, {size})")
            b.js("document.getElementById('toasts')?.replaceChildren()")
            file = os.path.join(SHOTS, f"{name}-{theme}-{size}.png")
            check(b.driver.save_screenshot(file) and os.path.getsize(file) > 5000, f"screenshot {file}")
    b.size("desktop")
    b.js("localStorage.setItem('helpdesk.theme', 'light')")


def first_run_setup(admin):
    """1. A fresh server: / leads to the setup page; the first admin lands in the agent workspace."""
    admin.open("/")
    admin.at("/setup")
    admin.element("the setup card", "[data-testid=setup]")
    admin.console_clean("opening a fresh server")
    screens(admin, "setup", lambda: admin.element("the setup form", "#setup-name"))

    admin.fill("#setup-name", ADMIN["name"])
    admin.fill("#setup-email", ADMIN["email"])
    admin.fill("#setup-password", ADMIN["password"])
    admin.fill("#setup-password-confirm", ADMIN["password"] + "-typo")
    admin.click("setup submit", "#setup-submit")
    admin.wait("mismatched confirmation flagged on its field", lambda d: d.execute_script(
        "return document.getElementById('setup-password-confirm').getAttribute('aria-invalid') === 'true'"))
    check(admin.path() == "/setup", "a refused setup stays on /setup")
    admin.fill("#setup-password-confirm", ADMIN["password"])
    admin.click("setup submit", "#setup-submit")
    admin.at("/tickets")
    admin.element("the agent workspace's ticket list", "[data-testid=tickets-page]")
    admin.with_text("the admin's name in the top bar", "#user-menu", ADMIN["name"])
    admin.element("the admin section link", "a.topnav-link[data-section=admin]")
    admin.console_clean("first-run setup")


def invite_agent(admin):
    """2. Admin › Users: invite an agent with a password; the row appears."""
    admin.click("the admin section link", "a.topnav-link[data-section=admin]")
    admin.at("/admin/users")
    admin.with_text("the admin's own row", f"tr[data-testid=user-row][data-email='{ADMIN['email']}']", ADMIN["name"])
    admin.click("the invite button", "#invite-open")
    admin.element("the invite dialog", "dialog[open] #invite-email")
    admin.fill("#invite-name", AGENT["name"])
    admin.fill("#invite-email", AGENT["email"])
    Select(admin.element("the role select", "#invite-role")).select_by_value("agent")
    admin.fill("#invite-password", AGENT["password"])
    admin.click("the invite submit", "#invite-submit")
    admin.wait("the invite dialog closes", lambda d: not d.find_elements(By.CSS_SELECTOR, "dialog[open]"))
    row = f"tr[data-testid=user-row][data-email='{AGENT['email']}']"
    admin.with_text("the invited agent's row", row, AGENT["name"])
    admin.with_text("the invited agent's role", f"{row} [data-testid=user-role]", "Agent")
    admin.console_clean("inviting an agent")


def agent_signs_in(agent):
    """The agent signs in through the login page and waits on the ticket list (the realtime socket connected)."""
    agent.open("/tickets")
    agent.wait("a signed-out visit to /tickets goes to /login?next=", lambda d: d.execute_script(
        "return location.pathname === '/login' && new URLSearchParams(location.search).get('next') === '/tickets'"))
    agent.element("the login form", "[data-testid=login] #login-email")
    agent.console_clean("opening the login page")
    screens(agent, "login", lambda: agent.element("the login form", "#login-email"))
    agent.fill("#login-email", AGENT["email"])
    agent.fill("#login-password", "wrong-password")
    agent.click("login submit", "#login-submit")
    agent.with_text("the wrong-password message", "#login-form .au-message:not([hidden])",
                    "The email or password is incorrect.")
    check(agent.path() == "/login", "a wrong password stays on /login")
    check(agent.console_clean("a wrong password", expected=[("/api/v1/auth/login", 401)]) == 1,
          "the refused login shows in the console log (so the log is really read)")
    agent.fill("#login-password", AGENT["password"])
    agent.click("login submit", "#login-submit")
    agent.at("/tickets")
    agent.element("the ticket list", "[data-testid=tickets-page]")
    agent.with_text("the agent's name in the top bar", "#user-menu", AGENT["name"])
    check(not agent.js("return document.querySelector('a.topnav-link[data-section=admin]')"),
          "an agent has no admin link")
    agent.wait("the realtime socket connected", lambda d: agent.realtime_connected())
    agent.wait("the list has loaded (no spinner)", lambda d: d.execute_script(
        "return !document.querySelector('[data-testid=tickets-page] .tk-list-body [role=progressbar], "
        "[data-testid=tickets-page] .tk-list-body .spinner')"))
    check(not agent.js("return document.querySelector('tr[data-testid=ticket-row]')"), "no tickets yet")
    agent.mark()
    agent.console_clean("the agent signing in")


def customer_opens_request(customer, attachment):
    """3. A customer registers, lands on /requests, opens a request with an attachment and sees it."""
    customer.open("/register")
    customer.element("the registration form", "[data-testid=register] #register-name")
    customer.fill("#register-name", CUSTOMER["name"])
    customer.fill("#register-email", CUSTOMER["email"])
    customer.fill("#register-password", CUSTOMER["password"])
    customer.click("register submit", "#register-submit")
    customer.at("/requests")
    customer.element("the empty request list's call to action", "#requests-empty-new")
    customer.with_text("the customer's name in the top bar", "#user-menu", CUSTOMER["name"])
    check(not customer.js("return document.getElementById('global-search')"), "a customer has no ticket search")
    customer.console_clean("registering")

    customer.click("the new request button", "a.btn-new[href='/requests/new']")
    customer.at("/requests/new")
    customer.fill("#request-subject", SUBJECT)
    customer.fill("#request-description", DESCRIPTION)
    customer.driver.find_element(By.ID, "request-files").send_keys(attachment)
    customer.wait("the attachment uploaded", lambda d: d.execute_script(
        "const chip = [...document.querySelectorAll('[data-testid=attachment-chip]')]"
        ".find((c) => c.textContent.includes(arguments[0]));"
        "return chip && !chip.classList.contains('uploading')", ATTACHMENT))
    customer.click("request submit", "#request-submit")
    customer.wait("the new request's page", lambda d: re.fullmatch(r"/requests/\d+", d.execute_script(
        "return location.pathname")))
    number = int(customer.path().rsplit("/", 1)[1])
    customer.with_text("the request's subject", "#request-subject-title", SUBJECT)
    customer.with_text("the description in the conversation", "[data-testid=message][data-author=me]", DESCRIPTION)
    customer.with_text("the attachment on the request", "[data-testid=message] [data-testid=attachment]", ATTACHMENT)
    customer.mark()
    customer.console_clean("opening a request")
    return number


def agent_replies(agent, number):
    """4-5. The request appears in the agent's list without a reload; the agent replies and adds a note."""
    row = f"tr[data-testid=ticket-row][data-number='{number}']"
    agent.with_text("the new ticket appears in the list live", f"{row} [data-testid=ticket-link]", SUBJECT)
    agent.still_marked("the new ticket appeared")
    agent.with_text("the requester's name on the row", f"{row} .tk-requester", CUSTOMER["name"])
    check(agent.js(f"return document.querySelector(\"{row}\").dataset.status") == "new", "the row says new")
    agent.console_clean("the ticket arriving")

    agent.click("the ticket link", f"{row} [data-testid=ticket-link]")
    agent.at(f"/tickets/{number}")
    agent.with_text("the ticket's subject", "#ticket-subject", SUBJECT)
    agent.with_text("the requester in the header", "[data-testid=ticket-requester]", CUSTOMER["name"])
    agent.with_text("the description", "[data-testid=comment-public] .tk-msg-body", DESCRIPTION)
    agent.with_text("the customer's attachment",
                    "[data-testid=comment-public] [data-testid=attachment-download]", ATTACHMENT)
    agent.still_marked("the ticket opened from the list")

    def send(mode, text, testid):
        agent.click(f"the {mode} tab", f"#reply-{mode}")
        agent.wait(f"the editor in {mode} mode", lambda d: d.execute_script(
            "return document.querySelector('[data-testid=reply-form]').dataset.mode") == mode
            and d.find_element(By.ID, f"reply-{mode}").get_attribute("aria-selected") == "true")
        agent.fill("#reply-body", text)
        agent.click("reply submit", "#reply-submit")
        agent.with_text(f"the {mode} message in the conversation", f"[data-testid={testid}] .tk-msg-body", text)
        agent.wait("the editor emptied", lambda d: d.find_element(By.ID, "reply-body").get_attribute("value") == "")

    send("public", REPLY, "comment-public")
    send("internal", NOTE, "comment-note")
    send("public", FOLLOW_UP, "comment-public")
    # Each message by its text: its testid, its "internal note" label, and how it looks (background and border).
    kinds = agent.js(
        "return Object.fromEntries([...document.querySelectorAll('[data-testid=conversation] article')].map((a) => {"
        "  const style = getComputedStyle(a);"
        "  return [a.querySelector('.tk-msg-body').textContent, {testid: a.dataset.testid,"
        "    label: !!a.querySelector('[data-testid=note-label]'),"
        "    look: style.backgroundColor + ' ' + style.borderTopColor}];"
        "}))")
    check(kinds[NOTE]["testid"] == "comment-note" and kinds[NOTE]["label"],
          f"the note is marked internal: {kinds[NOTE]}")
    check(kinds[REPLY]["testid"] == "comment-public" and not kinds[REPLY]["label"],
          f"the reply is public: {kinds[REPLY]}")
    check(kinds[NOTE]["look"] != kinds[REPLY]["look"],
          f"a note looks different from a reply: {kinds[NOTE]} vs {kinds[REPLY]}")
    check(len(kinds) == 4, f"description, reply, note, follow-up: {list(kinds)}")
    agent.still_marked("replies and notes were sent")
    agent.console_clean("replying and adding a note")


def customer_sees_reply(customer):
    """6. The customer's open page shows the public replies live, never the note."""
    customer.with_text("the agent's reply, live", "[data-testid=message][data-author=agent]", REPLY)
    customer.with_text("the follow-up, live", "[data-testid=message][data-author=agent]", FOLLOW_UP)
    customer.still_marked("the replies appeared")
    check(NOTE not in customer.driver.page_source, "the internal note's text is nowhere in the customer's page")
    customer.driver.refresh()
    customer.with_text("the follow-up after a reload", "[data-testid=message][data-author=agent]", FOLLOW_UP)
    check(NOTE not in customer.driver.page_source, "the internal note's text is not there after a reload either")
    check(len(customer.driver.find_elements(By.CSS_SELECTOR, "[data-testid=message]")) == 3,
          "the customer sees three messages: the request and two replies")
    customer.mark()
    customer.console_clean("the replies arriving")


def theme_and_language(b, server):
    """7. On /profile: the dark theme and French apply at once, survive a reload, and switch back."""
    b.open("/profile")
    b.with_text("the appearance section", "#pf-appearance-title", "Language and appearance")
    check(b.js("return document.documentElement.lang") == "en", "the page starts in English")
    check(b.js("return document.documentElement.dataset.theme") == "light", "the page starts light")
    light_bg = b.js("return getComputedStyle(document.body).backgroundColor")
    b.click("the dark theme choice", "#theme-dark")
    b.wait("data-theme=dark", lambda d: d.execute_script("return document.documentElement.dataset.theme") == "dark")
    b.wait("the dark choice checked",
           lambda d: d.find_element(By.ID, "theme-dark").get_attribute("aria-checked") == "true"
           and d.find_element(By.ID, "theme-light").get_attribute("aria-checked") == "false")
    dark_bg = b.js("return getComputedStyle(document.body).backgroundColor")
    check(dark_bg != light_bg, f"the page's background changes with the theme: {light_bg} → {dark_bg}")

    b.click("the French choice", "#lang-fr")
    b.wait("html lang=fr", lambda d: d.execute_script("return document.documentElement.lang") == "fr")
    b.with_text("the appearance section in French", "#pf-appearance-title", "Langue et apparence")
    b.with_text("the New ticket button in French", "a.btn-new", "Nouveau ticket")
    b.wait("the French choice checked",
           lambda d: d.find_element(By.ID, "lang-fr").get_attribute("aria-checked") == "true")
    check(b.js("return document.documentElement.dataset.theme") == "dark", "still dark after the language change")

    token = scenario.login(server, AGENT["email"], AGENT["password"])["access_token"]
    b.wait("the language saved in the user's profile (emails follow it)", lambda d: server.call(
        "GET", "/api/v1/users/me", token=token)[1].get("locale") == "fr", timeout=10)

    b.driver.refresh()
    b.with_text("French after a reload", "#pf-appearance-title", "Langue et apparence")
    check(b.js("return document.documentElement.dataset.theme") == "dark", "dark after a reload")
    check(b.js("return document.documentElement.lang") == "fr", "fr after a reload")
    b.click("the English choice", "#lang-en")
    b.with_text("back in English", "#pf-appearance-title", "Language and appearance")
    b.click("the light theme choice", "#theme-light")
    b.wait("back to light", lambda d: d.execute_script("return document.documentElement.dataset.theme") == "light")
    b.console_clean("switching theme and language")


def run(server, base, attachment):
    admin = agent = customer = None
    try:
        admin = Browser("admin", base)
        # The console net catches uncaught errors (or every later "no console errors" would prove nothing).
        admin.open("/404")
        admin.js("setTimeout(() => { throw new Error('e2e console probe'); })")
        admin.wait("the console probe logged", lambda d: any(
            e["level"] == "SEVERE" and "e2e console probe" in e["message"] for e in admin.read_console()))
        admin.console = [e for e in admin.console if "e2e console probe" not in e["message"]]
        first_run_setup(admin)
        status, setup, _ = server.call("GET", "/api/v1/setup")
        check(status == 200 and setup["needs_setup"] is False, f"setup done: {setup}")
        invite_agent(admin)

        agent = Browser("agent", base)
        agent_signs_in(agent)
        customer = Browser("customer", base)
        number = customer_opens_request(customer, attachment)
        agent_replies(agent, number)
        customer_sees_reply(customer)
        theme_and_language(agent, server)

        # 8-9. The main screens, light and dark, 1280 and 375 px (no sideways scroll at 375).
        agent.open("/tickets")
        screens(agent, "ticket-list", lambda: agent.with_text("the ticket row", "[data-testid=ticket-link]", SUBJECT))
        agent.open(f"/tickets/{number}")
        screens(agent, "ticket-detail", lambda: agent.with_text("the note", "[data-testid=comment-note]", NOTE))
        screens(customer, "customer-request", lambda: customer.with_text(
            "the follow-up", "[data-testid=message][data-author=agent]", FOLLOW_UP))
        customer.open("/requests")
        screens(customer, "customer-requests",
                lambda: customer.with_text("the request in the list", "#requests-list", SUBJECT))
        customer.open("/requests/new")
        screens(customer, "new-request", lambda: customer.element("the new request form", "#request-subject"))
        admin.open("/admin/users")
        screens(admin, "admin-users", lambda: admin.with_text(
            "the agent's row", f"tr[data-testid=user-row][data-email='{AGENT['email']}']", AGENT["name"]))
        admin.open("/profile")
        screens(admin, "profile", lambda: admin.element("the theme choice", "#theme-dark"))
    finally:
        for b in (admin, agent, customer):
            if b:
                b.quit()


def main():
    started = time.time()
    root = tempfile.mkdtemp(prefix="helpdesk-browser-")
    os.makedirs(SHOTS, exist_ok=True)
    attachment = os.path.join(root, ATTACHMENT)
    with open(attachment, "w") as f:
        f.write("2024-05-01 10:00 E-42 fuser overheating\n" * 20)
    args = (["--redis-url", REDIS_URL] if REDIS_URL else []) + (["--web-root", WEB_ROOT] if WEB_ROOT else [])
    data = os.path.join(root, "data")
    os.makedirs(data)
    server = scenario.Server(data, args=args)
    try:
        status, setup, _ = server.call("GET", "/api/v1/setup")
        check(status == 200 and setup["needs_setup"] is True, f"a fresh server needs setup: {status} {setup}")
        run(server, f"http://127.0.0.1:{server.port}", attachment)
        check(server.stop() == 0, "the server stops cleanly")
    except BaseException:
        print(server.logs()[-4000:], file=sys.stderr)
        server.stop()
        raise
    print(f"browser.py ({'web root ' + WEB_ROOT if WEB_ROOT else 'bundled UI'}): {scenario.PASSED} checks passed "
          f"in {time.time() - started:.0f}s; screenshots in {SHOTS}")


if __name__ == "__main__":
    main()
