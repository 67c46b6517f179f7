"""Staff settings: how a coach, organiser or admin hears of the events of their work."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from api.console import forms, web
from api.console.blueprint import bp, render
from api.console.util import attempt
from api.errors import InvalidInput
from api.nudges import service as nudges
from api.nudges.events import MODES
from api.nudges.schemas import NotificationPreferencesSchema


def _page(
    choices: dict[str, str], *, status: int = 200, errors: dict[str, str] | None = None
) -> Response:
    """`choices`: kind -> mode, the kinds this person receives in the API's order."""
    return render(
        "notifications.html",
        status=status,
        kinds=list(choices),
        modes=MODES,
        values={_field(k): m for k, m in choices.items()},
        errors=errors or {},
    )


def _field(kind: str) -> str:
    return f"mode.{kind}"


@bp.route("/meldingen", methods=["GET", "POST"])
@web.staff("coach", "organizer", "admin")
def notification_settings() -> Response:
    """Per kind of event: on the phone and in the inbox, in the inbox only, or a daily summary."""
    current = {c.kind: c.mode for c in nudges.notification_preferences(web.db(), actor=web.actor())}
    if request.method == "GET":
        return _page(current)
    posted = {k: (request.form.get(_field(k)) or "").strip() for k in current}
    body: dict[str, Any] = {
        "kinds": [{"kind": k, **({"mode": m} if m else {})} for k, m in posted.items()]
    }
    try:
        loaded = forms.load(NotificationPreferencesSchema(), body)
        attempt(nudges.set_notification_preferences, actor=web.actor(), choices=loaded["kinds"])
    except forms.FormInvalid as exc:
        return _page(posted, status=400, errors=_per_kind(list(posted), exc.errors))
    except InvalidInput as exc:
        errors = _per_kind(list(posted), forms.errors_from_domain(exc))
        return _page(posted, status=400, errors=errors)
    web.notify("notice.notifications_saved")
    return redirect(url_for("console.notification_settings"), code=303)


def _per_kind(kinds: list[str], errors: dict[str, str]) -> dict[str, str]:
    """ "kinds.1.mode" (the API's name) -> the field of that kind on this page."""
    out: dict[str, str] = {}
    for name, text in errors.items():
        parts = name.split(".")
        if len(parts) >= 2 and parts[0] == "kinds" and parts[1].isdigit():
            index = int(parts[1])
            if index < len(kinds):
                out[_field(kinds[index])] = text
                continue
        out[name] = text
    return out
