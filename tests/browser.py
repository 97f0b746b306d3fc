"""A real browser for the console's tests: Debian's chromium driven by its
chromium-driver through Selenium, offline, with axe-core injected from the
copy `make setup` installs, and screenshots kept under var/screenshots/.

Nothing here downloads anything: the driver's path is given, so Selenium
Manager never runs, and Chromium resolves no host but the loopback server.
A missing browser, driver or axe-core fails the tests; it never skips them.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
AXE_JS = Path(os.environ.get("AXE_JS", ROOT / "var/axe/node_modules/axe-core/axe.min.js"))
SCREENSHOTS = ROOT / "var" / "screenshots"

FLAGS = [
    "--headless",
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,800",
    # Without this Chromium still looks up Google's and others' hosts; EXCLUDE keeps loopback reachable.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]

# Screen sizes every main page is checked and photographed at.
VIEWPORTS = {"laptop": (1280, 800, False), "phone": (390, 844, True)}


def require_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER, AXE_JS) if not os.path.exists(p)]
    if missing:
        pytest.fail(
            f"browser test prerequisites missing: {', '.join(missing)}; run `make setup`, which installs "
            "Debian's chromium and chromium-driver and axe-core",
            pytrace=False,
        )


class Browser:
    """One chromium with its own fresh profile: its own cookies, its own session."""

    def __init__(self, base_url: str):
        require_browser()
        self.base_url = base_url
        self.profile = tempfile.mkdtemp(prefix="console-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS + [f"--user-data-dir={self.profile}"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(60)
        self.driver.set_script_timeout(60)

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    # -- navigation and forms ----------------------------------------------------

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def exists(self, css: str) -> bool:
        return bool(self.find_all(css))

    def fill(self, css: str, text: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def click(self, css: str) -> None:
        self.find(css).click()

    def submit(self, target, timeout: float = 30) -> None:
        """Click `target` (a selector or an element) and wait until the page it was on is gone: a
        selector waited for afterwards is then read on the next page, not found at once on the old
        one (a flash message both pages show)."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        (self.find(target) if isinstance(target, str) else target).click()
        WebDriverWait(self.driver, timeout).until(EC.staleness_of(old))

    def wait_for(self, css: str, timeout: float = 30):
        return WebDriverWait(self.driver, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))

    def wait_for_text(self, css: str, text: str, timeout: float = 30) -> None:
        present = EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text)

        def shown(driver) -> bool:
            try:
                return present(driver)
            except WebDriverException as e:
                # Read while the page is being replaced, chromedriver may report the element's node gone in its
                # own words rather than as a stale element: not there yet, ask again.
                if "does not belong to the document" in str(e):
                    return False
                raise

        WebDriverWait(self.driver, timeout).until(shown)

    def text(self, css: str = "body") -> str:
        return self.find(css).text

    def fetch(self, path: str, method: str = "GET", form: dict | None = None) -> dict:
        """A request from inside the page (its cookies, its origin), as a script on it could send."""
        return self.driver.execute_async_script(
            """
            const [url, method, form, done] = arguments;
            const options = {method, credentials: "same-origin"};
            if (form) { options.body = new URLSearchParams(form); }
            fetch(url, options).then(
              r => r.text().then(body => done({status: r.status, body, type: r.headers.get("Content-Type")})),
              e => done({status: 0, body: String(e)}));
            """,
            path,
            method,
            form,
        )

    # -- checks -----------------------------------------------------------------

    def console_errors(self) -> list[str]:
        """SEVERE console entries since the last call: script errors, failed loads, CSP violations.

        The page's own status is not one: a form shown again with its errors
        is answered 422 on purpose, and the test checks what that page says.
        """
        own = self.driver.current_url.split("#")[0] + " - Failed to load resource"
        return [
            e["message"]
            for e in self.driver.get_log("browser")
            if e["level"] == "SEVERE" and not e["message"].startswith(own)
        ]

    def axe(self) -> list[dict]:
        """axe-core's violations on the current page (WCAG 2 A/AA and best practices)."""
        self.driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
        result = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ["violations"]}).then(
              r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                              targets: v.nodes.map(n => n.target.join(" "))}))}),
              e => done({error: String(e)}));
            """
        )
        assert "error" not in result, result.get("error")
        return result["violations"]

    def check_page(self, name: str) -> dict[str, list[dict]]:
        """Screenshots at laptop and phone width, axe at both, and no console errors.

        Fails on any critical axe violation or console error; returns the
        violations by viewport for the caller to look at.
        """
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        found = {}
        for viewport, (width, height, mobile) in VIEWPORTS.items():
            self.driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
            )
            try:
                assert self.driver.save_screenshot(str(SCREENSHOTS / f"{name}-{viewport}.png"))
                violations = self.axe()
            finally:
                self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
            found[viewport] = violations
        # Kept beside the screenshots: what axe found, to read when a page changes.
        (SCREENSHOTS / f"{name}-axe.json").write_text(json.dumps(found, indent=1))
        for viewport, violations in found.items():
            critical = [v for v in violations if v["impact"] == "critical"]
            assert not critical, f"{name} ({viewport}): critical accessibility violations {critical}"
        errors = self.console_errors()
        assert not errors, f"{name}: browser console errors {errors}"
        return found


def impacts(violations: list[dict]) -> dict[str, int]:
    return dict(collections.Counter(v["impact"] for v in violations))
