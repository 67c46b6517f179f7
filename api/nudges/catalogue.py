"""Nudge texts, one JSON file per language; Dutch (B1) first, English too."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"  # staff have no language of their own; people without a profile
_DIR = Path(__file__).parent / "messages"


@cache
def catalogue(language: str) -> dict[str, dict[str, str]]:
    """All messages of one language."""
    found: dict[str, dict[str, str]] = json.loads((_DIR / f"{language}.json").read_text("utf-8"))
    return found


def placeholders(text: str) -> set[str]:
    """The {names} a text needs."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def render(kind: str, language: str, params: dict[str, Any]) -> tuple[str, str]:
    """Title and body in the person's language (Dutch when we lack theirs).

    An experiment's framing (params["framing"]: social_norm, gain, loss_aversion) picks the
    variant of the words, `title@gain`, `body@gain`, ...; wording only, the same message.
    """
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    entry = catalogue(lang)[kind]
    framing = params.get("framing")
    at = f"@{framing}" if framing and f"body@{framing}" in entry else ""
    one = f"body_one{at}"
    body = entry[one] if params.get("count") == 1 and one in entry else entry[f"body{at}"]
    return entry[f"title{at}"].format(**params), body.format(**params)
