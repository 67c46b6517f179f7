"""The served OpenAPI document follows the NL API Design Rules (the checks of Logius' linter)."""

from __future__ import annotations

import re

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
KEBAB_PATH = re.compile(r"^(/|(/([a-z0-9\-]+|\{[^}]+\})(/([a-z0-9\-\.]+|\{[^}]+\}))*))$")
METHODS = {"get", "put", "post", "delete", "patch"}
PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "code"}


def _doc(client):
    resp = client.get("/v1/openapi.json")
    assert resp.status_code == 200
    return resp, resp.get_json()


def _resolve(doc: dict, node: dict) -> dict:
    while "$ref" in node:
        _, section, kind, name = node["$ref"].split("/")
        node = doc[section][kind][name]
    return node


def test_served_publicly_with_cors_and_version_header(client) -> None:
    resp, doc = _doc(client)
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.headers["API-Version"] == doc["info"]["version"]
    assert re.match(r"^3\.0\.\d+$", doc["openapi"])
    assert SEMVER.match(doc["info"]["version"])
    assert {"name", "email", "url"} <= set(doc["info"]["contact"])
    assert doc["servers"] and all(re.search(r"/v\d+", s["url"]) for s in doc["servers"])
    assert doc["servers"][0]["url"] == "/v1"


def test_paths_are_kebab_case_without_trailing_slash(client) -> None:
    _, doc = _doc(client)
    assert "/health" in doc["paths"] and "/auth/login" in doc["paths"]
    for path, item in doc["paths"].items():
        assert not path.endswith("/") or path == "/", path
        assert KEBAB_PATH.match(path) or path.endswith("openapi.json"), path
        assert set(item) - {"parameters"} <= METHODS, path


def test_every_response_documents_api_version_and_errors_are_problems(client) -> None:
    _, doc = _doc(client)
    checked = 0
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            assert "500" in op["responses"], (path, method)
            for code, resp in op["responses"].items():
                resp = _resolve(doc, resp)
                checked += 1
                if code[0] in "23":
                    assert "API-Version" in resp.get("headers", {}), (path, method, code)
                if code[0] in "45":
                    content = resp["content"]
                    assert "application/problem+json" in content, (path, method, code)
                    for schema in _schemas(doc, content["application/problem+json"]["schema"]):
                        props = set(schema.get("properties", {}))
                        if "status" in props:
                            assert props <= PROBLEM_FIELDS | {"invalidParams"}
                            assert {"status", "title", "detail", "code"} <= set(schema["required"])
                            if code == "400":
                                assert "invalidParams" in schema["required"], (path, method)
    assert checked > 20


def _schemas(doc: dict, schema: dict) -> list[dict]:
    schema = _resolve(doc, schema)
    out = [schema]
    for part in schema.get("allOf", []):
        out.extend(_schemas(doc, part))
    return out


def test_secured_operations_declare_scheme_and_401(client) -> None:
    _, doc = _doc(client)
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    invitations = doc["paths"]["/invitations"]["post"]
    assert invitations["security"] == [{"bearerAuth": []}]
    assert {"400", "401", "403"} <= set(invitations["responses"])
    assert "security" not in doc["paths"]["/health"]["get"]


def test_document_lists_the_routes_the_app_serves(app, client) -> None:
    _, doc = _doc(client)
    documented = {
        (re.sub(r"\{[^}]+\}", "{}", "/v1" + p), m.upper())
        for p, item in doc["paths"].items()
        for m in item
        if m in METHODS
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith("console."):  # the web console
            continue
        path = re.sub(r"<[^>]+>", "{}", rule.rule)
        for m in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, m))
    assert documented == served
