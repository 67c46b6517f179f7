"""Keeping the catalogues whole: extract every marked text, update the `.po` files, check them.

`make i18n-extract` (python -m api.i18n_tools extract) writes the templates (`messages.pot`,
`matching.pot`) and merges new msgids into every language's `.po` (English gets the msgid as
its text, others an empty one for a translator). `make i18n-check` and
`tests/unit/test_i18n_catalogue.py` fail when Dutch or English lacks a text, a plural form is
empty, or a translation's {placeholders} differ from the English.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from typing import IO, Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po, write_po

from api.i18n import CATALOGUES, COMPLETE_LANGUAGES
from matching.messages import CATALOGUES as MATCHING_CATALOGUES
from matching.translations import Catalogues

ROOT = Path(__file__).resolve().parent.parent
# How texts are marked in code (pybabel's -k syntax): the gettext calls, our markers, and the
# error classes whose first argument (or the reason of `.field`) is a catalogue text.
KEYWORDS = (
    "_",
    "gettext",
    "ngettext:1,2",
    "pgettext:1c,2",
    "npgettext:1c,2,3",
    "N_",
    "N_plural:1,2",
    "Msg",
    "Term:1c,2",
    "field:2",
    "InvalidInput",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "Conflict",
    "UnsupportedMediaType",
    "TooManyRequests",
    "ServiceUnavailable",
    "DomainError",
    "RefreshReuse",
    "_unauthorized",
    "problem:2",
)


@dataclass(frozen=True)
class Domain:
    """One gettext domain: the code it is extracted from and its catalogues."""

    source: str  # folder under the repository root
    catalogues: Catalogues


DOMAINS = (Domain("api", CATALOGUES), Domain("matching", MATCHING_CATALOGUES))


def extract_python(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Iterable[str], options: Any
) -> Iterator[tuple[int, str, tuple[str | None, ...], list[str]]]:
    """Babel's extraction method for Python, from the syntax tree: every call to a keyword,
    nested ones included (Babel's own tokenizer drops a call holding another marked call,
    e.g. `problem(400, "...", invalid_params=[{"reason": N_("...")}])`: both texts were lost).

    Yields (line, function, positional arguments: a text or None, comments), as Babel's own
    does; Babel then picks the msgid, plural and context by the keyword's spec."""
    source = fileobj.read()
    tags = tuple(comment_tags)
    comments: dict[int, str] = {}
    for token in tokenize.tokenize(io.BytesIO(source).readline):
        if token.type == tokenize.COMMENT and token.line.strip().startswith("#"):
            comments[token.start[0]] = token.string.lstrip("#").strip()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if not isinstance(name, str) or name not in keywords:
            continue
        args: list[str | None] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                break
            text = arg.value if isinstance(arg, ast.Constant) else None
            args.append(text if isinstance(text, str) else None)
        if args:
            yield node.lineno, name, tuple(args), _translator_comments(comments, node.lineno, tags)


def _translator_comments(
    comments: Mapping[int, str], line: int, tags: tuple[str, ...]
) -> list[str]:
    """The comment lines just above a call, from the first that starts with a tag."""
    above: list[str] = []
    while line - 1 in comments:
        line -= 1
        above.insert(0, comments[line])
    for i, text in enumerate(above):
        if tags and text.startswith(tags):
            return above[i:]
    return []


def extract(domain: Domain) -> Catalog:
    """Every marked text in the domain's code, as a template catalogue."""
    template = Catalog(domain=domain.catalogues.domain, project="meedoen", fuzzy=False)
    method_map = [("**.py", "api.i18n_tools:extract_python")]
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / domain.source,
        method_map,
        keywords=parse_keywords(list(KEYWORDS)),
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        template.add(
            message,
            None,
            [(f"{domain.source}/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def read(domain: Domain, language: str) -> Catalog:
    """One language's catalogue as it is on disk."""
    with domain.catalogues.po_path(language).open("rb") as po:
        return read_po(po, locale=language, domain=domain.catalogues.domain)


def update(domain: Domain) -> None:
    """Write the template and merge it into every language's catalogue."""
    template = extract(domain)
    directory = domain.catalogues.directory
    with (directory / f"{domain.catalogues.domain}.pot").open("wb") as pot:
        write_po(pot, template, omit_header=True, sort_output=True, include_lineno=False)
    for language in domain.catalogues.languages():
        catalog = read(domain, language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if language == "en":  # the msgids are English: English starts from them
            for message in catalog:
                if message.id and not _translated(message):
                    message.string = message.id
        with domain.catalogues.po_path(language).open("wb") as po:
            write_po(po, catalog, sort_output=True, include_lineno=False, width=100)


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(strings)


def _placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in Formatter().parse(text) if name}
    except ValueError:
        return {"<unbalanced braces>"}


def check(domains: Iterable[Domain] = DOMAINS) -> list[str]:
    """What is missing or wrong, one line each (empty: all is well)."""
    problems: list[str] = []
    for domain in domains:
        template = extract(domain)
        for language in domain.catalogues.languages():
            catalog = read(domain, language)
            complete = language in COMPLETE_LANGUAGES
            for wanted in template:
                if not wanted.id:
                    continue
                found = catalog.get(wanted.id, context=wanted.context)
                where = f"{domain.source} {language}: {wanted.id!r}"
                if found is None or not _translated(found):
                    if complete:
                        problems.append(f"{where} has no translation")
                    continue
                ids = wanted.id if isinstance(wanted.id, tuple | list) else (wanted.id,)
                strings = (
                    found.string if isinstance(found.string, tuple | list) else (found.string,)
                )
                needed = set().union(*(_placeholders(str(i)) for i in ids))
                for text in strings:
                    extra = _placeholders(str(text)) - needed
                    if extra:
                        problems.append(f"{where} uses unknown placeholders {sorted(extra)}")
                if (
                    complete
                    and len(strings) != catalog.num_plurals
                    and isinstance(wanted.id, tuple)
                ):
                    problems.append(f"{where} needs {catalog.num_plurals} plural forms")
    return problems


def main(argv: list[str]) -> int:
    """`extract` or `check`."""
    command = argv[1] if len(argv) > 1 else "check"
    if command == "extract":
        for domain in DOMAINS:
            update(domain)
        return 0
    problems = check()
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
