"""Every demo opportunity's address lies where its point is (no more Osdorp streets in Oost)."""

from __future__ import annotations

import math
import random
import re
import uuid

import pytest

from api.geocoding.geocoders import OfflineGeocoder
from api.opportunities.schedule import hours_of, slots_of
from seeds.data.municipalities import MUNICIPALITIES
from seeds.demo import _opportunities

MAX_KM = 1.5
_EWKT = re.compile(r"SRID=4326;POINT\(([-0-9.]+) ([-0-9.]+)\)")


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@pytest.mark.parametrize("spec", MUNICIPALITIES, ids=lambda m: m["slug"])
def test_demo_addresses_are_placed_where_the_demo_puts_them(spec: dict) -> None:
    rows = _opportunities(
        random.Random(f"meedoen-demo-{spec['slug']}"),  # noqa: S311 - demo data
        spec["slug"],
        uuid.uuid4(),
        spec,
        [uuid.uuid4() for _ in spec["teams"]],
        uuid.uuid4(),
    )
    geocoder = OfflineGeocoder()
    assert rows
    for row in rows:
        m = _EWKT.fullmatch(row["location"])
        assert m, row["location"]
        point = (float(m.group(2)), float(m.group(1)))
        # What the server would make of the address: its postcode area's centroid.
        placed = geocoder.locate_address(row["address"])
        assert km((placed.lat, placed.lon), point) <= MAX_KM, row["address"]
        # Concrete times, and the day parts matching uses follow from them.
        assert row["schedule"], row["title"]
        assert row["slots"] == slots_of(row["schedule"])
        assert row["hours_per_week"] == hours_of(row["schedule"])
        assert row["organisation"] and row["contact_name"] and row["contact_email"]
        assert row["contact_email"].endswith(".example.org")
        assert row["directions"]
