"""The words of a problem: titles per status, werkzeug's and marshmallow's messages, in the
request's language. The texts themselves are in the catalogues (api/locale)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from api.i18n import N_, Msg, Texts

# A title says what kind of problem it is, in a few plain words.
TITLES: dict[int, str] = {
    400: N_("Something in the request is not right"),
    401: N_("Please sign in"),
    403: N_("This is not possible with your account"),
    404: N_("Not found"),
    405: N_("This action is not possible here"),
    406: N_("This format is not available"),
    408: N_("The request took too long"),
    409: N_("This is not possible right now"),
    410: N_("This is no longer available"),
    411: N_("The request needs a length"),
    412: N_("Something changed in the meantime"),
    413: N_("The request is too large"),
    414: N_("The address is too long"),
    415: N_("Send JSON"),
    422: N_("Check what you filled in"),
    428: N_("A condition is missing"),
    429: N_("Please wait a moment"),
    431: N_("The request headers are too large"),
    500: N_("Something went wrong"),
    501: N_("This is not possible yet"),
    502: N_("Something went wrong"),
    503: N_("Temporarily unavailable"),
    504: N_("This took too long"),
}
SLUG_TITLES: dict[str, str] = {"invalid-input": N_("Check what you filled in")}

# What werkzeug says in English when it raises on its own (no route, wrong method, ...).
WERKZEUG_DETAILS: dict[int, str] = {
    400: N_("The request could not be read."),
    404: N_("This address does not exist in the API."),
    405: N_("This address does not take this method; see the Allow header."),
    406: N_("We cannot answer in the format the request asks for."),
    413: N_("The request is too large."),
    414: N_("The address is too long."),
    415: N_("We cannot read the format of this request."),
    429: N_("Too many requests in a short time. Please wait a moment and try again."),
    431: N_("The request headers are too large."),
}

# marshmallow's own messages that carry values: the English pattern and our catalogue text.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), msgid)
    for pattern, msgid in (
        (
            r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$",
            N_("Length must be between {min} and {max}."),
        ),
        (r"^Shorter than minimum length (?P<min>\d+)\.$", N_("Shorter than minimum length {min}.")),
        (r"^Longer than maximum length (?P<max>\d+)\.$", N_("Longer than maximum length {max}.")),
        (r"^Length must be (?P<equal>\d+)\.$", N_("Length must be {equal}.")),
        (
            r"^Must be greater than or equal to (?P<min>[-\d.]+) and less than or equal to "
            r"(?P<max>[-\d.]+)\.$",
            N_("Must be greater than or equal to {min} and less than or equal to {max}."),
        ),
        (
            r"^Must be greater than or equal to (?P<min>[-\d.]+)\.$",
            N_("Must be greater than or equal to {min}."),
        ),
        (
            r"^Must be less than or equal to (?P<max>[-\d.]+)\.$",
            N_("Must be less than or equal to {max}."),
        ),
        (r"^Must be one of: (?P<choices>.*)\.$", N_("Must be one of: {choices}.")),
    )
)

# marshmallow's fixed messages, so the extractor puts them in the catalogue too.
MARSHMALLOW_MESSAGES: tuple[str, ...] = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Unknown field."),
    N_("Invalid value."),
    N_("Invalid input type."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid boolean."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid time."),
    N_("Not a valid UUID."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid tuple."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid datetime with a time zone."),
    N_("Not an aware datetime."),
    N_("Invalid input."),
)


def problem_title(texts: Texts, status: int, slug: str | None = None) -> str:
    """A short title for the kind of problem."""
    msgid = SLUG_TITLES.get(slug or "") or TITLES.get(status)
    if msgid is None:
        msgid = N_("Something went wrong") if status >= 500 else N_("The request was not handled")
    return texts.gettext(msgid)


def translate_reason(
    texts: Texts, reason: str, template: tuple[str, Mapping[str, Any]] | None = None
) -> str:
    """Why one field is not right, in the request's language (as it came when we lack it)."""
    if template is not None:
        return texts.gettext(template[0], **template[1])
    parts = getattr(reason, "parts", None)
    if parts:  # several messages of one field, each translated on its own
        return " ".join(translate_reason(texts, part) for part in parts)
    if isinstance(reason, Msg):
        return texts.gettext(reason.msgid, **reason.params)
    if texts.knows(reason):
        return texts.gettext(reason)
    parts = [texts.gettext(one) for one in _split(reason)]
    return " ".join(_pattern(texts, part) for part in parts)


def _split(reason: str) -> list[str]:
    # flatten_messages joins a field's messages with spaces: "Not a valid string. Unknown field."
    found = re.split(r"(?<=\.) (?=[A-Z])", reason)
    return found if len(found) > 1 else [reason]


def _pattern(texts: Texts, text: str) -> str:
    for pattern, msgid in _PATTERNS:
        match = pattern.match(text)
        if match:
            return texts.gettext(msgid, **match.groupdict())
    return text
