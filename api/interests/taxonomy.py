"""Interest taxonomy: categories and interests with stable slugs and Dutch/English labels.

Keys are stable lowercase ASCII slugs; they are stored on profiles and opportunities, so
never rename one (add a new key and migrate instead). Dutch labels are lowercase, as they are
shown inside sentences ("je houdt van koken").
"""

from __future__ import annotations


def _c(key: str, nl: str, en: str) -> dict[str, str]:
    return {"key": key, "nl": nl, "en": en}


CATEGORIES: list[dict[str, str]] = [
    _c("zorg-welzijn", "zorg en welzijn", "care and wellbeing"),
    _c("eten-drinken", "eten en drinken", "food and drink"),
    _c("natuur-dieren", "natuur en dieren", "nature and animals"),
    _c("techniek-klussen", "techniek en klussen", "technology and odd jobs"),
    _c("sport-bewegen", "sport en bewegen", "sport and exercise"),
    _c("cultuur-creatief", "cultuur en creativiteit", "culture and creativity"),
    _c("taal-leren", "taal en leren", "language and learning"),
    _c("buurt-organisatie", "buurt en organisatie", "neighbourhood and organising"),
    _c("winkel-logistiek", "winkel en logistiek", "shop and logistics"),
]


def _i(key: str, category: str, nl: str, en: str) -> dict[str, str]:
    return {"key": key, "category": category, "nl": nl, "en": en}


INTERESTS: list[dict[str, str]] = [
    # zorg en welzijn (never medical: company, support and practical help only)
    _i("ouderen", "zorg-welzijn", "ouderen", "older people"),
    _i("gezelschap", "zorg-welzijn", "gezelschap houden", "keeping someone company"),
    _i("boodschappen", "zorg-welzijn", "boodschappen doen", "doing the shopping"),
    _i("kinderen", "zorg-welzijn", "kinderen", "children"),
    _i("luisteren", "zorg-welzijn", "een luisterend oor bieden", "being a listening ear"),
    _i("mantelzorgers", "zorg-welzijn", "mantelzorgers ontlasten", "giving carers a break"),
    _i("beperking", "zorg-welzijn", "mensen met een beperking", "people with a disability"),
    # eten en drinken
    _i("koken", "eten-drinken", "koken", "cooking"),
    _i("bakken", "eten-drinken", "bakken", "baking"),
    _i("voedselhulp", "eten-drinken", "voedselbank en voedselhulp", "food bank and food aid"),
    _i("horeca", "eten-drinken", "gastvrijheid en bediening", "hospitality and serving"),
    # natuur en dieren
    _i("tuinieren", "natuur-dieren", "tuinieren", "gardening"),
    _i("dieren", "natuur-dieren", "dieren", "animals"),
    _i("natuur", "natuur-dieren", "natuur", "nature"),
    _i("duurzaamheid", "natuur-dieren", "duurzaamheid", "sustainability"),
    # techniek en klussen
    _i("klussen", "techniek-klussen", "klussen", "odd jobs and DIY"),
    _i("techniek", "techniek-klussen", "techniek", "technology"),
    _i("computers", "techniek-klussen", "computers", "computers"),
    _i("fietsen", "techniek-klussen", "fietsen en fietsreparatie", "bikes and bike repair"),
    _i("repareren", "techniek-klussen", "spullen repareren", "repairing things"),
    # sport en bewegen
    _i("sport", "sport-bewegen", "sport", "sport"),
    _i("dans", "sport-bewegen", "dansen", "dancing"),
    _i("wandelen", "sport-bewegen", "wandelen", "walking"),
    _i("voetbal", "sport-bewegen", "voetbal", "football"),
    _i("zwemmen", "sport-bewegen", "zwemmen", "swimming"),
    # cultuur en creativiteit
    _i("muziek", "cultuur-creatief", "muziek", "music"),
    _i("creatief", "cultuur-creatief", "creatief bezig zijn", "arts and crafts"),
    _i("fotografie", "cultuur-creatief", "fotografie", "photography"),
    _i("theater", "cultuur-creatief", "theater", "theatre"),
    _i("naaien", "cultuur-creatief", "naaien en handwerken", "sewing and needlework"),
    # taal en leren
    _i("taal", "taal-leren", "talen leren", "learning languages"),
    _i("lezen", "taal-leren", "lezen", "reading"),
    _i("voorlezen", "taal-leren", "voorlezen", "reading aloud"),
    _i("huiswerkbegeleiding", "taal-leren", "huiswerkbegeleiding", "homework support"),
    _i("vertalen", "taal-leren", "tolken en vertalen", "interpreting and translating"),
    # buurt en organisatie
    _i("buurt", "buurt-organisatie", "de buurt", "the neighbourhood"),
    _i("evenementen", "buurt-organisatie", "evenementen", "events"),
    _i("administratie", "buurt-organisatie", "administratie", "administration"),
    _i("schoonmaken", "buurt-organisatie", "schoonmaken", "cleaning"),
    _i("ontvangst", "buurt-organisatie", "gastvrouw of gastheer zijn", "welcoming visitors"),
    # winkel en logistiek
    _i("winkel", "winkel-logistiek", "winkel en verkoop", "shop and sales"),
    _i("logistiek", "winkel-logistiek", "magazijn en logistiek", "warehouse and logistics"),
    _i("vervoer", "winkel-logistiek", "vervoer en rijden", "transport and driving"),
    _i("kringloop", "winkel-logistiek", "kringloop en tweedehands", "second-hand and recycling"),
]

CATEGORY_KEYS: frozenset[str] = frozenset(c["key"] for c in CATEGORIES)
INTEREST_KEYS: frozenset[str] = frozenset(i["key"] for i in INTERESTS)
INTEREST_CATEGORY: dict[str, str] = {i["key"]: i["category"] for i in INTERESTS}
"""Interest key -> category key (the matching engine uses this for 'same category' scores)."""
