"""Interest taxonomy: categories and interests with stable slugs and labels in every language.

Keys are stable lowercase ASCII slugs; they are stored on profiles and opportunities, so
never rename one (add a new key and migrate instead). A label is an English msgid with the
context "interest" or "interest category"; its Dutch (and every other language) is in the
catalogues (api/locale). Labels are lowercase, as they are shown inside sentences
("je houdt van koken").
"""

from __future__ import annotations

from api.i18n import Term


def _c(key: str, label: Term) -> dict[str, str]:
    return {"key": key, "label": label}


CATEGORIES: list[dict[str, str]] = [
    _c("zorg-welzijn", Term("interest category", "care and wellbeing")),
    _c("eten-drinken", Term("interest category", "food and drink")),
    _c("natuur-dieren", Term("interest category", "nature and animals")),
    _c("techniek-klussen", Term("interest category", "technology and odd jobs")),
    _c("sport-bewegen", Term("interest category", "sport and exercise")),
    _c("cultuur-creatief", Term("interest category", "culture and creativity")),
    _c("taal-leren", Term("interest category", "language and learning")),
    _c("buurt-organisatie", Term("interest category", "neighbourhood and organising")),
    _c("winkel-logistiek", Term("interest category", "shop and logistics")),
]


def _i(key: str, category: str, label: Term) -> dict[str, str]:
    return {"key": key, "category": category, "label": label}


INTERESTS: list[dict[str, str]] = [
    # zorg en welzijn (never medical: company, support and practical help only)
    _i("ouderen", "zorg-welzijn", Term("interest", "older people")),
    _i("gezelschap", "zorg-welzijn", Term("interest", "keeping someone company")),
    _i("boodschappen", "zorg-welzijn", Term("interest", "doing the shopping")),
    _i("kinderen", "zorg-welzijn", Term("interest", "children")),
    _i("luisteren", "zorg-welzijn", Term("interest", "being a listening ear")),
    _i("mantelzorgers", "zorg-welzijn", Term("interest", "giving carers a break")),
    _i("beperking", "zorg-welzijn", Term("interest", "people with a disability")),
    # eten en drinken
    _i("koken", "eten-drinken", Term("interest", "cooking")),
    _i("bakken", "eten-drinken", Term("interest", "baking")),
    _i("voedselhulp", "eten-drinken", Term("interest", "food bank and food aid")),
    _i("horeca", "eten-drinken", Term("interest", "hospitality and serving")),
    # natuur en dieren
    _i("tuinieren", "natuur-dieren", Term("interest", "gardening")),
    _i("dieren", "natuur-dieren", Term("interest", "animals")),
    _i("natuur", "natuur-dieren", Term("interest", "nature")),
    _i("duurzaamheid", "natuur-dieren", Term("interest", "sustainability")),
    # techniek en klussen
    _i("klussen", "techniek-klussen", Term("interest", "odd jobs and DIY")),
    _i("techniek", "techniek-klussen", Term("interest", "technology")),
    _i("computers", "techniek-klussen", Term("interest", "computers")),
    _i("fietsen", "techniek-klussen", Term("interest", "bikes and bike repair")),
    _i("repareren", "techniek-klussen", Term("interest", "repairing things")),
    # sport en bewegen
    _i("sport", "sport-bewegen", Term("interest", "sport")),
    _i("dans", "sport-bewegen", Term("interest", "dancing")),
    _i("wandelen", "sport-bewegen", Term("interest", "walking")),
    _i("voetbal", "sport-bewegen", Term("interest", "football")),
    _i("zwemmen", "sport-bewegen", Term("interest", "swimming")),
    # cultuur en creativiteit
    _i("muziek", "cultuur-creatief", Term("interest", "music")),
    _i("creatief", "cultuur-creatief", Term("interest", "arts and crafts")),
    _i("fotografie", "cultuur-creatief", Term("interest", "photography")),
    _i("theater", "cultuur-creatief", Term("interest", "theatre")),
    _i("naaien", "cultuur-creatief", Term("interest", "sewing and needlework")),
    # taal en leren
    _i("taal", "taal-leren", Term("interest", "learning languages")),
    _i("lezen", "taal-leren", Term("interest", "reading")),
    _i("voorlezen", "taal-leren", Term("interest", "reading aloud")),
    _i("huiswerkbegeleiding", "taal-leren", Term("interest", "homework support")),
    _i("vertalen", "taal-leren", Term("interest", "interpreting and translating")),
    # buurt en organisatie
    _i("buurt", "buurt-organisatie", Term("interest", "the neighbourhood")),
    _i("evenementen", "buurt-organisatie", Term("interest", "events")),
    _i("administratie", "buurt-organisatie", Term("interest", "administration")),
    _i("schoonmaken", "buurt-organisatie", Term("interest", "cleaning")),
    _i("ontvangst", "buurt-organisatie", Term("interest", "welcoming visitors")),
    # winkel en logistiek
    _i("winkel", "winkel-logistiek", Term("interest", "shop and sales")),
    _i("logistiek", "winkel-logistiek", Term("interest", "warehouse and logistics")),
    _i("vervoer", "winkel-logistiek", Term("interest", "transport and driving")),
    _i("kringloop", "winkel-logistiek", Term("interest", "second-hand and recycling")),
]

CATEGORY_KEYS: frozenset[str] = frozenset(c["key"] for c in CATEGORIES)
INTEREST_KEYS: frozenset[str] = frozenset(i["key"] for i in INTERESTS)
INTEREST_CATEGORY: dict[str, str] = {i["key"]: i["category"] for i in INTERESTS}
"""Interest key -> category key (the matching engine uses this for 'same category' scores)."""
