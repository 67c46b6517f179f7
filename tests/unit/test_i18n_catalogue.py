"""The catalogues are whole: every text marked in code has Dutch and English, plurals included."""

from api.i18n import CATALOGUES, VOCABULARY, texts_for
from api.i18n_tools import DOMAINS, check, extract
from api.matches.status import MatchStatus
from matching.model import TRAVEL_MODES


def test_every_msgid_in_code_is_translated_in_dutch_and_english() -> None:
    assert check() == []


def test_the_extractor_finds_the_texts() -> None:
    api = {m.id for m in extract(DOMAINS[0]) if m.id}
    assert "This opportunity is full." in api  # a Conflict(...) in a service
    assert "Unknown interest(s): {keys}." in api  # a marked reason
    assert "Your request has stopped" in api  # a nudge title
    assert any(isinstance(i, tuple) and "{count} people" in i[1] for i in api)  # a plural
    # a call holding another marked call: both texts (Babel's own extractor dropped both)
    assert "A value in the request cannot be stored." in api
    assert "Contains a value that cannot be stored." in api
    matching = {m.id for m in extract(DOMAINS[1]) if m.id}
    assert "{km} km from home" in matching


def test_plural_forms_follow_cldr() -> None:
    nl = CATALOGUES.compiled("nl")
    assert nl.plural(1) == 0 and nl.plural(2) == 1 and nl.plural(0) == 1


def test_vocabulary_words_cover_the_states() -> None:
    words = {(t.context, str(t)) for t in VOCABULARY}
    assert {("match status", s.value) for s in MatchStatus} <= words
    assert {("travel mode", m) for m in TRAVEL_MODES} <= words
    nl = texts_for("nl")
    assert nl.pgettext("match status", "requested") == "aangevraagd"


def test_dutch_dates_and_numbers() -> None:
    from datetime import date

    nl, en = texts_for("nl"), texts_for("en")
    assert nl.date(date(2026, 3, 3)) == "3 maart 2026"
    assert en.date(date(2026, 3, 3)) == "3 March 2026"
    assert nl.number(1234.5) == "1.234,5" and en.number(1234.5) == "1,234.5"


def test_every_error_class_is_an_extraction_keyword() -> None:
    """A new error class whose texts the extractor does not know would reach people in English."""
    import importlib
    import pkgutil

    import api
    from api.errors import DomainError

    for module in pkgutil.walk_packages(api.__path__, "api."):
        importlib.import_module(module.name)  # every error class defined, lazily imported or not
    from api.i18n_tools import KEYWORDS

    names = {k.split(":")[0] for k in KEYWORDS}
    seen, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        seen.add(cls)
        todo.extend(c for c in cls.__subclasses__() if c not in seen)
    extracted = {m.id for m in extract(DOMAINS[0]) if m.id}
    for cls in sorted(seen, key=lambda c: c.__name__):
        if cls.__name__ in names or cls.__module__.startswith("api.console"):
            continue  # the console answers its own errors with its own pages and texts
        # Not a keyword: only a class with a fixed text of its own, and that text is extracted.
        try:
            fixed = cls()  # type: ignore[call-arg]
        except TypeError as exc:
            raise AssertionError(f"{cls.__name__} takes a text: add it to KEYWORDS") from exc
        assert fixed.message in extracted, cls.__name__


def test_every_audit_purpose_is_a_catalogue_text() -> None:
    """A person reads why staff looked at their data in their own language: a purpose written
    as a plain or formatted string would reach them in English."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "api"
    plain: list[str] = []
    for path in root.rglob("*.py"):
        if path.parent.name == "meta":
            continue  # the OpenAPI document's descriptions and examples, not audit rows
        for node in ast.walk(ast.parse(path.read_text())):
            values: list[ast.expr] = []
            if isinstance(node, ast.Call):
                values += [k.value for k in node.keywords if k.arg == "purpose"]
            if isinstance(node, ast.Dict):
                values += [
                    v
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "purpose"
                ]
            for value in values:
                if isinstance(value, ast.JoinedStr) or (
                    isinstance(value, ast.Constant) and isinstance(value.value, str)
                ):
                    plain.append(f"{path.relative_to(root.parent)}:{value.lineno}")
    assert plain == []
