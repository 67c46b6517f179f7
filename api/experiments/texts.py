"""Texts of experiments (what differs for a person, the report's summary): nl (B1) first, en."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("nl", "en")
_DIR = Path(__file__).parent / "messages"


@cache
def catalogue(language: str) -> dict[str, str]:
    found: dict[str, str] = json.loads((_DIR / f"{language}.json").read_text("utf-8"))
    return found


def say(language: str, key: str, **params: Any) -> str:
    """One text in the language (Dutch when we lack it)."""
    lang = language if language in LANGUAGES else "nl"
    return catalogue(lang)[key].format(**params)
