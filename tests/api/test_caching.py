"""Public data (taxonomy, API description) is cacheable with an ETag; personal data is not."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.factories import auth_headers, create_municipality, create_user


@pytest.mark.parametrize("path", ["/v1/interests", "/v1/openapi.json"])
def test_public_data_has_etag_max_age_and_304(client, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and len(etag) > 8
    cache = first.headers["Cache-Control"]
    assert cache.startswith("public") and "max-age=" in cache
    assert "no-store" not in cache

    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["API-Version"] == first.headers["API-Version"]

    other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.headers["ETag"] == etag
    assert client.get(path).headers["ETag"] == etag  # the same data, the same tag


def test_personal_data_stays_no_store(app: Flask, client, session: Session) -> None:
    m = create_municipality(session)
    person = create_user(session, municipality=m, role="recipient")
    resp = client.get("/v1/me/profile", headers=auth_headers(app, session, person))
    assert resp.headers["Cache-Control"] == "no-store"
    assert "ETag" not in resp.headers


def test_document_declares_the_cache_headers_and_304(client) -> None:
    doc = client.get("/v1/openapi.json").get_json()
    for path in ("/interests", "/openapi.json"):
        responses = doc["paths"][path]["get"]["responses"]
        assert {"ETag", "Cache-Control"} <= set(responses["200"]["headers"])
        assert {"ETag", "API-Version"} <= set(responses["304"]["headers"])
        params = {p["name"] for p in doc["paths"][path]["get"]["parameters"]}
        assert "If-None-Match" in params
