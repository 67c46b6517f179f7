"""New passwords must be hard to guess; an invitation never tells that an e-mail has an account."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.invitations.models import Invitation
from api.users.models import User
from seeds.demo import DEMO_PASSWORD
from tests.factories import auth_headers, create_municipality, create_user

CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")


@pytest.fixture()
def w(app, session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach", name="Sanne de Wit")
    return {"m": m, "coach": coach, "ch": auth_headers(app, session, coach)}


def _invite(client, w, name: str = "Amina Benali", email: str | None = "amina.benali@example.org"):
    body = {"recipientName": name, **({"email": email} if email else {})}
    return client.post("/v1/invitations", json=body, headers=w["ch"])


def _register(client, code: str, email: str, password: str):
    return client.post(
        "/v1/auth/register", json={"inviteCode": code, "email": email, "password": password}
    )


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        "password",
        "Wachtwoord123",
        "qwertyuiop",
        "amina2024!",
        "benali-welkom",
        "AMINA.BENALI",
    ],
)
def test_weak_or_personal_passwords_are_refused_in_plain_words(
    client, session: Session, w, password: str
) -> None:
    code = _invite(client, w).get_json()["inviteCode"]
    resp = _register(client, code, "amina.benali@example.org", password)
    assert resp.status_code == 400
    [param] = resp.get_json()["invalidParams"]
    assert param["name"] == "password"
    assert "wachtwoord" in param["reason"] and len(param["reason"]) < 200  # Dutch by default
    # the code is not spent by a refusal: a good password still works
    assert (
        _register(client, code, "amina.benali@example.org", "blauwe fiets regen").status_code == 201
    )


def test_the_demo_password_and_passphrases_are_accepted(client, session: Session, w) -> None:
    for i, password in enumerate((DEMO_PASSWORD, "groene thee met honing")):
        email = f"nieuw{i}@example.org"
        code = _invite(client, w, name=f"Nieuw {i}", email=email).get_json()["inviteCode"]
        assert _register(client, code, email, password).status_code == 201
        assert (
            client.post("/v1/auth/login", json={"email": email, "password": password}).status_code
            == 200
        )


@pytest.mark.parametrize("where", ["same municipality", "other municipality"])
def test_an_invitation_to_an_email_in_use_looks_like_any_invitation(
    client, session: Session, w, where: str
) -> None:
    home = w["m"] if where == "same municipality" else create_municipality(session)
    holder = create_user(
        session,
        municipality=home,
        role="recipient",
        name="Bestaand Persoon",
        email="in.use@example.org",
    )
    before = (holder.name, holder.coach_id, holder.password_hash, holder.is_active)
    users = session.scalar(select(func.count()).select_from(User)) or 0
    fresh = _invite(client, w, name="Nieuw Iemand", email="brand.new@example.org")
    taken = _invite(client, w, name="Iemand Anders", email="In.Use@example.org")
    assert taken.status_code == fresh.status_code == 201
    assert taken.content_type == fresh.content_type
    assert (
        set(taken.get_json()) == set(fresh.get_json()) == {"inviteCode", "recipientId", "expiresAt"}
    )
    assert CODE.match(taken.get_json()["inviteCode"]) and CODE.match(fresh.get_json()["inviteCode"])
    # nothing created or changed for the existing account, and the code opens nothing
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(User)) == users + 1  # only `fresh`
    reread = session.get(User, holder.id)
    assert reread is not None
    assert (reread.name, reread.coach_id, reread.password_hash, reread.is_active) == before
    assert (
        session.scalars(select(Invitation).where(Invitation.recipient_id == holder.id)).all() == []
    )
    code = taken.get_json()["inviteCode"]
    assert _register(client, code, "in.use@example.org", "blauwe fiets regen").status_code == 404
    assert session.get(User, taken.get_json()["recipientId"]) is None
    # audited as refused; the person is named only within the coach's own municipality
    session.expire_all()
    [row] = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "invitation", AuditEvent.result == "denied"
        )
    ).all()
    assert row.municipality_id == w["m"].id and row.actor_id == w["coach"].id
    assert row.subject_id == (holder.id if where == "same municipality" else None)


def test_inviting_ones_own_pending_person_again_gives_a_new_code(
    client, session: Session, w
) -> None:
    first = _invite(client, w).get_json()
    again = _invite(client, w, name="Amina B.").get_json()
    assert again["recipientId"] == first["recipientId"]
    assert again["inviteCode"] != first["inviteCode"]
    # the older code stops working, the new one activates the same account (name unchanged)
    email = "amina.benali@example.org"
    assert _register(client, first["inviteCode"], email, "blauwe fiets regen").status_code == 404
    assert _register(client, again["inviteCode"], email, "blauwe fiets regen").status_code == 201
    session.expire_all()
    person = session.get(User, again["recipientId"])
    assert person is not None and person.name == "Amina Benali"
    # once active, a further invitation is answered as for any address in use: a dead code
    third = _invite(client, w).get_json()
    assert third["recipientId"] != first["recipientId"]
    assert _register(client, third["inviteCode"], email, "blauwe fiets regen").status_code == 404
