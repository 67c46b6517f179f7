"""Language: gettext catalogues (Babel / Flask-Babel) for every text a person reads.

- Catalogues: `api/locale/<language>/LC_MESSAGES/messages.po`, compiled in memory on first use
  (`matching.translations`); adding a language is adding its `.po` file (README: Languages).
- Msgids are the English texts; Dutch (B1) is the default language, English is complete too.
  Placeholders are `{name}` (str.format); numbers in them are formatted for the language.
- A request's language comes from `Accept-Language` (q-values; unknown languages are skipped;
  nothing usable: Dutch). A message missing in the chosen language falls back along the
  person's next accepted languages, then Dutch, then the English msgid. Responses say which
  language they chose in `Content-Language` (and `Vary: Accept-Language`).
- Outside a request (pushes, nudges) `texts_for(profile.preferred_language)`.
- Mark a text for the catalogue with `N_("...")` (or `N_plural(singular, plural)`) where it is
  defined, translate it where it is shown. `tests/unit/test_i18n_catalogue.py` extracts every
  marked text and fails when nl or en lacks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from babel import numbers
from babel.dates import format_date, format_datetime
from babel.support import NullTranslations
from flask import Flask, Response, g, has_request_context, request
from werkzeug.datastructures import LanguageAccept

from matching.translations import DEFAULT_LANGUAGE, LANGUAGE_TAG, Catalogues, babel_locale

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CATALOGUES = Catalogues(LOCALE_DIR, "messages")
# Complete languages (the catalogue test holds them to every msgid); others may be partial.
COMPLETE_LANGUAGES: tuple[str, ...] = ("nl", "en")


class Plural(NamedTuple):
    """A text with a singular and a plural msgid; the number chooses (CLDR plural rules)."""

    singular: str
    plural: str


class Term(str):
    """A word of a fixed vocabulary (a status, a travel mode) that is translated where shown.

    It is its English self in logs and `str.format`; in a `Texts` text it is
    `pgettext(context, word)`.
    """

    context: str

    def __new__(cls, context: str, word: str) -> Term:
        """`Term("match status", "requested")`."""
        term = super().__new__(cls, word)
        term.context = context
        return term


# The words services put in texts, listed so the extractor finds them (context, word).
VOCABULARY: tuple[Term, ...] = (
    *(
        Term("match status", "suggested"),
        Term("match status", "requested"),
        Term("match status", "approved"),
        Term("match status", "active"),
        Term("match status", "completed"),
        Term("match status", "declined"),
        Term("match status", "withdrawn"),
        Term("match status", "rejected"),
        Term("match status", "expired"),
    ),
    *(
        Term("opportunity status", "draft"),
        Term("opportunity status", "published"),
        Term("opportunity status", "paused"),
        Term("opportunity status", "closed"),
    ),
    *(
        Term("opportunity action", "published"),
        Term("opportunity action", "paused"),
        Term("opportunity action", "closed"),
    ),
    *(Term("travel mode", "walk"), Term("travel mode", "bike"), Term("travel mode", "transit")),
    *(
        Term("plan step status", "proposed"),
        Term("plan step status", "agreed"),
        Term("plan step status", "done"),
        Term("plan step status", "dropped"),
    ),
)


class Euros(float):
    """An amount of money in a text: "€ 232,50" in Dutch, "€232.50" in English (CLDR)."""


def _euros(value: Euros, locale: Any) -> str:
    return numbers.format_currency(float(value), "EUR", locale=locale)


class Msg(str):
    """A catalogue text with its values, e.g. a validation reason raised deep in a schema.

    It is the filled English text wherever a str is expected (marshmallow, logs); where a person
    reads it (a problem's invalidParams) it is `gettext(msgid, **params)` in their language.
    Mark it as `Msg("At most {n} decimals.", n=2)`: the extractor finds the msgid.
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> Msg:
        """`Msg("Must not be after {date}.", date="2027-01-01")`."""
        shown = {
            k: _euros(v, "en") if isinstance(v, Euros) else f"{v:g}" if isinstance(v, float) else v
            for k, v in params.items()
        }
        text = super().__new__(cls, msgid.format(**shown) if params else msgid)
        text.msgid = msgid
        text.params = params
        return text

    def __reduce__(self) -> Any:  # copy and pickle keep the msgid and the values
        return (_msg, (self.msgid, self.params))


def _msg(msgid: str, params: dict[str, Any]) -> Msg:
    return Msg(msgid, **params)


def match_status(status: str) -> Term:
    """A match's state as a word in a text."""
    return Term("match status", str(status))


def plan_step_status(status: str) -> Term:
    """A plan step's state as a word in a text."""
    return Term("plan step status", str(status))


def opportunity_status(status: str) -> Term:
    """An opportunity's state as a word in a text."""
    return Term("opportunity status", status)


def N_(msgid: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark a text for the catalogue without translating it yet (gettext_noop)."""
    return msgid


def N_plural(singular: str, plural: str) -> Plural:  # noqa: N802 (the gettext convention)
    """Mark a singular/plural pair for the catalogue without translating it yet."""
    return Plural(singular, plural)


def languages() -> tuple[str, ...]:
    """Every language with a catalogue, Dutch first."""
    return CATALOGUES.languages()


def _fill(text: str, fallback: str, params: Mapping[str, Any], texts: Texts) -> str:
    if not params:
        return text
    shown = {k: _show(v, texts) for k, v in params.items()}
    try:
        return text.format(**shown)
    except (KeyError, IndexError, ValueError, AttributeError):
        return fallback.format(**shown)  # a broken translation never breaks the answer


def _show(value: Any, texts: Texts) -> Any:
    if isinstance(value, Term):
        return texts.pgettext(value.context, str(value))
    if isinstance(value, Euros):
        return _euros(value, texts.locale)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return texts.number(value)


@lru_cache(maxsize=8192)
def _number(kind: str, value: float, pattern: str | None, language: str) -> str:
    """CLDR number formatting, kept: the same counts and hours recur in every batch of nudges."""
    del kind  # part of the key only: 1 and 1.0 are equal keys but may be written differently
    return numbers.format_decimal(value, format=pattern, locale=babel_locale(language))


class Texts:
    """Texts in one language, falling back along a chain of languages (and then to Dutch)."""

    def __init__(self, chain: tuple[str, ...]) -> None:
        self.chain = chain
        self.language = chain[0]
        self.locale = babel_locale(self.language)
        self._t: NullTranslations = CATALOGUES.chain(chain)

    def gettext(self, msgid: str, /, **params: Any) -> str:
        """One text, with its {placeholders} filled."""
        return _fill(self._t.gettext(msgid), msgid, params, self)

    def ngettext(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        """The form for `n` (CLDR plural rules of the language); `{count}` is `n` unless given."""
        params = {"count": n, **params}
        text = self._t.ngettext(singular, plural, n)
        return _fill(text, singular if n == 1 else plural, params, self)

    def pgettext(self, context: str, msgid: str, /, **params: Any) -> str:
        """A text whose meaning depends on a context (e.g. an interest label)."""
        return _fill(str(self._t.pgettext(context, msgid)), msgid, params, self)

    def knows(self, msgid: str) -> bool:
        """Whether a catalogue in the chain has this text."""
        found: Any = self._t
        while found is not None:
            if msgid in getattr(found, "_catalog", {}):
                return True
            found = getattr(found, "_fallback", None)
        return False

    def number(self, value: float, pattern: str | None = None) -> str:
        """A number as the language writes it (1.234,5 in Dutch)."""
        return _number(type(value).__name__, value, pattern, self.language)

    def date(self, value: date | datetime, style: str = "long") -> str:
        """A date as the language writes it ("3 maart 2026")."""
        if isinstance(value, datetime):
            return format_datetime(value, style, locale=self.locale)
        return format_date(value, style, locale=self.locale)


@cache
def _texts(chain: tuple[str, ...]) -> Texts:
    return Texts(chain)


def chain_for(*preferred: str | None) -> tuple[str, ...]:
    """Available languages in the order given, then Dutch (unknown ones are skipped)."""
    available = set(languages())
    found = [lang for lang in preferred if lang and lang in available]
    return tuple(dict.fromkeys([*found, DEFAULT_LANGUAGE]))


def texts_for(language: str | None) -> Texts:
    """Texts for a person's own language (pushes, nudges): theirs, else Dutch."""
    return _texts(chain_for(language))


def negotiate(accept: LanguageAccept) -> tuple[str, ...]:
    """The accepted languages we have, best first (q-values), ending in Dutch.

    "en-GB" matches "en"; "*" and q=0 choose nothing; nothing usable gives Dutch.
    """
    available = set(languages())
    chosen: list[str] = []
    for value, quality in accept:  # werkzeug sorts by quality, keeping the header's order
        if quality <= 0 or value == "*":
            continue
        primary, _, region = value.replace("-", "_").partition("_")
        primary = primary.lower()
        for tag in (f"{primary}_{region.upper()}" if region else "", primary):
            if tag and LANGUAGE_TAG.match(tag) and tag in available:
                chosen.append(tag)
                break
    return tuple(dict.fromkeys([*chosen, DEFAULT_LANGUAGE]))


def texts_for_accept(accept: LanguageAccept) -> Texts:
    """Texts for an Accept-Language header outside Flask (the server's own error answers)."""
    return _texts(negotiate(accept))


def request_texts() -> Texts:
    """Texts in the language of the request in flight (Dutch outside a request)."""
    if not has_request_context():
        return _texts((DEFAULT_LANGUAGE,))
    found = g.get("meedoen_texts")
    if found is None:
        found = _texts(negotiate(request.accept_languages))
        g.meedoen_texts = found
    texts: Texts = found
    return texts


def requested_language() -> str | None:
    """The language the request asked for with Accept-Language; None when it named none we have.

    Where a signed-in person's own choice can apply (their feed), that wins over Dutch.
    """
    if not has_request_context() or not request.headers.get("Accept-Language"):
        return None
    chain = negotiate(request.accept_languages)
    asked = {v.replace("-", "_").split("_")[0].lower() for v, q in request.accept_languages if q}
    return chain[0] if chain[0] in asked else None


def use_language(language: str) -> None:
    """Answer the request in this language (Content-Language follows)."""
    g.meedoen_texts = _texts(chain_for(language))


def request_language() -> str:
    """The language chosen for the request in flight."""
    return request_texts().language


def _(msgid: str, /, **params: Any) -> str:
    """Translate for the request in flight."""
    return request_texts().gettext(msgid, **params)


def forget_catalogues() -> None:
    """Re-read the `.po` files (a test that adds a language calls this)."""
    CATALOGUES.clear()
    _texts.cache_clear()


def init_app(app: Flask) -> None:
    """Flask-Babel on our catalogues; `Content-Language` and `Vary` on every response."""
    from flask_babel import Babel, Domain

    class _Domain(Domain):  # type: ignore[misc]  # flask_babel ships no types
        """Flask-Babel's gettext, lazy_gettext and formatters use the request's chain."""

        def get_translations(self) -> NullTranslations:
            return CATALOGUES.chain(request_texts().chain)

    babel = Babel(configure_jinja=False)  # the console's templates keep their own texts
    babel.init_app(
        app,
        default_locale=DEFAULT_LANGUAGE,
        default_domain="messages",
        default_timezone="Europe/Amsterdam",
        locale_selector=lambda: str(babel_locale(request_language())),
    )
    babel.domain_instance = _Domain(domain="messages")  # replaces Babel's cached default

    @app.after_request
    def _content_language(response: Response) -> Response:
        if request.path.startswith("/v1"):
            response.headers["Content-Language"] = request_language().replace("_", "-")
            response.vary.add("Accept-Language")
        return response
