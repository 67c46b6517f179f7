"""Browser tests of the console: the real app on a loopback port, Debian's headless Chromium.

Data for these tests is committed (a browser cannot share a test's transaction), always in a
municipality of its own that is deleted afterwards (every table cascades from it), so the rest
of the suite, which rolls back, sees nothing of it.
"""

from __future__ import annotations

import base64
import functools
import json
import shutil
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from api.db import utcnow
from api.ladder.models import LadderEntry
from api.municipalities.models import Municipality
from api.progress.models import CheckIn
from tests.conftest import ROOT, make_test_app
from tests.factories import (
    PASSWORD,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(ROOT) / "artifacts" / "screenshots"
AXE_RESULTS = Path(ROOT) / "artifacts" / "axe-results.json"
BLOCKING_IMPACTS = ("serious", "critical")


# --- the app on a real port -------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_app(engine: Engine) -> Flask:
    """Its own app (the shared one swaps sessions per test); requests commit for real."""
    return make_test_app(engine)


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The console on a free loopback port, served from a thread."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="console-live", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


# --- committed data in a municipality of its own ----------------------------------------------


@dataclass
class World:
    """Who and what the browser tests use; every e-mail is unique to this run."""

    municipality_id: uuid.UUID
    coach: Any
    organizer: Any
    admin: Any
    person: Any  # on the coach's caseload, with a profile, check-ins and ladder history
    asker: Any  # on the caseload; asks for an opportunity through the API in a test
    candidate: Any  # approved for the organiser's opportunity
    stranger: Any  # another coach's person
    recipient: Any  # a recipient account trying the console
    opportunity: Any
    other_team_opportunity: Any
    extra: dict[str, Any] = field(default_factory=dict)


# Package scope: the committed world is removed when the console's tests are done, so tests that
# count rows across the database (the dispatcher's, the planners') pass in any order after them.
@pytest.fixture(scope="package")
def world(engine: Engine) -> Iterator[World]:
    tag = uuid.uuid4().hex[:8]
    with Session(engine, expire_on_commit=False) as s:
        mun = create_municipality(s, name=f"Browsergemeente {tag}")
        team = create_team(s, municipality=mun, name="Buurtteam Noord")
        other_team = create_team(s, municipality=mun, name="Sportclub Zuid")

        def user(role: str, name: str, **kw: Any) -> Any:
            return create_user(
                s,
                municipality=mun,
                role=role,
                name=name,
                email=f"{role}.{name.split()[0].lower()}.{tag}@example.org",
                **kw,
            )

        coach = user("coach", "Carla Coach")
        other_coach = user("coach", "Olaf Andere")
        organizer = user("organizer", "Oscar Organisator", team=team)
        admin = user("admin", "Anna Beheer")
        person = user("recipient", "Fatima Yilmaz", coach=coach)
        asker = user("recipient", "Bram de Vries", coach=coach)
        candidate = user("recipient", "Chantal Bakker", coach=other_coach)
        stranger = user("recipient", "Sven Vreemd", coach=other_coach)
        recipient = user("recipient", "Ruud Ontvanger", coach=coach)
        for r, interests in (
            (person, ["koken", "tuinieren"]),
            (asker, ["koken"]),
            (candidate, ["koken"]),
        ):
            create_profile(
                s, user=r, interests=interests, availability=["tue-morning", "wed-afternoon"]
            )
        for i in range(12):  # enough people for the funnel report to show a cell (10+)
            extra = user("recipient", f"Extra{i} Deelnemer", coach=other_coach)
            create_profile(s, user=extra, interests=["sport"], availability=["sat-morning"])
        opportunity = create_opportunity(
            s,
            team=team,
            title="Koken in het buurthuis",
            capacity=4,
            slots=["tue-morning"],
            interests=["koken"],
        )
        create_opportunity(
            s,
            team=team,
            title="Moestuin aan de dijk",
            capacity=6,
            lat=52.381,
            lon=4.852,
            slots=["wed-afternoon"],
            interests=["tuinieren"],
        )
        course = create_opportunity(
            s,
            team=other_team,
            title="Taalcafé",
            kind="language_course",
            teaches_level="A2",
            slots=["tue-morning"],
            interests=["taal"],
            capacity=10,
        )
        other_team_opportunity = create_opportunity(
            s,
            team=other_team,
            title="Voetbaltraining geven",
            capacity=2,
        )
        now = utcnow()
        create_match(
            s,
            person=candidate,
            opportunity=opportunity,
            history=[("requested", now - timedelta(days=5)), ("approved", now - timedelta(days=2))],
        )
        today = date.today()
        for weeks, hours, wellbeing, step in (
            (20, 3, 2, 2),
            (14, 4, 3, 2),
            (9, 6, 3, 3),
            (5, 5, 4, 3),
            (1, 8, 4, 3),
        ):
            day = today - timedelta(weeks=weeks)
            s.add(
                CheckIn(
                    user_id=person.id,
                    municipality_id=mun.id,
                    date=day,
                    hours=hours,
                    wellbeing=wellbeing,
                    ladder_step=step,
                    steps_toward_work=[],
                    informal_care=False,
                    created_at=now - timedelta(weeks=weeks),
                )
            )
        s.add(
            CheckIn(
                user_id=person.id,
                municipality_id=mun.id,
                date=today - timedelta(weeks=9),
                hours=2,
                wellbeing=3,
                steps_toward_work=["cv_made"],
                informal_care=True,
                note="Voor mijn moeder gezorgd",
                created_at=now - timedelta(weeks=9),
            )
        )
        for weeks, step, source in ((24, 2, "self"), (9, 3, "self"), (20, 2, "coach")):
            s.add(
                LadderEntry(
                    user_id=person.id,
                    municipality_id=mun.id,
                    step=step,
                    source=source,
                    actor_id=coach.id if source == "coach" else person.id,
                    note="Eerste gesprek" if source == "coach" else None,
                    at=now - timedelta(weeks=weeks),
                )
            )
        s.commit()
        w = World(
            mun.id,
            coach,
            organizer,
            admin,
            person,
            asker,
            candidate,
            stranger,
            recipient,
            opportunity,
            other_team_opportunity,
            extra={"course": course},
        )
    yield w
    with Session(engine) as s:
        s.execute(delete(Municipality).where(Municipality.id == w.municipality_id))
        s.commit()


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run (Debian's chromium + chromium-driver)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("Chromium is missing: run `make test` (scripts/ensure-chromium.sh installs it)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,900",
        "--lang=nl-NL",
        "--disable-extensions",
        "--no-first-run",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def axe_results() -> Iterator[dict[str, Any]]:
    """Every page's axe result, written to artifacts/ at the end (CI keeps it)."""
    results: dict[str, Any] = {}
    yield results
    AXE_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    AXE_RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False))


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


class Console:
    """What a person does in the console, plus the checks every page gets."""

    def __init__(self, driver: Any, base: str, axe: dict[str, Any]) -> None:
        self.driver = driver
        self.base = base
        self.axe = axe

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        from selenium.webdriver.common.by import By

        self.driver.delete_all_cookies()
        self.open("/console/inloggen")
        self.driver.find_element(By.ID, "f-email").send_keys(email)
        self.driver.find_element(By.ID, "f-password").send_keys(password)
        self.submit(self.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))

    def submit(self, element: Any) -> None:
        """Click something that loads a new page, and wait until it has."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()

        def replaced(_driver: Any) -> bool:
            try:
                old.is_enabled()  # still the old document
            except WebDriverException:  # stale, or (Chromium) no longer in the document
                return True
            return False

        WebDriverWait(self.driver, 15).until(replaced)
        WebDriverWait(self.driver, 15).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    def check_page(self, name: str) -> dict[str, Any]:
        """axe-core on this page (no serious or critical violation) and a full-page screenshot."""
        self.driver.execute_script(_axe_source())
        result = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']})
              .then(r => done({violations: r.violations.map(v => ({
                  id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))}))
              .catch(e => done({error: String(e)}));
            """
        )
        assert "error" not in result, result
        violations = result["violations"]
        self.axe[name] = {
            "url": self.driver.current_url,
            "violations": violations,
            "blocking": [v for v in violations if v["impact"] in BLOCKING_IMPACTS],
        }
        self.screenshot(name)
        blocking = self.axe[name]["blocking"]
        assert not blocking, f"axe on {name}: " + json.dumps(blocking, indent=1)
        return self.axe[name]

    def screenshot(self, name: str) -> None:
        """The whole page, not just the window (Chromium's DevTools protocol)."""
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": min(size["height"], 8000),
                    "scale": 1,
                },
            },
        )
        (SCREENSHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="session")
def console(browser: Any, live_server: str, axe_results: dict[str, Any]) -> Console:
    return Console(browser, live_server, axe_results)


def api_call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    """The JSON API over real HTTP, as the app would call it."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310 - loopback
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback
        return json.loads(resp.read() or b"null")


def api_token(base: str, email: str, password: str = PASSWORD) -> str:
    return api_call(base, "POST", "/v1/auth/login", {"email": email, "password": password})[
        "accessToken"
    ]
