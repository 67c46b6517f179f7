"""Consistency of the hand-written seed data (taxonomy, municipalities, templates...)."""

from __future__ import annotations

import math
import re
import string
from collections import Counter

import pytest

from api.core.geo import in_netherlands
from api.geocoding.postcodes import POSTCODES, POSTCODES_BY_MUNICIPALITY
from api.i18n import texts_for
from api.interests.taxonomy import CATEGORIES, INTEREST_CATEGORY, INTEREST_KEYS, INTERESTS
from matching.model import ACCESSIBILITY, CEFR_LEVELS, KINDS, SLOTS
from seeds.data.cities import CITIES
from seeds.data.municipalities import MUNICIPALITIES, TEAM_KINDS
from seeds.data.opportunities import KIND_SHARES, MIN_PER_MUNICIPALITY, TEMPLATES
from seeds.data.people import FIRST_NAMES, GOALS, LAST_NAMES
from seeds.data.venues import VENUES

SLUG = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
PC4 = re.compile(r"[1-9][0-9]{3}")
SLUGS = {"amsterdam", "rotterdam", "utrecht", "tilburg", "leeuwarden", "apeldoorn", "epe"}
MAX_KM_FROM_CENTRE = 15.0
LEVEL = {level: i for i, level in enumerate(CEFR_LEVELS)}
MEDICAL_TERMS = (
    "medicijnen geven",
    "medicatie",
    "wondverzorging",
    "injectie",
    "insuline",
    "katheter",
    "steunkousen",
    "verpleeg",
    "douchen",
    "wassen en aankleden",
)


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


# -- interests ---------------------------------------------------------------------------


def test_categories_are_unique_slugs_with_labels() -> None:
    keys = [c["key"] for c in CATEGORIES]
    assert 6 <= len(keys) <= 10
    assert len(keys) == len(set(keys))
    for c in CATEGORIES:
        assert SLUG.fullmatch(c["key"]), c
        nl = texts_for("nl").pgettext("interest category", c["label"])
        assert nl and nl == nl.lower() and nl != c["label"], c
        assert c["label"]


def test_interests_are_unique_slugs_in_existing_categories() -> None:
    keys = [i["key"] for i in INTERESTS]
    assert 35 <= len(keys) <= 50
    assert len(keys) == len(set(keys)) == len(INTEREST_KEYS)
    category_keys = {c["key"] for c in CATEGORIES}
    for i in INTERESTS:
        assert set(i) == {"key", "category", "label"}
        assert SLUG.fullmatch(i["key"]) and i["key"].isascii(), i
        assert i["category"] in category_keys, i
        nl = texts_for("nl").pgettext("interest", i["label"])  # Dutch from the catalogue
        assert nl and nl == nl.lower(), i
        assert i["label"], i
        assert INTEREST_CATEGORY[i["key"]] == i["category"]
        assert len(i["key"]) <= 40 and len(nl) <= 80 and len(i["label"]) <= 80
    used = Counter(i["category"] for i in INTERESTS)
    assert set(used) == category_keys, "every category has at least one interest"


def test_brief_interests_are_present() -> None:
    wanted = {
        "koken", "tuinieren", "dieren", "klussen", "techniek", "computers", "sport", "muziek",
        "creatief", "lezen", "taal", "kinderen", "ouderen", "gezelschap", "administratie",
        "winkel", "logistiek", "natuur", "buurt", "evenementen", "vervoer", "fietsen",
        "schoonmaken", "bakken", "naaien", "fotografie", "theater", "dans", "voorlezen",
        "huiswerkbegeleiding", "boodschappen", "wandelen",
    }  # fmt: skip
    assert wanted <= INTEREST_KEYS


# -- opportunity templates ---------------------------------------------------------------


def test_enough_templates_of_every_kind() -> None:
    assert len(TEMPLATES) >= 60
    assert len(TEMPLATES) >= MIN_PER_MUNICIPALITY
    kinds = Counter(t["kind"] for t in TEMPLATES)
    assert set(kinds) == set(KINDS)
    for kind, share in KIND_SHARES.items():
        assert abs(kinds[kind] / len(TEMPLATES) - share) < 0.07, kinds
    assert math.isclose(sum(KIND_SHARES.values()), 1.0)
    assert len({t["title"] for t in TEMPLATES}) == len(TEMPLATES), "titles are distinct"


@pytest.mark.parametrize("tpl", TEMPLATES, ids=lambda t: t["title"][:40])
def test_template_fields_are_valid(tpl: dict) -> None:
    assert set(tpl) == {
        "kind", "title", "description", "interests", "slots", "min_dutch_level",
        "teaches_level", "accessibility", "ladder_step", "capacity", "monthly_allowance_eur",
    }  # fmt: skip
    assert tpl["kind"] in KINDS
    assert 1 <= len(tpl["interests"]) <= 3
    assert len(set(tpl["interests"])) == len(tpl["interests"])
    assert set(tpl["interests"]) <= INTEREST_KEYS, tpl["interests"]
    assert tpl["slots"] and len(set(tpl["slots"])) == len(tpl["slots"])
    assert set(tpl["slots"]) <= set(SLOTS), tpl["slots"]
    assert tpl["min_dutch_level"] in CEFR_LEVELS
    assert set(tpl["accessibility"]) <= set(ACCESSIBILITY)
    assert len(set(tpl["accessibility"])) == len(tpl["accessibility"])
    assert isinstance(tpl["ladder_step"], int) and 2 <= tpl["ladder_step"] <= 5
    assert isinstance(tpl["capacity"], int) and 1 <= tpl["capacity"] <= 12
    allowance = tpl["monthly_allowance_eur"]
    assert allowance is None or (isinstance(allowance, int) and 25 <= allowance <= 190)
    if tpl["kind"] == "language_course":
        assert tpl["teaches_level"] in CEFR_LEVELS
        # The engine offers a course to people at its level or one below: teach one up.
        assert LEVEL[tpl["teaches_level"]] == LEVEL[tpl["min_dutch_level"]] + 1
        assert allowance is None, "a course pays no volunteer allowance"
        assert "taal" in tpl["interests"] or "voorlezen" in tpl["interests"]
    else:
        assert tpl["teaches_level"] is None
    if tpl["kind"] == "informal_care":
        assert tpl["ladder_step"] <= 4


@pytest.mark.parametrize("tpl", TEMPLATES, ids=lambda t: t["title"][:40])
def test_template_texts(tpl: dict) -> None:
    for field in ("title", "description"):
        text = tpl[field]
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        assert names <= {"wijk", "plek"}, (field, names)
        filled = text.format(wijk="Bos en Lommer", plek="Buurthuis Het Anker")
        assert "{" not in filled and "}" not in filled
        assert filled == filled.strip() and "  " not in filled
    assert len(tpl["title"]) <= 80
    assert 2 <= len(sentences(tpl["description"])) <= 4, tpl["description"]
    assert tpl["description"].rstrip()[-1] in ".!?"
    lowered = tpl["description"].lower()
    assert "in plaats van een betaalde" not in lowered and "vervangt" not in lowered
    if tpl["kind"] == "informal_care":
        assert not [t for t in MEDICAL_TERMS if t in lowered], "never medical tasks"


def test_venues_per_municipality() -> None:
    assert set(VENUES) == SLUGS
    for slug, venues in VENUES.items():
        assert len(venues) >= 6, slug
        assert len({v["name"] for v in venues}) == len(venues), slug
        addresses = {(v["street"], v["number"]) for v in venues}
        assert len(addresses) == len(venues), slug
        for v in venues:
            for key in ("name", "street", "wijk"):
                assert v[key] and "{" not in v[key] and v[key].strip() == v[key], v
            assert re.fullmatch(r"[1-9][0-9]{3}( [A-Z]{2})?", v["postcode"]), v
            assert v["postcode"][:4] in POSTCODES_BY_MUNICIPALITY[slug], v


def test_every_venue_lies_at_its_postcode() -> None:
    """An address and its point agree: the offline postcode centroid is within 1.5 km."""
    far = [
        (slug, v["street"], v["postcode"], round(km(POSTCODES[v["postcode"][:4]], pt), 2))
        for slug, venues in VENUES.items()
        for v in venues
        if km(POSTCODES[v["postcode"][:4]], pt := (v["lat"], v["lon"])) > 1.5
    ]
    assert not far


# -- municipalities, neighbourhoods, postcodes -------------------------------------------


def test_the_seven_municipalities() -> None:
    assert [m["slug"] for m in MUNICIPALITIES] == [
        "amsterdam", "rotterdam", "utrecht", "tilburg", "leeuwarden", "apeldoorn", "epe",
    ]  # fmt: skip
    codes = [m["cbs_code"] for m in MUNICIPALITIES]
    assert len(set(codes)) == 7
    assert dict(zip([m["slug"] for m in MUNICIPALITIES], codes, strict=True)) == {
        "amsterdam": "GM0363",
        "rotterdam": "GM0599",
        "utrecht": "GM0344",
        "tilburg": "GM0855",
        "leeuwarden": "GM0080",
        "apeldoorn": "GM0200",
        "epe": "GM0232",
    }
    for m in MUNICIPALITIES:
        assert m["name"] and len(m["name"]) <= 120
        assert in_netherlands(*m["centre"])


@pytest.mark.parametrize("mun", MUNICIPALITIES, ids=lambda m: m["slug"])
def test_teams(mun: dict) -> None:
    teams = mun["teams"]
    assert 2 <= len(teams) <= 3
    keys = [t["key"] for t in teams]
    assert len(set(keys)) == len(keys)
    for t in teams:
        assert set(t) == {"key", "name", "kind"}
        assert SLUG.fullmatch(t["key"]), t
        assert t["kind"] in TEAM_KINDS and len(t["kind"]) <= 40
        assert t["name"] and len(t["name"]) <= 160


@pytest.mark.parametrize("mun", MUNICIPALITIES, ids=lambda m: m["slug"])
def test_neighbourhoods_and_their_postcodes(mun: dict) -> None:
    hoods = mun["neighbourhoods"]
    assert 8 <= len(hoods) <= 12
    assert len({h["name"] for h in hoods}) == len(hoods)
    centre = mun["centre"]
    for h in hoods:
        point = (h["lat"], h["lon"])
        assert in_netherlands(*point), h["name"]
        assert km(point, centre) <= MAX_KM_FROM_CENTRE, h["name"]
        assert h["postcodes"], h["name"]
        for pc4 in h["postcodes"]:
            assert PC4.fullmatch(pc4), pc4
            assert pc4 in POSTCODES, pc4
            pc_point = POSTCODES[pc4]
            assert in_netherlands(*pc_point), pc4
            assert km(pc_point, centre) <= MAX_KM_FROM_CENTRE, pc4
            assert km(pc_point, point) <= 5.0, (h["name"], pc4)


@pytest.mark.parametrize("mun", MUNICIPALITIES, ids=lambda m: m["slug"])
def test_postcode_table_is_exactly_the_neighbourhood_postcodes(mun: dict) -> None:
    used = {pc for h in mun["neighbourhoods"] for pc in h["postcodes"]}
    assert used == set(POSTCODES_BY_MUNICIPALITY[mun["slug"]])
    assert len(used) >= 6


def test_postcodes_belong_to_one_municipality() -> None:
    seen = Counter(pc for table in POSTCODES_BY_MUNICIPALITY.values() for pc in table)
    assert all(n == 1 for n in seen.values()), [pc for pc, n in seen.items() if n > 1]
    assert set(seen) == set(POSTCODES)
    for pc4, (lat, lon) in POSTCODES.items():
        assert PC4.fullmatch(pc4) and isinstance(lat, float) and isinstance(lon, float)


# -- people and national-scale input -----------------------------------------------------


def test_names_and_goals() -> None:
    assert len(FIRST_NAMES) >= 180
    assert len(set(FIRST_NAMES)) == len(FIRST_NAMES)
    assert all(n and n == n.strip() for n in FIRST_NAMES)
    assert len(set(LAST_NAMES)) == len(LAST_NAMES) >= 50
    assert len(GOALS) >= 30 and len(set(GOALS)) == len(GOALS)
    for goal in GOALS:
        assert goal[0].isupper() and not goal.endswith("."), goal
        assert len(goal) <= 80


def test_cities_for_national_scale() -> None:
    assert 55 <= len(CITIES) <= 70
    names = [c[0] for c in CITIES]
    assert len(set(names)) == len(names)
    for name, lat, lon, population in CITIES:
        assert in_netherlands(lat, lon), name
        assert isinstance(population, int) and 20_000 <= population <= 1_000_000, name
    assert {m["name"] for m in MUNICIPALITIES} <= set(names)
    assert 6_000_000 <= sum(c[3] for c in CITIES) <= 12_000_000
