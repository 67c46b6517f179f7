"""Argon2id password hashing (46 MiB, t=2, p=1) and a strength check for new passwords."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from api.errors import InvalidInput
from api.i18n import N_

MIN_LENGTH = 8
MAX_LENGTH = 128
# zxcvbn scores 0-4; 2 and up withstands guessing at a rate-limited sign-in.
MIN_SCORE = 2
# Shorter name or e-mail parts ("Jan", "org") are too often part of ordinary words.
MIN_PART = 4
# Words anyone would try first against this service; zxcvbn's own lists are English.
SERVICE_WORDS = ("meedoen", "wachtwoord", "welkom", "gemeente")
WEAK = N_(
    "This password is too easy to guess. Use a few words that belong together for you, "
    "for example 'blue bike in the rain'."
)
PERSONAL = N_("Do not use your name or your e-mail address in your password.")


_hasher = PasswordHasher(time_cost=2, memory_cost=46 * 1024, parallelism=1)
# Verified against when the account is unknown, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("meedoen-timing-equaliser")


def hash_password(password: str) -> str:
    """Hash a new password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password in constant-ish time, also when there is no account."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash uses weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def _personal_parts(email: str | None, name: str | None) -> list[str]:
    """The e-mail's local part and the name's words, as someone guessing would try them."""
    parts: list[str] = []
    if email:
        local = email.split("@", 1)[0].lower()
        parts.append(local)
        parts += re.split(r"[^\w]+", local)
    if name:
        parts += re.split(r"[^\w]+", name.lower())
    return [p for p in dict.fromkeys(parts) if len(p) >= MIN_PART]


def check_password_strength(
    password: str, *, email: str | None, name: str | None, field: str = "password"
) -> None:
    """Refuse common or guessable passwords and ones holding the person's name or e-mail (400
    naming `field`)."""
    personal = _personal_parts(email, name)
    lowered = password.lower()
    if any(part in lowered for part in personal):
        raise InvalidInput.field(field, PERSONAL)
    estimate = zxcvbn(password[:MAX_LENGTH], user_inputs=[*SERVICE_WORDS, *personal])
    if estimate["score"] < MIN_SCORE:
        raise InvalidInput.field(field, WEAK)
