"""Gettext catalogues read straight from `.po` files: no compiled `.mo` in git, no build step.

A folder holds one catalogue per language, `<dir>/<language>/LC_MESSAGES/<domain>.po`
(the layout `pybabel init/update` writes). Adding a language is adding that file. Each `.po`
is compiled in memory on first use (Babel reads it and writes the `.mo` bytes into a buffer),
once per process. A chain of languages ("pl, then en, then nl") gives one `Translations`
whose missing messages fall through to the next language and finally to the msgid (English).

Pure Babel: no Flask here, so the matching engine and the API share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from matching import model as _model

DEFAULT_LANGUAGE = "nl"
# A language tag as we store it on a profile: a primary subtag ("nl", "ti"), optionally a region.
LANGUAGE_TAG = _model.LANGUAGE_TAG
# Babel locales for formatting when the bare language would choose differently from what we
# write: our English is British (organiser, neighbourhood: "a, b and c", no serial comma).
FORMAT_LOCALES = {"en": "en_GB"}


def babel_locale(language: str) -> Locale:
    """The CLDR locale that formats numbers, dates and lists for a language (nl when unknown)."""
    try:
        return Locale.parse(FORMAT_LOCALES.get(language, language))
    except (ValueError, UnknownLocaleError):
        return Locale.parse(DEFAULT_LANGUAGE)


class Catalogues:
    """All `.po` catalogues of one gettext domain in one folder."""

    def __init__(self, directory: Path, domain: str, default: str = DEFAULT_LANGUAGE) -> None:
        self.directory = directory
        self.domain = domain
        self.default = default
        self._languages: tuple[str, ...] | None = None
        self._chains: dict[tuple[str, ...], NullTranslations] = {}

    def po_path(self, language: str) -> Path:
        """Where the catalogue of a language lives (whether or not it exists)."""
        return self.directory / language / "LC_MESSAGES" / f"{self.domain}.po"

    def languages(self) -> tuple[str, ...]:
        """Languages that have a catalogue, the default first, then alphabetically."""
        if self._languages is not None:
            return self._languages
        found = sorted(
            p.name
            for p in self.directory.iterdir()
            if p.is_dir() and LANGUAGE_TAG.match(p.name) and self.po_path(p.name).is_file()
        )
        self._languages = tuple(sorted(found, key=lambda lang: lang != self.default))
        return self._languages

    def compiled(self, language: str) -> Translations:
        """One language's messages, compiled from its `.po` in memory (a fresh object)."""
        with self.po_path(language).open("rb") as po:
            catalog = read_po(po, locale=language, domain=self.domain)
        buffer = BytesIO()
        write_mo(buffer, catalog)  # leaves out empty and fuzzy translations: they fall through
        buffer.seek(0)
        return Translations(buffer, domain=self.domain)

    def chain(self, languages: Iterable[str]) -> NullTranslations:
        """Translations for the first language, falling back along the others, then the default.

        Languages without a catalogue are skipped; with none left this is the default's.
        """
        available = set(self.languages())
        wanted = [lang for lang in dict.fromkeys([*languages, self.default]) if lang in available]
        key = tuple(wanted)
        found = self._chains.get(key)
        if found is None:
            if not wanted:
                found = NullTranslations()  # no catalogue at all: the msgids (English)
            else:
                # add_fallback links objects, so every chain gets its own compiled copies.
                head, *rest = (self.compiled(lang) for lang in wanted)
                for tail in rest:
                    head.add_fallback(tail)
                found = head
            self._chains[key] = found
        return found

    def clear(self) -> None:
        """Forget compiled catalogues (a test that adds a `.po` file calls this)."""
        self._languages = None
        self._chains.clear()
