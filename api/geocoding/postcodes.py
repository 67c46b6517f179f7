"""PC4 -> approximate centroid (lat, lon, WGS84): the offline geocoder's table.

Written by hand from public knowledge: good to a few hundred metres, which is all the
product needs (a recipient's home is only ever stored as a PC4-level coarse point).
It covers the seven demo municipalities: every PC4 referenced by a neighbourhood in
``seeds/data/municipalities.py`` is listed here. ``OfflineGeocoder`` uses ``POSTCODES``.
"""

from __future__ import annotations

POSTCODES_BY_MUNICIPALITY: dict[str, dict[str, tuple[float, float]]] = {
    "amsterdam": {
        "1031": (52.3920, 4.9040),  # Volewijck / Overhoeks
        "1033": (52.4040, 4.8850),  # Tuindorp Oostzaan
        "1034": (52.4080, 4.9080),  # Banne Buiksloot
        "1055": (52.3800, 4.8500),  # Bos en Lommer
        "1056": (52.3730, 4.8530),  # Bos en Lommer / Baarsjes
        "1063": (52.3800, 4.8150),  # Slotermeer-Zuidwest
        "1064": (52.3860, 4.8280),  # Slotermeer-Noordoost
        "1065": (52.3620, 4.8350),  # Slotervaart-Noord / Overtoomse Veld
        "1066": (52.3550, 4.8200),  # Slotervaart-Zuid
        "1067": (52.3830, 4.7950),  # Geuzenveld
        "1068": (52.3600, 4.7950),  # Osdorp
        "1069": (52.3520, 4.7800),  # Osdorp / De Aker
        "1072": (52.3540, 4.8920),  # De Pijp (Oude Pijp)
        "1073": (52.3520, 4.8980),  # De Pijp (Nieuwe Pijp)
        "1074": (52.3560, 4.9010),  # De Pijp (Sarphatipark)
        "1092": (52.3560, 4.9250),  # Oosterpark / Transvaalbuurt
        "1093": (52.3600, 4.9300),  # Dapperbuurt / Transvaalbuurt
        "1094": (52.3640, 4.9400),  # Indische Buurt West
        "1095": (52.3670, 4.9520),  # Indische Buurt Oost
        "1097": (52.3500, 4.9400),  # Watergraafsmeer
        "1098": (52.3520, 4.9530),  # Watergraafsmeer / Science Park
        "1102": (52.3150, 4.9520),  # Bijlmer-Centrum
        "1103": (52.3180, 4.9700),  # Bijlmer-Centrum / Bijlmer-Oost
        "1104": (52.3090, 4.9780),  # Bijlmer-Oost
    },
    "rotterdam": {
        "3021": (51.9170, 4.4620),  # Middelland
        "3022": (51.9140, 4.4530),  # Nieuwe Westen
        "3024": (51.9060, 4.4470),  # Delfshaven
        "3025": (51.9100, 4.4420),  # Bospolder / Tussendijken
        "3026": (51.9140, 4.4360),  # Spangen
        "3034": (51.9290, 4.4950),  # Crooswijk
        "3036": (51.9320, 4.4820),  # Oude Noorden
        "3061": (51.9240, 4.5000),  # Kralingen-West
        "3062": (51.9170, 4.5140),  # Kralingen-Oost
        "3063": (51.9300, 4.5110),  # Kralingen / Kralingse Bos
        "3067": (51.9450, 4.5400),  # Het Lage Land / Prinsenland
        "3068": (51.9600, 4.5350),  # Ommoord
        "3069": (51.9560, 4.5550),  # Zevenkamp
        "3071": (51.9050, 4.5010),  # Feijenoord
        "3072": (51.8990, 4.4960),  # Afrikaanderwijk
        "3073": (51.8930, 4.5060),  # Bloemhof
        "3074": (51.8910, 4.5190),  # Hillesluis
        "3077": (51.8900, 4.5540),  # IJsselmonde (Groot-IJsselmonde)
        "3078": (51.8800, 4.5480),  # IJsselmonde (Hordijkerveld)
        "3081": (51.8890, 4.4860),  # Tarwewijk
        "3082": (51.8820, 4.4700),  # Oud-Charlois
        "3083": (51.8790, 4.4880),  # Carnisse
        "3191": (51.8640, 4.3620),  # Hoogvliet-Noord
        "3192": (51.8600, 4.3500),  # Hoogvliet
        "3193": (51.8530, 4.3600),  # Hoogvliet-Zuid
        "3194": (51.8560, 4.3450),  # Hoogvliet (Tussenwater)
    },
    "utrecht": {
        "3451": (52.0880, 5.0070),  # Vleuten
        "3452": (52.1060, 5.0140),  # Vleuten-Noord
        "3453": (52.0800, 5.0300),  # De Meern
        "3454": (52.0770, 5.0200),  # De Meern-Zuid
        "3522": (52.0780, 5.1160),  # Rivierenwijk
        "3524": (52.0660, 5.1390),  # Lunetten
        "3525": (52.0760, 5.1270),  # Hoograven
        "3526": (52.0760, 5.0990),  # Kanaleneiland-Noord
        "3527": (52.0700, 5.1060),  # Kanaleneiland-Zuid
        "3531": (52.0910, 5.1030),  # Lombok
        "3532": (52.0960, 5.0870),  # Oog in Al
        "3543": (52.0990, 5.0480),  # Leidsche Rijn (Terwijde)
        "3544": (52.0920, 5.0580),  # Leidsche Rijn (Parkwijk)
        "3545": (52.0860, 5.0400),  # Leidsche Rijn (Langerak)
        "3551": (52.1060, 5.0900),  # Zuilen
        "3552": (52.1040, 5.1060),  # Ondiep / Zuilen-Oost
        "3553": (52.1140, 5.0930),  # Zuilen-Noord
        "3561": (52.1130, 5.1180),  # Overvecht-Zuid
        "3562": (52.1190, 5.1100),  # Overvecht
        "3563": (52.1210, 5.1030),  # Overvecht-Noord
        "3564": (52.1250, 5.1150),  # Overvecht-Noord
        "3572": (52.0980, 5.1300),  # Wittevrouwen
    },
    "tilburg": {
        "5018": (51.5600, 5.1050),  # Jeruzalem / Oost
        "5021": (51.5680, 5.0760),  # Goirke
        "5022": (51.5710, 5.0870),  # Hasselt
        "5025": (51.5500, 5.0700),  # Korvel
        "5036": (51.5460, 5.0860),  # Broekhoven
        "5038": (51.5570, 5.0880),  # Centrum
        "5041": (51.5620, 5.0840),  # Centrum-Noord
        "5042": (51.5630, 5.0520),  # Wandelbos
        "5043": (51.5780, 5.0250),  # Reeshof (oost)
        "5044": (51.5700, 5.0070),  # Reeshof (west)
        "5045": (51.5850, 5.0820),  # Stokhasselt
        "5046": (51.5870, 5.0640),  # Heikant
        "5047": (51.5830, 5.0980),  # Quirijnstok
        "5056": (51.5860, 5.1380),  # Berkel-Enschot
        "5057": (51.5820, 5.1500),  # Berkel-Enschot (oost)
        "5071": (51.6100, 5.1440),  # Udenhout
    },
    "leeuwarden": {
        "8911": (53.2030, 5.7930),  # Binnenstad
        "8912": (53.2000, 5.8000),  # Binnenstad-Oost
        "8913": (53.1970, 5.7860),  # Oranjewijk
        "8917": (53.2030, 5.7770),  # Westeinde
        "8918": (53.2190, 5.7960),  # Bilgaard
        "8919": (53.2170, 5.8080),  # Bilgaard-Oost / Havankpark
        "8921": (53.2110, 5.7700),  # Vrijheidswijk
        "8922": (53.2040, 5.8130),  # Oud-Oost
        "8923": (53.2010, 5.8200),  # Oud-Oost / Indische buurt
        "8924": (53.2080, 5.8320),  # Heechterp en Schieringen
        "8925": (53.2110, 5.8470),  # Camminghaburen-Noord
        "8926": (53.2050, 5.8520),  # Camminghaburen-Zuid
        "8931": (53.1920, 5.8060),  # Huizum-West
        "8932": (53.1890, 5.8150),  # Huizum-Oost
        "8933": (53.1850, 5.8100),  # Aldlân
        "8934": (53.1840, 5.8230),  # Nijlân
        "8935": (53.1790, 5.7970),  # Zuiderburen
        "8936": (53.1740, 5.8060),  # Zuiderburen-Zuid / Wielenpôlle
        "9001": (53.0960, 5.8350),  # Grou
        "9051": (53.2630, 5.7590),  # Stiens
    },
    "apeldoorn": {
        "7311": (52.2110, 5.9680),  # Binnenstad
        "7315": (52.2060, 5.9360),  # Orden
        "7316": (52.2240, 5.9550),  # Staatsliedenkwartier
        "7322": (52.2330, 5.9710),  # Zevenhuizen
        "7325": (52.2260, 5.9900),  # Kerschoten
        "7326": (52.2150, 6.0120),  # Osseveld-Woudhuis
        "7328": (52.1880, 6.0040),  # Zuidbroek
        "7329": (52.1980, 5.9990),  # De Maten
        "7339": (52.1830, 5.9380),  # Ugchelen
        "7361": (52.1600, 5.9660),  # Beekbergen
        "7371": (52.1200, 6.0180),  # Loenen
    },
    "epe": {
        "8161": (52.3475, 5.9830),  # Epe-Centrum
        "8162": (52.3580, 5.9760),  # Epe-Noord / Tongeren
        "8163": (52.3370, 5.9830),  # Epe-Zuid
        "8166": (52.3150, 5.9720),  # Emst
        "8167": (52.3560, 6.0480),  # Oene
        "8171": (52.2870, 5.9680),  # Vaassen-Centrum
        "8172": (52.2860, 5.9850),  # Vaassen-Oost
    },
}

POSTCODES: dict[str, tuple[float, float]] = {
    pc4: point for table in POSTCODES_BY_MUNICIPALITY.values() for pc4, point in table.items()
}
"""Flat PC4 -> (lat, lon) table over all seven municipalities."""
