"""Postcode -> coarse point (a person's home area); public address -> point (an opportunity).

The exact home address is never asked for nor stored.

A recipient's home *area* is a PC4 (four digits) point: either the PC4 centroid from the
offline table, or a PDOK Locatieserver centroid snapped to a ~250 m grid. Postcodes are
never logged; error messages never repeat them.

Two implementations share the ``Geocoder`` protocol:

* ``OfflineGeocoder`` - the hand-written PC4 table in ``api.geocoding.postcodes`` (default;
  no network, used in development, tests and demos).
* ``PdokGeocoder`` - the public PDOK Locatieserver v3_1 ``/free`` endpoint, stdlib
  ``urllib`` only. Not-found answers raise ``UnknownPostcode``; anything else that is not a
  clean answer (timeout, connection error, HTTP error, malformed JSON, odd fields, a point
  outside the Netherlands) raises ``GeocoderUnavailable`` so callers can retry later.

An organiser's public address (``locate_address``) is placed by the same two: offline at its
postcode's PC4 centroid (the address must contain a postcode), PDOK at the address itself
(``type:adres``), unsnapped, since it is a public place and not somebody's home. An address
that cannot be placed raises ``UnknownAddress``.
"""

from __future__ import annotations

import json
import logging
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any, Protocol

from api.core.geo import in_netherlands
from api.geocoding.postcodes import POSTCODES

log = logging.getLogger(__name__)

GRID_LAT_STEP = 0.0025
"""Degrees latitude per grid cell: about 280 m."""
GRID_LON_STEP = 0.0035
"""Degrees longitude per grid cell: about 240 m at Dutch latitudes."""

DEFAULT_PDOK_URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
MAX_RESPONSE_BYTES = 256 * 1024
USER_AGENT = "meedoen-geocoder/1.0"

_POSTCODE_RE = re.compile(r"\s*([1-9][0-9]{3})\s*([A-Za-z]{2})?\s*", re.ASCII)
_FORBIDDEN_LETTERS = frozenset({"SA", "SD", "SS"})
_NUMBER = r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_WKT_POINT_RE = re.compile(
    rf"\s*POINT\s*\(\s*({_NUMBER})\s+({_NUMBER})\s*\)\s*", re.ASCII | re.IGNORECASE
)


class UnknownPostcode(ValueError):
    """The text is not a Dutch postcode, or the postcode does not exist."""


class UnknownAddress(ValueError):
    """The address cannot be placed: no such address, or (offline) no known postcode in it."""


class GeocoderUnavailable(RuntimeError):
    """The geocoding service did not give a usable answer; try again later."""


@dataclass(frozen=True)
class CoarsePoint:
    """A coarse home area: the PC4 and a point that is at most PC4/grid precise."""

    postcode4: str
    lat: float
    lon: float


@dataclass(frozen=True)
class AddressPoint:
    """Where a public address lies, and its postcode when known."""

    lat: float
    lon: float
    postcode: str | None


class Geocoder(Protocol):
    """Turns a postcode (PC4 or PC6, any common spelling) into a coarse point."""

    def locate(self, postcode: str) -> CoarsePoint:
        """Return the coarse point; raise UnknownPostcode or GeocoderUnavailable."""
        ...

    def locate_address(self, address: str) -> AddressPoint:
        """Return the address's point; raise UnknownAddress or GeocoderUnavailable."""
        ...


# A PC6 anywhere ("1094 HM"), or a PC4 right after a comma or at the start ("…, 1094 Amsterdam").
_PC6_IN_TEXT = re.compile(r"(?<![0-9])([1-9][0-9]{3}) ?([A-Za-z]{2})(?![A-Za-z])", re.ASCII)
_PC4_IN_TEXT = re.compile(r"(?:^|,)\s*([1-9][0-9]{3})(?=\s|,|$)", re.ASCII)
_HOUSE_NUMBER = re.compile(r"[A-Za-z\u00c0-\u024f.)'] +([0-9]{1,5})(?![0-9])")


def postcode_in(address: str) -> str | None:
    """The postcode an address text contains (PC6 normalised, else PC4), or None."""
    for m in _PC6_IN_TEXT.finditer(address):
        letters = m.group(2).upper()
        if letters not in _FORBIDDEN_LETTERS:
            return m.group(1) + letters
    m4 = _PC4_IN_TEXT.search(address)
    return m4.group(1) if m4 else None


def house_number_in(address: str) -> str | None:
    """The house number after the street name ("Javastraat 100A" -> "100"), or None."""
    m = _HOUSE_NUMBER.search(address)
    return m.group(1) if m else None


def normalise_postcode(raw: str) -> str:
    """Normalise a Dutch postcode: ``" 1055 ab"`` -> ``"1055AB"``, ``"1055"`` -> ``"1055"``.

    Four digits (the first not 0), optionally followed by two letters that are not SA, SD
    or SS (never issued). Spaces around and between the parts are ignored. Raises
    ``UnknownPostcode`` for anything else; the message does not repeat the input.
    """
    if not isinstance(raw, str):
        raise UnknownPostcode("postcode must be text")
    match = _POSTCODE_RE.fullmatch(raw)
    if match is None:
        raise UnknownPostcode("not a Dutch postcode (expected e.g. 1055 AB or 1055)")
    digits, letters = match.group(1), match.group(2)
    if letters is None:
        return digits
    letters = letters.upper()
    if letters in _FORBIDDEN_LETTERS:
        raise UnknownPostcode("not a Dutch postcode (letters SA, SD and SS are not used)")
    return digits + letters


def snap_to_grid(lat: float, lon: float) -> tuple[float, float]:
    """Snap a point to a ~250 m grid so an exact location is never kept.

    Rounds to the nearest multiple of ``GRID_LAT_STEP`` / ``GRID_LON_STEP`` (halves go
    up) and trims float noise, so every point in a cell maps to the same corner value.
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError("coordinates must be finite")
    snapped_lat = math.floor(lat / GRID_LAT_STEP + 0.5) * GRID_LAT_STEP
    snapped_lon = math.floor(lon / GRID_LON_STEP + 0.5) * GRID_LON_STEP
    return round(snapped_lat, 6), round(snapped_lon, 6)


class OfflineGeocoder:
    """PC4 centroids from a static table; a PC6 is reduced to its PC4."""

    def __init__(self, table: Mapping[str, tuple[float, float]] | None = None) -> None:
        self._table = POSTCODES if table is None else table

    def locate(self, postcode: str) -> CoarsePoint:
        """Return the PC4 centroid; ``UnknownPostcode`` if the PC4 is not in the table."""
        pc4 = normalise_postcode(postcode)[:4]
        point = self._table.get(pc4)
        if point is None:
            raise UnknownPostcode("postcode area not known to the offline geocoder")
        lat, lon = point
        return CoarsePoint(postcode4=pc4, lat=float(lat), lon=float(lon))

    def locate_address(self, address: str) -> AddressPoint:
        """The centroid of the postcode in the address; ``UnknownAddress`` without a known one."""
        postcode = postcode_in(address)
        if postcode is None:
            raise UnknownAddress("the offline geocoder needs a postcode in the address")
        point = self._table.get(postcode[:4])
        if point is None:
            raise UnknownAddress("postcode area not known to the offline geocoder")
        return AddressPoint(lat=float(point[0]), lon=float(point[1]), postcode=postcode)


class PdokGeocoder:
    """PDOK Locatieserver v3_1 (``/free``), snapped to a ~250 m grid.

    A PC6 is looked up exactly (``q=postcode:1055AB``); a PC4 uses the first postcode of
    that area (``q=postcode:1055*``). The result keeps only the PC4 and the snapped point.
    """

    def __init__(self, base_url: str = DEFAULT_PDOK_URL, timeout: float = 3.0) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("PDOK base_url must be an http(s) URL")
        if not (isinstance(timeout, int | float) and math.isfinite(timeout) and timeout > 0):
            raise ValueError("timeout must be a positive number of seconds")
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        # Own opener: honours proxy settings from the environment at construction time.
        self._opener = urllib.request.build_opener()

    def locate(self, postcode: str) -> CoarsePoint:
        """Look the postcode up at PDOK; see the module docstring for the error contract."""
        normalised = normalise_postcode(postcode)
        pc4 = normalised[:4]
        query = f"postcode:{normalised}" if len(normalised) == 6 else f"postcode:{pc4}*"
        params = {
            "q": query,
            "fq": "type:postcode",
            "rows": "1",
            "fl": "centroide_ll,postcode",
        }
        url = f"{self.base_url}/free?{urllib.parse.urlencode(params)}"
        doc = self._first_doc(self._fetch(url))

        found = doc.get("postcode")
        if not isinstance(found, str):
            raise self._unavailable("answer has no postcode field")
        try:
            found = normalise_postcode(found)
        except UnknownPostcode:
            raise self._unavailable("answer has a malformed postcode") from None
        if found[:4] != pc4 or (len(normalised) == 6 and found != normalised):
            # Solr returned its best guess for another postcode: ours does not exist.
            raise UnknownPostcode("postcode not found")

        lat, lon = self._parse_point(doc.get("centroide_ll"))
        if not in_netherlands(lat, lon):
            raise self._unavailable("answer point lies outside the Netherlands")
        snapped_lat, snapped_lon = snap_to_grid(lat, lon)
        return CoarsePoint(postcode4=pc4, lat=snapped_lat, lon=snapped_lon)

    def locate_address(self, address: str) -> AddressPoint:
        """The address's own point (``type:adres``), checked against the postcode and number.

        PDOK's free search always offers its best guess; the guess counts only when it has the
        postcode (PC6, or PC4) and the house number the text gives.
        """
        if not isinstance(address, str) or not address.strip():
            raise UnknownAddress("no address given")
        params = {
            "q": " ".join(address.split()),
            "fq": "type:adres",
            "rows": "1",
            "fl": "centroide_ll,postcode,huisnummer,weergavenaam",
        }
        url = f"{self.base_url}/free?{urllib.parse.urlencode(params)}"
        try:
            doc = self._first_doc(self._fetch(url))
        except UnknownPostcode:
            raise UnknownAddress("address not found") from None
        found_pc = doc.get("postcode")
        found_pc = found_pc.replace(" ", "").upper() if isinstance(found_pc, str) else None
        given_pc = postcode_in(address)
        if given_pc is not None and (found_pc is None or not found_pc.startswith(given_pc)):
            raise UnknownAddress("address not found")
        given_number = house_number_in(address)
        found_number = doc.get("huisnummer")
        if given_number is not None and str(found_number) != given_number:
            raise UnknownAddress("address not found")
        lat, lon = self._parse_point(doc.get("centroide_ll"))
        if not in_netherlands(lat, lon):
            raise self._unavailable("answer point lies outside the Netherlands")
        return AddressPoint(lat=round(lat, 6), lon=round(lon, 6), postcode=found_pc)

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _unavailable(reason: str) -> GeocoderUnavailable:
        log.warning("PDOK geocoder unavailable: %s", reason)
        return GeocoderUnavailable(f"PDOK geocoder unavailable: {reason}")

    def _fetch(self, url: str) -> Any:
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = getattr(response, "status", 200)
                body = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            code = exc.code
            exc.close()
            # The URL in the error contains the postcode: do not chain it.
            raise self._unavailable(f"HTTP {code}") from None
        except (urllib.error.URLError, TimeoutError, OSError, HTTPException, ValueError) as exc:
            raise self._unavailable(f"request failed ({type(exc).__name__})") from None
        if status != 200:
            raise self._unavailable(f"HTTP {status}")
        if len(body) > MAX_RESPONSE_BYTES:
            raise self._unavailable("answer too large")
        try:
            return json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError):
            raise self._unavailable("answer is not valid JSON") from None

    def _first_doc(self, payload: Any) -> dict[str, Any]:
        response = payload.get("response") if isinstance(payload, dict) else None
        if not isinstance(response, dict):
            raise self._unavailable("answer has no response object")
        num_found = response.get("numFound")
        docs = response.get("docs")
        if isinstance(num_found, bool) or not isinstance(num_found, int) or num_found < 0:
            raise self._unavailable("answer has no valid numFound")
        if not isinstance(docs, list):
            raise self._unavailable("answer has no docs list")
        if num_found == 0:
            raise UnknownPostcode("postcode not found")
        if not docs or not isinstance(docs[0], dict):
            raise self._unavailable("answer has numFound > 0 but no usable document")
        return docs[0]

    def _parse_point(self, wkt: Any) -> tuple[float, float]:
        """Parse ``"POINT(lon lat)"`` (WGS84, as PDOK's ``centroide_ll``) into (lat, lon)."""
        if not isinstance(wkt, str):
            raise self._unavailable("answer has no centroide_ll")
        match = _WKT_POINT_RE.fullmatch(wkt)
        if match is None:
            raise self._unavailable("answer has a malformed centroide_ll")
        lon, lat = float(match.group(1)), float(match.group(2))
        return lat, lon


def build_geocoder(
    name: str = "offline", pdok_url: str | None = None, *, timeout: float = 3.0
) -> Geocoder:
    """Build the configured geocoder: ``"offline"`` (default) or ``"pdok"``."""
    key = (name or "offline").strip().lower()
    if key == "offline":
        return OfflineGeocoder()
    if key == "pdok":
        return PdokGeocoder(pdok_url or DEFAULT_PDOK_URL, timeout=timeout)
    raise ValueError(f"unknown geocoder {name!r}; use 'offline' or 'pdok'")
