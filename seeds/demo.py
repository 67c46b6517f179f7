"""Demo data for seven municipalities; deterministic ids make loading idempotent."""

from __future__ import annotations

import time
import uuid

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.passwords import hash_password
from api.db import session_scope
from api.municipalities.models import Municipality, Policy, Team
from api.users.models import User

DEMO_PASSWORD = "meedoen-demo"  # noqa: S105 - documented demo password
NAMESPACE = uuid.UUID("6d1f3c1e-7c39-4f57-9a0e-6a3f3b1c0d11")


def demo_id(*parts: object) -> uuid.UUID:
    """Stable id for a demo object, so a second load finds what the first made."""
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


def load_demo(app: Flask) -> str:
    """Load (or top up) the demo data; returns a one-line summary."""
    from seeds.data.municipalities import MUNICIPALITIES

    started = time.perf_counter()
    with session_scope(app) as session:
        password_hash = _existing_hash(session) or hash_password(DEMO_PASSWORD)
        counts = {"municipalities": 0, "teams": 0, "users": 0}
        for spec in MUNICIPALITIES:
            _load_municipality(session, spec, password_hash, counts)
    took = time.perf_counter() - started
    return ", ".join(f"{k}: {v}" for k, v in counts.items()) + f" (in {took:.1f} s)"


def _existing_hash(session: Session) -> str | None:
    return session.scalar(
        select(User.password_hash).where(User.email == "admin.amsterdam@example.org")
    )


def _upsert(session: Session, model: type, id_: uuid.UUID, **values: object) -> object:
    obj = session.get(model, id_)
    if obj is None:
        obj = model(id=id_, **values)
        session.add(obj)
    else:
        for key, value in values.items():
            setattr(obj, key, value)
    return obj


def _load_municipality(
    session: Session, spec: dict, password_hash: str, counts: dict[str, int]
) -> None:
    slug = spec["slug"]
    mun_id = demo_id("municipality", slug)
    _upsert(session, Municipality, mun_id, slug=slug, name=spec["name"], cbs_code=spec["cbs_code"])
    session.flush()
    if session.get(Policy, mun_id) is None:
        session.add(Policy(municipality_id=mun_id, settings={}))
    counts["municipalities"] += 1
    team_ids = []
    for team in spec["teams"]:
        tid = demo_id("team", slug, team["key"])
        _upsert(session, Team, tid, municipality_id=mun_id, name=team["name"], kind=team["kind"])
        team_ids.append(tid)
        counts["teams"] += 1
    session.flush()

    def user(key: str, role: str, name: str, **extra: object) -> uuid.UUID:
        uid = demo_id("user", slug, key)
        _upsert(
            session,
            User,
            uid,
            municipality_id=mun_id,
            email=f"{key}.{slug}@example.org",
            role=role,
            name=name,
            password_hash=password_hash,
            is_active=True,
            **extra,
        )
        counts["users"] += 1
        return uid

    city = spec["name"]
    user("admin", "admin", f"Functioneel beheer {city}")
    user("coach1", "coach", f"Coach Sanne ({city})")
    user("coach2", "coach", f"Coach Mehmet ({city})")
    user("organizer1", "organizer", f"Organisator {city} 1", team_id=team_ids[0])
    user("organizer2", "organizer", f"Organisator {city} 2", team_id=team_ids[1])
    session.flush()
