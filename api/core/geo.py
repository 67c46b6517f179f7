"""Points and distances in PostGIS geography (metres on the WGS84 spheroid)."""

from __future__ import annotations

import math
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import cast, func

# (min_lat, min_lon, max_lat, max_lon) of the Netherlands, generously rounded.
NL_BBOX: tuple[float, float, float, float] = (50.7, 3.3, 53.6, 7.3)


def in_netherlands(lat: float, lon: float) -> bool:
    """True when a point is finite and lies in the Netherlands' bounding box."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    min_lat, min_lon, max_lat, max_lon = NL_BBOX
    return min_lat <= lat <= max_lat and min_lon <= lon <= max_lon


def point(lat: float, lon: float) -> Any:
    """A WGS84 geography point (note PostGIS's lon, lat order)."""
    return cast(func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326), Geography)


def distance_m(a: Any, b: Any, *, spheroid: bool = True) -> Any:
    """SQL: metres between two geographies (a sphere is faster and close enough for ranking)."""
    return func.ST_Distance(a, b) if spheroid else func.ST_Distance(a, b, False)


def within_km(a: Any, b: Any, km: Any, *, spheroid: bool = True) -> Any:
    """SQL: whether two geographies lie within `km` of each other (uses the GiST index)."""
    if spheroid:
        return func.ST_DWithin(a, b, km * 1000.0)
    return func.ST_DWithin(a, b, km * 1000.0, False)


def rounded_km(metres: float) -> float:
    """Metres as kilometres with one decimal, as shown beside a listing."""
    return round(metres / 1000.0, 1)
