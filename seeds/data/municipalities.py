"""The seven demo municipalities: real neighbourhoods, their PC4 postcodes and demo teams.

Neighbourhood names are real; centroids are approximate (a few hundred metres). Every
postcode listed here has a centroid in ``api.geocoding.postcodes.POSTCODES``. Team names are
invented but plausible; they are demo organisations, not the real ones.

Team kinds: ``wijkteam`` (neighbourhood team of the municipality), ``volunteer_centre``,
``library`` (library or Taalhuis), ``carer_support`` (mantelzorg support point),
``organisation`` (any other local organisation).
"""

from __future__ import annotations

from typing import Any

TEAM_KINDS: tuple[str, ...] = (
    "wijkteam",
    "volunteer_centre",
    "library",
    "carer_support",
    "organisation",
)


def _n(name: str, lat: float, lon: float, *postcodes: str) -> dict[str, Any]:
    return {"name": name, "lat": lat, "lon": lon, "postcodes": list(postcodes)}


def _t(key: str, name: str, kind: str) -> dict[str, str]:
    return {"key": key, "name": name, "kind": kind}


MUNICIPALITIES: list[dict[str, Any]] = [
    {
        "slug": "amsterdam",
        "name": "Amsterdam",
        "cbs_code": "GM0363",
        "centre": (52.3728, 4.8936),
        "neighbourhoods": [
            _n("Osdorp", 52.3580, 4.7900, "1068", "1069"),
            _n("Geuzenveld", 52.3830, 4.7950, "1067"),
            _n("Slotermeer", 52.3830, 4.8200, "1063", "1064"),
            _n("Slotervaart", 52.3590, 4.8280, "1065", "1066"),
            _n("Bos en Lommer", 52.3780, 4.8510, "1055", "1056"),
            _n("Indische Buurt", 52.3650, 4.9450, "1094", "1095"),
            _n("Transvaalbuurt", 52.3570, 4.9270, "1092", "1093"),
            _n("Watergraafsmeer", 52.3500, 4.9450, "1097", "1098"),
            _n("De Pijp", 52.3540, 4.8960, "1072", "1073", "1074"),
            _n("Tuindorp Oostzaan", 52.4040, 4.8850, "1033"),
            _n("Banne Buiksloot", 52.4080, 4.9080, "1034", "1031"),
            _n("Bijlmer-Centrum", 52.3150, 4.9600, "1102", "1103", "1104"),
        ],
        "teams": [
            _t("buurtteam-nieuw-west", "Buurtteam Nieuw-West", "wijkteam"),
            _t("vrijwilligerscentrale", "Vrijwilligerscentrale Amsterdam", "volunteer_centre"),
            _t("taalhuis-oba-oost", "Taalhuis OBA Oost", "library"),
        ],
    },
    {
        "slug": "rotterdam",
        "name": "Rotterdam",
        "cbs_code": "GM0599",
        "centre": (51.9225, 4.4792),
        "neighbourhoods": [
            _n("Feijenoord", 51.9050, 4.5010, "3071"),
            _n("Afrikaanderwijk", 51.8990, 4.4960, "3072"),
            _n("Bloemhof", 51.8920, 4.5120, "3073", "3074"),
            _n("Charlois", 51.8830, 4.4810, "3081", "3082", "3083"),
            _n("IJsselmonde", 51.8850, 4.5510, "3077", "3078"),
            _n("Delfshaven", 51.9100, 4.4420, "3024", "3025", "3026"),
            _n("Middelland", 51.9160, 4.4580, "3021", "3022"),
            _n("Kralingen", 51.9240, 4.5080, "3061", "3062", "3063"),
            _n("Crooswijk", 51.9290, 4.4950, "3034"),
            _n("Oude Noorden", 51.9320, 4.4820, "3036"),
            _n("Hoogvliet", 51.8580, 4.3540, "3191", "3192", "3193", "3194"),
            _n("Prins Alexander", 51.9540, 4.5430, "3067", "3068", "3069"),
        ],
        "teams": [
            _t("wijkteam-feijenoord", "Wijkteam Feijenoord", "wijkteam"),
            _t("taalhuis-bibliotheek", "Bibliotheek Rotterdam Taalhuis", "library"),
            _t("mantelzorg-zuid", "Stichting Mantelzorg Rotterdam-Zuid", "carer_support"),
        ],
    },
    {
        "slug": "utrecht",
        "name": "Utrecht",
        "cbs_code": "GM0344",
        "centre": (52.0907, 5.1214),
        "neighbourhoods": [
            _n("Overvecht", 52.1190, 5.1120, "3561", "3562", "3563", "3564"),
            _n("Kanaleneiland", 52.0730, 5.1020, "3526", "3527"),
            _n("Zuilen", 52.1090, 5.0950, "3551", "3552", "3553"),
            _n("Lombok", 52.0910, 5.1030, "3531"),
            _n("Oog in Al", 52.0960, 5.0870, "3532"),
            _n("Hoograven", 52.0760, 5.1270, "3525"),
            _n("Rivierenwijk", 52.0780, 5.1160, "3522"),
            _n("Lunetten", 52.0660, 5.1390, "3524"),
            _n("Wittevrouwen", 52.0980, 5.1300, "3572"),
            _n("Leidsche Rijn", 52.0920, 5.0490, "3543", "3544", "3545"),
            _n("Vleuten-De Meern", 52.0880, 5.0170, "3451", "3452", "3453", "3454"),
        ],
        "teams": [
            _t("buurtteam-overvecht", "Buurtteam Overvecht", "wijkteam"),
            _t("vrijwilligerscentrale", "Vrijwilligerscentrale Utrecht", "volunteer_centre"),
            _t("taalhuis-utrecht", "Taalhuis Bibliotheek Utrecht", "library"),
        ],
    },
    {
        "slug": "tilburg",
        "name": "Tilburg",
        "cbs_code": "GM0855",
        "centre": (51.5555, 5.0913),
        "neighbourhoods": [
            _n("Centrum", 51.5590, 5.0870, "5038", "5041"),
            _n("Goirke en Hasselt", 51.5690, 5.0810, "5021", "5022"),
            _n("Korvel", 51.5500, 5.0700, "5025"),
            _n("Broekhoven", 51.5460, 5.0860, "5036"),
            _n("Jeruzalem", 51.5600, 5.1050, "5018"),
            _n("Wandelbos", 51.5630, 5.0520, "5042"),
            _n("Stokhasselt", 51.5850, 5.0820, "5045"),
            _n("Heikant", 51.5870, 5.0640, "5046"),
            _n("Quirijnstok", 51.5830, 5.0980, "5047"),
            _n("Reeshof", 51.5740, 5.0160, "5043", "5044"),
            _n("Berkel-Enschot", 51.5840, 5.1440, "5056", "5057"),
            _n("Udenhout", 51.6100, 5.1440, "5071"),
        ],
        "teams": [
            _t("wijkteam-noord", "Wijkteam Tilburg-Noord", "wijkteam"),
            _t("mantelzorg-tilburg", "Stichting Mantelzorg Tilburg", "carer_support"),
            _t("taalhuis-midden-brabant", "Taalhuis Bibliotheek Midden-Brabant", "library"),
        ],
    },
    {
        "slug": "leeuwarden",
        "name": "Leeuwarden",
        "cbs_code": "GM0080",
        "centre": (53.2012, 5.7999),
        "neighbourhoods": [
            _n("Binnenstad", 53.2020, 5.7960, "8911", "8912"),
            _n("Oranjewijk", 53.1970, 5.7860, "8913"),
            _n("Vrijheidswijk", 53.2110, 5.7700, "8921", "8917"),
            _n("Bilgaard", 53.2180, 5.8020, "8918", "8919"),
            _n("Oud-Oost", 53.2030, 5.8160, "8922", "8923"),
            _n("Heechterp en Schieringen", 53.2080, 5.8320, "8924"),
            _n("Camminghaburen", 53.2080, 5.8490, "8925", "8926"),
            _n("Huizum", 53.1900, 5.8110, "8931", "8932"),
            _n("Aldlân en Nijlân", 53.1845, 5.8160, "8933", "8934"),
            _n("Zuiderburen", 53.1770, 5.8010, "8935", "8936"),
            _n("Stiens", 53.2630, 5.7590, "9051"),
            _n("Grou", 53.0960, 5.8350, "9001"),
        ],
        "teams": [
            _t("gebiedsteam-oost", "Gebiedsteam Leeuwarden-Oost", "wijkteam"),
            _t("vrijwilligerscentrale", "Vrijwilligerscentrale Leeuwarden", "volunteer_centre"),
            _t("taalhuis-leeuwarden", "Taalhuis Bibliotheek Leeuwarden", "library"),
        ],
    },
    {
        "slug": "apeldoorn",
        "name": "Apeldoorn",
        "cbs_code": "GM0200",
        "centre": (52.2112, 5.9699),
        "neighbourhoods": [
            _n("Binnenstad", 52.2110, 5.9680, "7311"),
            _n("Orden", 52.2060, 5.9360, "7315"),
            _n("Staatsliedenkwartier", 52.2240, 5.9550, "7316"),
            _n("Zevenhuizen", 52.2330, 5.9710, "7322"),
            _n("Kerschoten", 52.2260, 5.9900, "7325"),
            _n("Osseveld-Woudhuis", 52.2150, 6.0120, "7326"),
            _n("De Maten", 52.1980, 5.9990, "7329"),
            _n("Zuidbroek", 52.1880, 6.0040, "7328"),
            _n("Ugchelen", 52.1830, 5.9380, "7339"),
            _n("Beekbergen", 52.1600, 5.9660, "7361"),
            _n("Loenen", 52.1200, 6.0180, "7371"),
        ],
        "teams": [
            _t("sociaal-wijkteam-zevenhuizen", "Sociaal Wijkteam Zevenhuizen", "wijkteam"),
            _t("taalhuis-coda", "Taalhuis CODA Apeldoorn", "library"),
            _t("mantelzorgsteunpunt", "Mantelzorgsteunpunt Apeldoorn", "carer_support"),
        ],
    },
    {
        "slug": "epe",
        "name": "Epe",
        "cbs_code": "GM0232",
        "centre": (52.3475, 5.9840),
        "neighbourhoods": [
            _n("Epe-Centrum", 52.3475, 5.9830, "8161"),
            _n("Epe-Noord", 52.3580, 5.9790, "8162"),
            _n("Tongeren", 52.3650, 5.9550, "8162"),
            _n("Epe-Zuid", 52.3370, 5.9830, "8163"),
            _n("Emst", 52.3150, 5.9720, "8166"),
            _n("Oene", 52.3560, 6.0480, "8167"),
            _n("Vaassen-Centrum", 52.2870, 5.9680, "8171"),
            _n("Vaassen-Oost", 52.2860, 5.9850, "8172"),
        ],
        "teams": [
            _t("sociaal-team-epe", "Sociaal Team Epe", "wijkteam"),
            _t("vrijwilligerspunt", "Vrijwilligerspunt Epe-Vaassen", "volunteer_centre"),
            _t("taalpunt-bibliotheek", "Taalpunt Bibliotheek Epe", "library"),
        ],
    },
]

MUNICIPALITY_BY_SLUG: dict[str, dict[str, Any]] = {m["slug"]: m for m in MUNICIPALITIES}
