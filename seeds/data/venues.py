"""Where demo opportunities take place: real streets, their postcode and a point on the street.

Every venue is a real street with a house number in the middle of its range, the postcode
(PC4, or PC6 where it is well known) of that stretch, and a point within a few hundred metres
of the real spot, written from public knowledge. The venue *names* are invented community
centres unless they are well-known public buildings (a library, a community centre that goes by
the street's name). ``wijk`` is the neighbourhood a reader knows the street by; it fills
``{wijk}`` in a template's title, the venue's name fills ``{plek}``.

A test checks that each postcode's centroid in the offline table lies within 1.5 km of the
venue's point, so a demo opportunity's address, point and distance agree.
"""

from __future__ import annotations

from typing import Any


def _v(
    name: str,
    street: str,
    number: str,
    postcode: str,
    lat: float,
    lon: float,
    wijk: str,
    *,
    town: str | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "street": street,
        "number": number,
        "postcode": postcode,
        "lat": lat,
        "lon": lon,
        "wijk": wijk,
        "town": town,
    }


VENUES: dict[str, list[dict[str, Any]]] = {
    "amsterdam": [
        _v("De Meevaart", "Balistraat", "48A", "1094 JN", 52.3619, 4.9409, "Indische Buurt"),
        _v(
            "Buurtkamer De Koffiepot",
            "Javastraat",
            "100",
            "1094",
            52.3628,
            4.9378,
            "Indische Buurt",
        ),
        _v("Buurthuis De Dapper", "Dapperstraat", "40", "1093", 52.3626, 4.9282, "Dapperbuurt"),
        _v("OBA Osdorp", "Osdorpplein", "4", "1068", 52.3585, 4.8005, "Osdorp"),
        _v("Huis van de Wijk Osdorp", "Meer en Vaart", "196", "1068", 52.3628, 4.8012, "Osdorp"),
        _v("Buurthuis De Aker", "Pieter Calandlaan", "200", "1069", 52.3537, 4.7850, "De Aker"),
        _v(
            "Wijkcentrum Geuzenveld",
            "Lambertus Zijlplein",
            "10",
            "1067",
            52.3805,
            4.7905,
            "Geuzenveld",
        ),
        _v(
            "Buurtcentrum Slotermeer",
            "Slotermeerlaan",
            "103",
            "1063",
            52.3812,
            4.8155,
            "Slotermeer",
        ),
        _v(
            "Buurthuis Bos en Lommer",
            "Bos en Lommerweg",
            "160",
            "1055",
            52.3790,
            4.8530,
            "Bos en Lommer",
        ),
        _v("Buurthuis De Pijp", "Albert Cuypstraat", "60", "1072", 52.3565, 4.8915, "De Pijp"),
        _v("Wijkcentrum De Meer", "Middenweg", "60", "1097", 52.3530, 4.9430, "Watergraafsmeer"),
        _v(
            "Buurtcentrum Kraaiennest",
            "Kraaiennest",
            "100",
            "1104",
            52.3020,
            4.9720,
            "Bijlmer-Oost",
        ),
        _v(
            "Wijkcentrum Bijlmerplein",
            "Bijlmerplein",
            "400",
            "1102",
            52.3125,
            4.9500,
            "Bijlmer-Centrum",
        ),
        _v("Dynamo Noord", "Van der Pekstraat", "70", "1031", 52.3895, 4.9075, "Van der Pekbuurt"),
    ],
    "rotterdam": [
        _v(
            "Huis van de Wijk Hillesluis",
            "Beijerlandselaan",
            "120",
            "3074",
            51.8930,
            4.5130,
            "Hillesluis",
        ),
        _v(
            "Buurthuis Afrikaanderwijk",
            "Pretorialaan",
            "60",
            "3072",
            51.8985,
            4.4990,
            "Afrikaanderwijk",
        ),
        _v(
            "Huis van de Wijk Feijenoord",
            "Oranjeboomstraat",
            "100",
            "3071",
            51.9045,
            4.4990,
            "Feijenoord",
        ),
        _v(
            "Buurthuis Tarwewijk",
            "Wolphaertsbocht",
            "200",
            "3081",
            51.8895,
            4.4830,
            "Tarwewijk",
        ),
        _v(
            "Huis van de Wijk Charlois",
            "Charloisse Lagedijk",
            "100",
            "3082",
            51.8830,
            4.4730,
            "Oud-Charlois",
        ),
        _v("Buurthuis Carnisse", "Carnisselaan", "50", "3083", 51.8790, 4.4860, "Carnisse"),
        _v("Wijkcentrum IJsselmonde", "Vuurplaat", "20", "3077", 51.8905, 4.5520, "IJsselmonde"),
        _v(
            "Huis van de Wijk Bospolder",
            "Schiedamseweg",
            "200",
            "3025",
            51.9105,
            4.4420,
            "Bospolder",
        ),
        _v(
            "Buurtcentrum Middelland",
            "1e Middellandstraat",
            "50",
            "3021",
            51.9165,
            4.4630,
            "Middelland",
        ),
        _v("Wijkcentrum Het Klooster", "Oudedijk", "200", "3061", 51.9215, 4.5070, "Kralingen"),
        _v("Buurthuis Crooswijk", "Boezemsingel", "14", "3034", 51.9280, 4.4990, "Crooswijk"),
        _v("Wijkcentrum Hoogvliet", "Binnenban", "27", "3192", 51.8600, 4.3560, "Hoogvliet"),
        _v("Buurthuis De Esch", "Ommoordseweg", "100", "3068", 51.9580, 4.5350, "Ommoord"),
    ],
    "utrecht": [
        _v("Buurtcentrum Lombok", "Kanaalstraat", "100", "3531", 52.0918, 5.1010, "Lombok"),
        _v("Wijkcentrum Oog in Al", "Vleutenseweg", "390", "3532", 52.0940, 5.0900, "Oog in Al"),
        _v(
            "Wijkcentrum Zuilen",
            "Amsterdamsestraatweg",
            "500",
            "3551",
            52.1060,
            5.0955,
            "Zuilen",
        ),
        _v("Buurthuis Ondiep", "Marnixlaan", "20", "3552", 52.1010, 5.1020, "Ondiep"),
        _v("Buurtcentrum De Dreef", "Neckardreef", "4", "3562", 52.1190, 5.1080, "Overvecht"),
        _v(
            "Bibliotheek Kanaleneiland",
            "Columbuslaan",
            "50",
            "3526",
            52.0740,
            5.1010,
            "Kanaleneiland",
        ),
        _v("Buurthuis Hoograven", "Briljantlaan", "100", "3525", 52.0745, 5.1270, "Hoograven"),
        _v("Buurthuis Lunetten", "Hondsrug", "23", "3524", 52.0640, 5.1390, "Lunetten"),
        _v(
            "Wijkcentrum Wittevrouwen", "Biltstraat", "100", "3572", 52.0945, 5.1310, "Wittevrouwen"
        ),
    ],
    "tilburg": [
        _v("Buurthuis Het Heuveltje", "Heuvel", "10", "5038", 51.5555, 5.0830, "Centrum"),
        _v(
            "LocHal",
            "Burgemeester Brokxlaan",
            "1000",
            "5041 SG",
            51.5605,
            5.0845,
            "Spoorzone",
        ),
        _v("Buurthuis Korvel", "Korvelseweg", "150", "5025", 51.5500, 5.0720, "Korvel"),
        _v("Buurthuis De Pius", "Piusstraat", "50", "5021", 51.5650, 5.0700, "Goirke"),
        _v(
            "Buurthuis Stokhasselt",
            "Stokhasseltlaan",
            "20",
            "5045",
            51.5850,
            5.0820,
            "Stokhasselt",
        ),
        _v(
            "Dorpshuis Udenhout",
            "Kreitenmolenstraat",
            "50",
            "5071",
            51.6100,
            5.1430,
            "Udenhout",
            town="Udenhout",
        ),
    ],
    "leeuwarden": [
        _v("Blokhuispoort", "Blokhuisplein", "40", "8911 LJ", 53.2007, 5.7880, "Binnenstad"),
        _v("Buurthuis De Nieuwestad", "Nieuwestad", "60", "8911", 53.2010, 5.7950, "Binnenstad"),
        _v("Wijkcentrum De Voorstreek", "Voorstreek", "40", "8911", 53.2040, 5.7960, "Binnenstad"),
        _v(
            "Ontmoetingscentrum Tweebaksmarkt",
            "Tweebaksmarkt",
            "20",
            "8911",
            53.2020,
            5.7930,
            "Binnenstad",
        ),
        _v("Wijkcentrum Bilgaard", "Bilgaardpark", "2", "8918", 53.2180, 5.7970, "Bilgaard"),
        _v(
            "Buurthuis Westeinde",
            "Harlingerstraatweg",
            "50",
            "8917",
            53.2020,
            5.7760,
            "Westeinde",
        ),
        _v("Buurthuis Oud-Oost", "Groningerstraatweg", "40", "8922", 53.2060, 5.8150, "Oud-Oost"),
        _v("Wijkgebouw Huizum", "Drachtsterweg", "30", "8932", 53.1925, 5.8120, "Huizum"),
        _v(
            "Buurthuis Oranjewijk",
            "Tesselschadestraat",
            "20",
            "8913",
            53.1990,
            5.7880,
            "Oranjewijk",
        ),
    ],
    "apeldoorn": [
        _v("Buurthuis De Hoofdstraat", "Hoofdstraat", "100", "7311", 52.2110, 5.9640, "Binnenstad"),
        _v("CODA Bibliotheek", "Vosselmanstraat", "299", "7311 CL", 52.2120, 5.9570, "Binnenstad"),
        _v(
            "Ontmoetingscentrum Marktplein",
            "Marktplein",
            "5",
            "7311",
            52.2115,
            5.9665,
            "Binnenstad",
        ),
        _v(
            "Wijkcentrum Zevenhuizen",
            "Laan van Zevenhuizen",
            "200",
            "7322",
            52.2330,
            5.9710,
            "Zevenhuizen",
        ),
        _v(
            "Wijkcentrum Osseveld",
            "Laan van Osseveld",
            "50",
            "7326",
            52.2150,
            6.0050,
            "Osseveld",
        ),
        _v("Buurthuis De Maten", "Laan van Maten", "100", "7329", 52.1985, 5.9970, "De Maten"),
        _v("Dorpshuis Ugchelen", "Ugchelseweg", "150", "7339", 52.1840, 5.9400, "Ugchelen"),
        _v(
            "Dorpshuis Beekbergen",
            "Dorpsstraat",
            "20",
            "7361",
            52.1600,
            5.9650,
            "Beekbergen",
            town="Beekbergen",
        ),
    ],
    "epe": [
        _v("Bibliotheek Epe", "Hoofdstraat", "50", "8161", 52.3475, 5.9850, "Epe-Centrum"),
        _v(
            "Ontmoetingscentrum De Stationsstraat",
            "Stationsstraat",
            "20",
            "8161",
            52.3490,
            5.9800,
            "Epe-Centrum",
        ),
        _v("Buurthuis Epe-Noord", "Heerderweg", "40", "8162", 52.3540, 5.9860, "Epe-Noord"),
        _v("Buurthuis De Beek", "Beekstraat", "10", "8161", 52.3480, 5.9830, "Epe-Centrum"),
        _v(
            "Kulturhus Vaassen",
            "Dorpsstraat",
            "30",
            "8171",
            52.2870,
            5.9680,
            "Vaassen",
            town="Vaassen",
        ),
        _v(
            "Dorpshuis Emst",
            "Hoofdweg",
            "100",
            "8166",
            52.3150,
            5.9720,
            "Emst",
            town="Emst",
        ),
    ],
}
"""Per municipality slug: the places demo opportunities are at."""

FIRST_NAMES = (
    "Anouk", "Bram", "Chantal", "Dirk", "Esra", "Fatima", "Gert", "Hanneke", "Ilse", "Jeroen",
    "Karin", "Leila", "Marco", "Nadia", "Pieter", "Roos", "Samira", "Thijs", "Wendy", "Youssef",
)  # fmt: skip
"""First names of the demo contact people at the venues (invented people)."""


def address_of(venue: dict[str, Any], city: str) -> str:
    """'Balistraat 48A, 1094 JN Amsterdam'."""
    return f"{venue['street']} {venue['number']}, {venue['postcode']} {venue['town'] or city}"


def directions_of(venue: dict[str, Any]) -> str:
    """Plain B1 directions that only repeat what the address says."""
    return (
        f"Je vindt ons op {venue['street']} {venue['number']}. Ga naar binnen en meld je bij de"
        " balie of bij de contactpersoon; zij wijzen je de weg."
    )
