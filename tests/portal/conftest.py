"""The portal's browser suite: a real `cerulean serve`, Debian's Chromium driven by
Playwright for Python (never `playwright install`), and an ARM client that checks each
step's result through the API, as a second pair of eyes beside the browser."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest
from playwright.sync_api import sync_playwright

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
TENANT = "00000000-0000-0000-0000-0000000000a1"
API = {"network": "2024-05-01", "compute": "2024-07-01", "resources": "2024-11-01"}
CHROMIUM = os.environ.get("CERULEAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Where screenshots of the main blades go when set (scripts/portal-screenshots).
SHOTS = os.environ.get("CERULEAN_PORTAL_SCREENSHOTS")


def _binary():
    explicit = os.environ.get("CERULEAN_BIN")
    if explicit:
        return explicit
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(root, "target", "debug", "cerulean")


class Server:
    def __init__(self, args=()):
        self.dir = tempfile.mkdtemp(prefix="cerulean-portal-")
        self.proc = subprocess.Popen(
            [_binary(), "serve", "--port", "0", "--location", self.dir, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "CERULEAN_LOG": "warn"},
        )
        for line in self.proc.stdout:
            m = re.match(r"cerulean listening on (https://\S+)", line)
            if m:
                self.url = m.group(1)
                break
        else:
            raise RuntimeError("cerulean exited before listening")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Arm:
    """ARM requests with a service principal's token, following long-running operations."""

    def __init__(self, playwright, base):
        self.base = base
        ctx = playwright.request.new_context(base_url=base, ignore_https_errors=True)
        r = ctx.post(
            f"/{TENANT}/oauth2/v2.0/token",
            form={
                "grant_type": "client_credentials",
                "client_id": "portal-suite",
                "client_secret": "anything",
                "scope": "https://management.core.windows.net//.default",
            },
        )
        assert r.ok, r.text()
        token = r.json()["access_token"]
        self.ctx = playwright.request.new_context(
            base_url=base,
            ignore_https_errors=True,
            extra_http_headers={"authorization": f"Bearer {token}"},
        )

    @staticmethod
    def _version(path):
        p = path.lower()
        if "microsoft.network" in p:
            return API["network"]
        if "microsoft.compute" in p:
            return API["compute"]
        return API["resources"]

    def _url(self, path):
        sep = "&" if "?" in path else "?"
        return f"{path}{sep}api-version={self._version(path)}"

    def request(self, method, path, body=None):
        r = self.ctx.fetch(self._url(path), method=method, data=json.dumps(body) if body is not None else None,
                           headers={"content-type": "application/json"} if body is not None else None)
        text = r.text()
        data = json.loads(text) if text else None
        if r.status >= 400:
            return r.status, data
        op = r.headers.get("azure-asyncoperation")
        if op and method != "GET":
            for _ in range(120):
                s = self.ctx.get(op).json()
                if s["status"] in ("Succeeded", "Failed", "Canceled"):
                    break
                time.sleep(0.25)
            loc = r.headers.get("location")
            if method == "POST" and loc:
                f = self.ctx.get(loc)
                return f.status, (f.json() if f.text() else None)
        return r.status, data

    def get(self, path):
        status, body = self.request("GET", path)
        assert status == 200, (path, status, body)
        return body

    def put(self, path, body):
        status, out = self.request("PUT", path, body)
        assert status in (200, 201), (path, status, out)
        return out

    def post(self, path, body=None):
        return self.request("POST", path, body or {})

    def power(self, vm_id):
        iv = self.get(f"{vm_id}/instanceView")
        return next(s["code"] for s in iv["statuses"] if s["code"].startswith("PowerState/")).split("/")[1]

    def nic_ids(self, vm_id):
        vm = self.get(vm_id)
        return [n["id"].lower().rsplit("/", 1)[1] for n in vm["properties"]["networkProfile"]["networkInterfaces"]]


def group_path(rg):
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}"


def net(rg, kind, name):
    return f"{group_path(rg)}/providers/Microsoft.Network/{kind}/{name}"


def vm_path(rg, name):
    return f"{group_path(rg)}/providers/Microsoft.Compute/virtualMachines/{name}"


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def arm(playwright, server):
    return Arm(playwright, server.url)


class Console:
    """Errors the page reported: console errors and uncaught exceptions."""

    def __init__(self, page):
        self.errors = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def unexpected(self, allowed_statuses=()):
        """Errors other than the browser's note of an HTTP status a step expected."""
        out = []
        for e in self.errors:
            m = re.match(r"Failed to load resource: the server responded with a status of (\d+)", e)
            if m and int(m.group(1)) in allowed_statuses:
                continue
            out.append(e)
        return out


@pytest.fixture
def page(browser):
    # A fresh profile (context) per test: no state leaks from one test to the next.
    ctx = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(15_000)
    p = ctx.new_page()
    p.console = Console(p)
    yield p
    ctx.close()


def sign_in(page, server):
    """The seed's first step: the root path opens the sign-in page."""
    page.goto(server.url + "/")
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_role("button", name="Continue as user@cerulean.local").click()
    page.get_by_role("heading", name="Welcome to cerulean").wait_for()


def shot(page, name, toasts=False):
    """A screenshot of the page for docs/ (scripts/portal-screenshots), without the
    notifications unless they are the point."""
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.wait_for_timeout(200)
        hide = "(v) => document.querySelectorAll('.toasts').forEach((t) => { t.style.visibility = v; })"
        if not toasts:
            page.evaluate(hide, "hidden")
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))
        page.evaluate(hide, "")
