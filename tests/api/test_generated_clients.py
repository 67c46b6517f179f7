"""Clients generated from the served document are fully typed, and the journey runs through one.

openapi-python-client (the dev extra) and openapi-typescript (tools/openapi, installed by
scripts/ensure-openapi-tools.sh) generate from GET /v1/openapi.json. Any generator warning, any
model attribute typed `Any` (Python) or `unknown` (TypeScript) fails: a mobile developer would
have to guess that field. Then a live server (scripts/serve.sh) is driven through the generated
Python client only, from sign-in to progress, each answer parsed into its typed model.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.municipalities.models import Municipality
from tests.api.live import ROOT, LiveServer, live_server, redis_prefix
from tests.factories import (
    PASSWORD,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

VENV_BIN = Path(sys.executable).parent
NODE_BIN = ROOT / "tools" / "openapi" / "node_modules" / ".bin"
PACKAGE = "meedoen_api_client"

# Properties that are free-form on purpose (`additionalProperties: true`), with the reason.
FREE_FORM = {
    "ExportStoredReply.body": "the stored answer of any operation, as it was given",
}


@pytest.fixture(scope="module")
def document(app) -> dict[str, Any]:
    with app.test_client() as c:
        resp = c.get("/v1/openapi.json")
    assert resp.status_code == 200
    doc: dict[str, Any] = resp.get_json()
    return doc


@pytest.fixture(scope="module")
def doc_path(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    path.write_text(json.dumps(document))
    return path


@pytest.fixture(scope="module")
def python_client(doc_path: Path) -> Iterator[tuple[Path, str]]:
    """The generated package (its folder) and everything the generator said."""
    out = doc_path.parent / "pyclient"
    config = doc_path.parent / "generator.yaml"
    config.write_text(f"project_name_override: {PACKAGE}\npackage_name_override: {PACKAGE}\n")
    done = subprocess.run(
        [
            str(VENV_BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(doc_path),
            "--output-path",
            str(out / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(doc_path.parent)},
    )
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    yield out, said


def test_python_client_generates_without_warnings(python_client: tuple[Path, str]) -> None:
    _, said = python_client
    assert "warning" not in said.lower(), said
    assert "error" not in said.lower(), said


def _model_attributes(source: str) -> Iterator[tuple[str, str, str]]:
    """(class, attribute, annotation) of each attrs model class body."""
    current = None
    in_body = False
    for line in source.splitlines():
        if m := re.match(r"^class (\w+)", line):
            current, in_body = m.group(1), True
        elif in_body and re.match(r"^    def |^    @", line):
            in_body = False
        elif in_body and current and (m := re.match(r"^    (\w+): (.+?)(?: = .*)?$", line)):
            yield current, m.group(1), m.group(2)


def test_python_models_have_no_any_fields(python_client: tuple[Path, str]) -> None:
    out, _ = python_client
    models = sorted((out / PACKAGE / "models").glob("*.py"))
    assert len(models) > 40
    untyped = [
        f"{cls}.{attr}: {annotation}"
        for path in models
        for cls, attr, annotation in _model_attributes(path.read_text())
        if re.search(r"\bAny\b", annotation) and attr != "additional_properties"
    ]
    assert untyped == []


def test_typescript_types_have_no_unknown_fields(doc_path: Path, document: dict[str, Any]) -> None:
    out = doc_path.parent / "schema.d.ts"
    done = subprocess.run(
        [str(NODE_BIN / "openapi-typescript"), str(doc_path), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "warn" not in said.lower(), said
    lines = out.read_text().splitlines()
    unknown = [
        line.strip()
        for line in lines
        if re.search(r"\bunknown\b", line)
        and not line.strip().startswith(("/**", "*"))  # descriptions may say "unknown"
        and "[name: string]: unknown" not in line  # openapi-typescript's open header maps
        and "[key: string]: unknown" not in line  # counted against FREE_FORM below
    ]
    assert unknown == []
    free_form = sum("[key: string]: unknown" in line for line in lines)
    declared = [
        f"{name}.{prop}"
        for name, schema in document["components"]["schemas"].items()
        for prop, spec in (schema.get("properties") or {}).items()
        if spec.get("additionalProperties") is True
    ]
    assert sorted(declared) == sorted(FREE_FORM)
    assert free_form == len(FREE_FORM)


# The journey, against a live server, through the generated client only.


@pytest.fixture(scope="module")
def world(engine: Engine) -> Iterator[dict[str, Any]]:
    """A committed municipality: coach, organiser, a person near a published opportunity."""
    with Session(engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        team = create_team(s, municipality=m)
        coach = create_user(s, municipality=m, role="coach")
        organiser = create_user(s, municipality=m, role="organizer", team=team)
        person = create_user(s, municipality=m, role="recipient", coach=coach)
        create_profile(s, user=person)
        opportunity = create_opportunity(s, team=team)
        s.commit()
    yield {
        "emails": {"person": person.email, "coach": coach.email, "organiser": organiser.email},
        "opportunity_id": str(opportunity.id),
    }
    with Session(engine) as s:
        s.delete(s.get(Municipality, m.id))
        s.commit()


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with (
        redis_prefix() as prefix,
        live_server(REDIS_URL="redis://127.0.0.1:6379/14", RATE_LIMIT_PREFIX=prefix) as live,
    ):
        yield live


@pytest.fixture(scope="module")
def generated(python_client: tuple[Path, str]) -> Iterator[ModuleType]:
    out, _ = python_client
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _op(name: str) -> Any:
    """The generated module of one operation, found by its operationId."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    for module in sys.modules[f"{PACKAGE}.api"].__path__:
        for path in Path(module).rglob(f"{snake}.py"):
            tag = path.parent.name
            return importlib.import_module(f"{PACKAGE}.api.{tag}.{snake}")
    raise AssertionError(f"no generated operation {name}")


def _parsed(response: Any, model: type, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:400]
    assert isinstance(response.parsed, model), type(response.parsed)
    return response.parsed


def test_journey_through_the_generated_python_client(
    generated: ModuleType, server: LiveServer, world: dict[str, Any]
) -> None:
    importlib.import_module(f"{PACKAGE}.api")
    models = importlib.import_module(f"{PACKAGE}.models")
    base = f"http://127.0.0.1:{server.port}/v1"
    anonymous = generated.Client(base_url=base, raise_on_unexpected_status=True)

    def sign_in(who: str) -> Any:
        body = models.Login(email=world["emails"][who], password=PASSWORD)
        pair = _parsed(
            _op("postAuthLogin").sync_detailed(client=anonymous, body=body), models.TokenPair
        )
        return generated.AuthenticatedClient(
            base_url=base, token=pair.access_token, raise_on_unexpected_status=True
        )

    person = sign_in("person")
    feed = _parsed(_op("getMeFeed").sync_detailed(client=person), models.FeedPage)
    assert feed.items, "the person's feed is empty"
    item = next(i for i in feed.items if str(i.opportunity.id) == world["opportunity_id"])
    assert isinstance(item.opportunity.location, models.Point)
    assert item.reasons and all(isinstance(r.code, models.ReasonCode) for r in item.reasons)

    detail = _parsed(
        _op("getOpportunitiesOpportunityId").sync_detailed(item.opportunity.id, client=person),
        models.OpportunityDetail,
    )
    assert detail.kind.value == item.opportunity.kind.value
    assert detail.reasons and all(isinstance(r.code, models.ReasonCode) for r in detail.reasons)

    profile = _parsed(_op("getMeProfile").sync_detailed(client=person), models.Profile)
    assert isinstance(profile.nudge_preferences, models.NudgeSettings)

    interest = models.MatchCreate(opportunity_id=detail.id, message="Ik help graag mee.")
    match = _parsed(
        _op("postMeMatches").sync_detailed(client=person, body=interest), models.Match, 201
    )
    assert match.status == models.MatchStatus.REQUESTED

    coach = sign_in("coach")
    queue = _parsed(_op("getMatches").sync_detailed(client=coach), models.CoachMatchPage)
    assert any(m.id == match.id for m in queue.items)
    approved = _parsed(
        _op("postMatchesMatchIdApprove").sync_detailed(match.id, client=coach),
        models.MatchDecision,
    )
    assert approved.status == models.MatchStatus.APPROVED

    organiser = sign_in("organiser")
    candidates = _parsed(
        _op("getOpportunitiesOpportunityIdMatches").sync_detailed(detail.id, client=organiser),
        models.CandidateList,
    )
    assert any(c.id == match.id for c in candidates.items)
    confirmed = _parsed(
        _op("postMatchesMatchIdConfirm").sync_detailed(match.id, client=organiser),
        models.OrganizerMatch,
    )
    assert confirmed.status == models.MatchStatus.ACTIVE

    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    checkin = models.CheckInCreate(date=yesterday, hours=2.5, wellbeing=4, match_id=match.id)
    saved = _parsed(
        _op("postMeCheckins").sync_detailed(client=person, body=checkin), models.CheckIn, 201
    )
    assert saved.hours == 2.5

    progress = _parsed(_op("getMeProgress").sync_detailed(client=person), models.Progress)
    assert progress.total_hours >= 2.5
    assert any(m.id == match.id for m in progress.active_matches)
