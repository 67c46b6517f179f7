"""Geocoding: postcode normalisation, the offline table and PDOK against a real local server."""

from __future__ import annotations

import json
import logging
import math
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from api.core.geo import NL_BBOX, in_netherlands
from api.geocoding.geocoders import (
    GRID_LAT_STEP,
    GRID_LON_STEP,
    AddressPoint,
    CoarsePoint,
    GeocoderUnavailable,
    OfflineGeocoder,
    PdokGeocoder,
    UnknownAddress,
    UnknownPostcode,
    build_geocoder,
    house_number_in,
    normalise_postcode,
    postcode_in,
    snap_to_grid,
)
from api.geocoding.postcodes import POSTCODES

PREFIX = "/bzk/locatieserver/search/v3_1"
EXACT_1055AB = (52.379876, 4.851234)  # (lat, lon) the fake PDOK answers for 1055AB
EXACT_1055 = (52.381111, 4.846789)  # first postcode of PC4 1055


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# -- normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1055 ab", "1055AB"),
        ("1055AB", "1055AB"),
        ("1055ab", "1055AB"),
        ("  1055 AB  ", "1055AB"),
        ("1055\tAb", "1055AB"),
        ("1055", "1055"),
        (" 8161 ", "8161"),
        ("9999ZZ", "9999ZZ"),
        ("1000SB", "1000SB"),
    ],
)
def test_normalise_accepts_dutch_postcodes(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "0123AB",  # first digit may not be 0
        "123",
        "12345",
        "1055A",
        "1055 ABC",
        "AB1055",
        "10 55AB",
        "1055-AB",
        "1055SA",  # SA, SD and SS are never issued
        "1055 sd",
        "1055ss",
        "１０５５AB",  # full-width digits
        "1055ÄB",
        "1055AB\n1056",
    ],
)
def test_normalise_rejects_bad_postcodes(raw: str) -> None:
    with pytest.raises(UnknownPostcode):
        normalise_postcode(raw)


def test_normalise_rejects_non_text_and_does_not_echo_input() -> None:
    with pytest.raises(UnknownPostcode):
        normalise_postcode(1055)  # type: ignore[arg-type]  # a number, as a careless caller might
    with pytest.raises(UnknownPostcode) as info:
        normalise_postcode("1055SA")
    assert "1055" not in str(info.value)
    assert issubclass(UnknownPostcode, ValueError)
    assert issubclass(GeocoderUnavailable, RuntimeError)


# -- bbox and grid -----------------------------------------------------------------------


def test_in_netherlands() -> None:
    assert NL_BBOX == (50.7, 3.3, 53.6, 7.3)
    assert in_netherlands(52.37, 4.89)  # Amsterdam
    assert in_netherlands(50.85, 5.69)  # Maastricht
    assert not in_netherlands(48.85, 2.35)  # Paris
    assert not in_netherlands(4.89, 52.37)  # swapped lat/lon
    assert not in_netherlands(math.nan, 4.89)
    assert not in_netherlands(52.37, math.inf)


@pytest.mark.parametrize("point", [EXACT_1055AB, (52.0907, 5.1214), (53.2012, 5.7999)])
def test_snap_to_grid_is_coarse_stable_and_close(point: tuple[float, float]) -> None:
    lat, lon = snap_to_grid(*point)
    assert (lat, lon) != point
    assert snap_to_grid(lat, lon) == (lat, lon), "snapping is idempotent"
    assert math.isclose(lat / GRID_LAT_STEP, round(lat / GRID_LAT_STEP), abs_tol=1e-6)
    assert math.isclose(lon / GRID_LON_STEP, round(lon / GRID_LON_STEP), abs_tol=1e-6)
    assert km((lat, lon), point) < 0.2  # at most half a cell diagonal
    # every point within the same cell lands on the same value
    for dlat, dlon in [(0.0005, 0.0007), (-0.0005, -0.0007), (0.0012, -0.0017)]:
        assert snap_to_grid(lat + dlat, lon + dlon) == (lat, lon)


def test_snap_to_grid_cells_are_about_250_m() -> None:
    a = snap_to_grid(52.0, 5.0)
    b = snap_to_grid(52.0 + GRID_LAT_STEP, 5.0 + GRID_LON_STEP)
    assert 0.2 < km(a, (b[0], a[1])) < 0.3
    assert 0.2 < km(a, (a[0], b[1])) < 0.3
    with pytest.raises(ValueError):
        snap_to_grid(math.nan, 5.0)


# -- offline -----------------------------------------------------------------------------


def test_offline_known_postcodes() -> None:
    geo = OfflineGeocoder()
    point = geo.locate("1055 ab")
    assert point == CoarsePoint("1055", *POSTCODES["1055"])
    assert geo.locate("3072") == CoarsePoint("3072", *POSTCODES["3072"])
    assert geo.locate("8171XA").postcode4 == "8171"  # Vaassen, PC6 reduced to PC4
    assert in_netherlands(point.lat, point.lon)


def test_offline_unknown_and_invalid() -> None:
    geo = OfflineGeocoder()
    with pytest.raises(UnknownPostcode):
        geo.locate("9999ZZ")
    with pytest.raises(UnknownPostcode):
        geo.locate("not a postcode")
    with pytest.raises(UnknownPostcode):
        geo.locate("1055SS")


def test_offline_with_own_table() -> None:
    geo = OfflineGeocoder({"1234": (52.0, 5.0)})
    assert geo.locate("1234 AB") == CoarsePoint("1234", 52.0, 5.0)
    with pytest.raises(UnknownPostcode):
        geo.locate("1055")


def test_build_geocoder() -> None:
    assert isinstance(build_geocoder("offline"), OfflineGeocoder)
    assert isinstance(build_geocoder(), OfflineGeocoder)
    pdok = build_geocoder("PDOK", "http://127.0.0.1:9/base/")
    assert isinstance(pdok, PdokGeocoder)
    assert pdok.base_url == "http://127.0.0.1:9/base"
    default = build_geocoder("pdok")
    assert isinstance(default, PdokGeocoder)
    assert default.base_url == "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
    with pytest.raises(ValueError):
        build_geocoder("google")
    with pytest.raises(ValueError):
        PdokGeocoder("ftp://example.org")
    with pytest.raises(ValueError):
        PdokGeocoder("http://127.0.0.1:9", timeout=0)


# -- PDOK against a real local HTTP server -----------------------------------------------


def _doc_answer(postcode: str, wkt: str | None) -> dict[str, Any]:
    doc: dict[str, Any] = {"postcode": postcode, "type": "postcode"}
    if wkt is not None:
        doc["centroide_ll"] = wkt
    return {"response": {"numFound": 1, "start": 0, "maxScore": 9.1, "docs": [doc]}}


NOT_FOUND = {"response": {"numFound": 0, "start": 0, "maxScore": 0.0, "docs": []}}
GOOD_WKT = f"POINT({EXACT_1055AB[1]} {EXACT_1055AB[0]})"

# q value -> (status, body); body is JSON-encoded unless it is bytes
ANSWERS: dict[str, tuple[int, Any]] = {
    "postcode:1055AB": (200, _doc_answer("1055AB", GOOD_WKT)),
    "postcode:1055*": (200, _doc_answer("1055BC", f"POINT({EXACT_1055[1]} {EXACT_1055[0]})")),
    "postcode:1056AA": (200, _doc_answer("1056AB", "POINT(4.853 52.373)")),
    "postcode:5000AA": (500, b"<html>Internal Server Error</html>"),
    "postcode:5001AA": (200, b"<html>this is not json"),
    "postcode:5002AA": (200, _doc_answer("5002AA", None)),
    "postcode:5004AA": (200, _doc_answer("5004AA", "POINT(2.3522 48.8566)")),
    "postcode:5005AA": (200, _doc_answer("5005AA", "POINT(4.85)")),
    "postcode:5006AA": (200, {"response": {"numFound": 1, "docs": []}}),
    "postcode:5007AA": (200, []),
    "postcode:5008AA": (404, b"not here"),
    "postcode:5009AA": (200, {"response": {"numFound": "1", "docs": []}}),
    "postcode:5010AA": (503, b"maintenance"),
}
SLOW = "postcode:5003AA"

JAVASTRAAT_100 = (52.363412, 4.939987)  # (lat, lon) the fake PDOK answers for the address


def _address_answer(postcode: str, number: int, wkt: str) -> dict[str, Any]:
    doc = {
        "type": "adres",
        "postcode": postcode,
        "huisnummer": number,
        "weergavenaam": f"Javastraat {number}, {postcode[:4]} {postcode[4:]} Amsterdam",
        "centroide_ll": wkt,
    }
    return {"response": {"numFound": 3, "start": 0, "maxScore": 12.5, "docs": [doc]}}


_JAVA = _address_answer("1094HM", 100, f"POINT({JAVASTRAAT_100[1]} {JAVASTRAAT_100[0]})")
# Address queries (q is the address text, spaces collapsed) -> (status, body)
ANSWERS.update(
    {
        "Javastraat 100, 1094 HM Amsterdam": (200, _JAVA),
        "Javastraat 100, Amsterdam": (200, _JAVA),
        "Javastraat 100, 1094 Amsterdam": (200, _JAVA),
        "Javastraat 9999, 1094 HM Amsterdam": (200, _JAVA),  # best guess: another number
        "Javastraat 100, 1011 AB Amsterdam": (200, _JAVA),  # best guess: another postcode
        "Javastraat 100, 1094 HM Parijs": (
            200,
            _address_answer("1094HM", 100, "POINT(2.3522 48.8566)"),
        ),
        "Javastraat 500, 1094 HM Amsterdam": (500, b"<html>Internal Server Error</html>"),
    }
)


class _FakePdok(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _PdokHandler)
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.release = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out close the socket; that is expected here."""

    @property
    def url(self) -> str:
        """Where it listens: http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.server_port}"


class _PdokHandler(BaseHTTPRequestHandler):
    server: _FakePdok

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        """Keep test output quiet."""

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        parts = urlsplit(self.path)
        params = parse_qs(parts.query)
        self.server.requests.append((parts.path, params))
        if parts.path != f"{PREFIX}/free":
            self._send(404, b"unknown endpoint")
            return
        q = params.get("q", [""])[0]
        if q == SLOW:
            self.server.release.wait(1.0)
            status, body = ANSWERS["postcode:1055AB"]
        else:
            status, body = ANSWERS.get(q, (200, NOT_FOUND))
        self._send(status, body)

    def _send(self, status: int, body: Any) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def fake_pdok() -> Iterator[_FakePdok]:
    server = _FakePdok()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Talk to 127.0.0.1 directly even if the machine has proxy variables set."""
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture()
def pdok(fake_pdok: _FakePdok) -> PdokGeocoder:
    return PdokGeocoder(f"{fake_pdok.url}{PREFIX}/", timeout=2.0)


def test_pdok_good_answer_is_snapped(pdok: PdokGeocoder, fake_pdok: _FakePdok) -> None:
    point = pdok.locate("1055 ab")
    assert point.postcode4 == "1055"
    assert (point.lat, point.lon) != EXACT_1055AB, "the exact point is never kept"
    assert (point.lat, point.lon) == snap_to_grid(*EXACT_1055AB)
    assert km((point.lat, point.lon), EXACT_1055AB) < 0.2
    path, params = fake_pdok.requests[-1]
    assert path == f"{PREFIX}/free"
    assert params == {
        "q": ["postcode:1055AB"],
        "fq": ["type:postcode"],
        "rows": ["1"],
        "fl": ["centroide_ll,postcode"],
    }


def test_pdok_pc4_uses_wildcard_and_is_snapped(pdok: PdokGeocoder, fake_pdok: _FakePdok) -> None:
    point = pdok.locate("1055")
    assert point == CoarsePoint("1055", *snap_to_grid(*EXACT_1055))
    assert fake_pdok.requests[-1][1]["q"] == ["postcode:1055*"]


def test_pdok_not_found(pdok: PdokGeocoder) -> None:
    with pytest.raises(UnknownPostcode):
        pdok.locate("9999ZZ")


def test_pdok_other_postcode_in_answer_means_not_found(pdok: PdokGeocoder) -> None:
    with pytest.raises(UnknownPostcode):
        pdok.locate("1056AA")


def test_pdok_invalid_postcode_makes_no_request(pdok: PdokGeocoder, fake_pdok: _FakePdok) -> None:
    before = len(fake_pdok.requests)
    with pytest.raises(UnknownPostcode):
        pdok.locate("0000AA")
    assert len(fake_pdok.requests) == before


@pytest.mark.parametrize(
    ("postcode", "what"),
    [
        ("5000AA", "HTTP 500"),
        ("5010AA", "HTTP 503"),
        ("5008AA", "HTTP 404"),
        ("5001AA", "garbage body"),
        ("5002AA", "missing centroide_ll"),
        ("5004AA", "point outside the Netherlands"),
        ("5005AA", "malformed WKT"),
        ("5006AA", "numFound > 0 without docs"),
        ("5007AA", "JSON that is not an object"),
        ("5009AA", "numFound not a number"),
    ],
)
def test_pdok_bad_answers_are_unavailable(pdok: PdokGeocoder, postcode: str, what: str) -> None:
    with pytest.raises(GeocoderUnavailable):
        pdok.locate(postcode)


def test_pdok_slow_answer_times_out(fake_pdok: _FakePdok) -> None:
    geo = PdokGeocoder(f"{fake_pdok.url}{PREFIX}", timeout=0.2)
    started = time.monotonic()
    with pytest.raises(GeocoderUnavailable):
        geo.locate("5003AA")
    assert time.monotonic() - started < 0.9


def test_pdok_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    geo = PdokGeocoder(f"http://127.0.0.1:{port}{PREFIX}", timeout=0.5)
    with pytest.raises(GeocoderUnavailable):
        geo.locate("1055AB")


def test_pdok_never_logs_the_postcode(pdok: PdokGeocoder, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        pdok.locate("1055AB")
        with pytest.raises(GeocoderUnavailable):
            pdok.locate("5000AA")
        with pytest.raises(GeocoderUnavailable) as info:
            pdok.locate("5004AA")
    assert "5004" not in str(info.value)
    text = " ".join(r.getMessage() for r in caplog.records)
    assert caplog.records, "failures are logged (without the postcode)"
    for fragment in ("1055", "5000", "5004"):
        assert fragment not in text


# -- public addresses (an organiser's opportunity) -----------------------------------------


@pytest.mark.parametrize(
    ("text", "postcode", "number"),
    [
        ("Javastraat 100, 1094 HM Amsterdam", "1094HM", "100"),
        ("Javastraat 100A, 1094hm Amsterdam", "1094HM", "100"),
        ("Javastraat 100, 1094 Amsterdam", "1094", "100"),
        ("1e Middellandstraat 55, 3021 BC Rotterdam", "3021BC", "55"),
        ("Balistraat 48A, Amsterdam", None, "48"),
        ("Osdorpplein", None, None),
    ],
)
def test_postcode_and_house_number_in_an_address(
    text: str, postcode: str | None, number: str | None
) -> None:
    assert postcode_in(text) == postcode
    assert house_number_in(text) == number


def test_offline_places_an_address_at_its_postcode_area() -> None:
    geo = OfflineGeocoder()
    found = geo.locate_address("Javastraat 100, 1094 HM Amsterdam")
    assert found == AddressPoint(*POSTCODES["1094"], postcode="1094HM")
    assert geo.locate_address("Kanaalstraat 12, 3531 Utrecht").postcode == "3531"
    for text in ("Javastraat 100, Amsterdam", "Dorpsstraat 1, 9999 ZZ Nergens", ""):
        with pytest.raises(UnknownAddress):
            geo.locate_address(text)


def test_pdok_places_the_address_itself_unsnapped(pdok: PdokGeocoder, fake_pdok: _FakePdok) -> None:
    found = pdok.locate_address("  Javastraat 100,   1094 HM Amsterdam ")
    # A public address is not somebody's home: its own point, not a grid corner.
    assert found == AddressPoint(*JAVASTRAAT_100, postcode="1094HM")
    path, params = fake_pdok.requests[-1]
    assert path == f"{PREFIX}/free"
    assert params == {
        "q": ["Javastraat 100, 1094 HM Amsterdam"],
        "fq": ["type:adres"],
        "rows": ["1"],
        "fl": ["centroide_ll,postcode,huisnummer,weergavenaam"],
    }
    assert pdok.locate_address("Javastraat 100, Amsterdam") == found  # no postcode given
    assert pdok.locate_address("Javastraat 100, 1094 Amsterdam") == found  # PC4 agrees


@pytest.mark.parametrize(
    "text",
    [
        "Nergensstraat 1, 1011 AA Amsterdam",  # numFound 0
        "Javastraat 9999, 1094 HM Amsterdam",  # PDOK's best guess has another number
        "Javastraat 100, 1011 AB Amsterdam",  # ...or another postcode
        "   ",
    ],
)
def test_pdok_address_that_cannot_be_placed(pdok: PdokGeocoder, text: str) -> None:
    with pytest.raises(UnknownAddress):
        pdok.locate_address(text)


@pytest.mark.parametrize(
    "text", ["Javastraat 500, 1094 HM Amsterdam", "Javastraat 100, 1094 HM Parijs"]
)
def test_pdok_address_bad_answers_are_unavailable(pdok: PdokGeocoder, text: str) -> None:
    with pytest.raises(GeocoderUnavailable):
        pdok.locate_address(text)
