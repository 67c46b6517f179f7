"""The NL API Design Rules (ADR 2.x) checks of Logius' linter, on the served document.

Spectral runs the built-in OpenAPI rules the ADR linter turns on (tools/openapi/spectral.yaml);
the ADR-specific rules are written out here, each over the whole document, so an operation added
by anyone is checked too. Both must report 0 errors.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.api.live import ROOT

SPECTRAL = ROOT / "tools" / "openapi" / "node_modules" / ".bin" / "spectral"
RULESET = ROOT / "tools" / "openapi" / "spectral.yaml"
METHODS = {"get", "put", "post", "delete", "patch"}
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"
)
KEBAB = re.compile(r"^(/|((/_[a-z0-9]+)|/(([a-z0-9\-]+|\{[^}]+\})(/([a-z0-9\-.]+|\{[^}]+\}))*)))$")
CAMEL = re.compile(r"^\$?[a-z][a-z\d]*([A-Z][a-z\d]*)*$")
PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
DATE_NAME = re.compile(r"(\w+D|_[dD])(ate|atum)")


@pytest.fixture(scope="module")
def doc(app) -> dict[str, Any]:
    with app.test_client() as c:
        resp = c.get("/v1/openapi.json")
    assert resp.status_code == 200
    document: dict[str, Any] = resp.get_json()
    return document


def _resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        _, section, kind, name = node["$ref"].split("/")
        node = doc[section][kind][name]
    return node


def _operations(doc: dict[str, Any]):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, item, op


def test_spectral_reports_no_errors(doc: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    target.write_text(json.dumps(doc))
    done = subprocess.run(
        [str(SPECTRAL), "lint", "-r", str(RULESET), "-f", "json", "--quiet", str(target)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: it found something
    found = json.loads(done.stdout)
    errors = [f"{'.'.join(map(str, r['path']))}: {r['code']}: {r['message']}" for r in found]
    assert errors == [], "\n".join(errors[:40])


def test_document_basics(doc: dict[str, Any]) -> None:
    assert re.match(r"^3(\.\d+){1,2}$", doc["openapi"])
    assert SEMVER.match(doc["info"]["version"])
    assert {"name", "email", "url"} <= set(doc["info"]["contact"])
    assert doc["servers"]
    for server in doc["servers"]:
        assert re.search(r"/v\d", server["url"]), server  # major version in the URI
        assert not server["url"].startswith("http://"), server
    for name in doc["components"]["schemas"]:
        assert PASCAL.match(name), name


def test_paths_methods_and_query_keys(doc: dict[str, Any]) -> None:
    for path, item in doc["paths"].items():
        assert path == "/" or not path.endswith("/"), path
        if not re.search(r"/openapi\.(json|yaml)$", path):
            assert KEBAB.match(path), path
        assert set(item) <= METHODS | {"parameters"}, path
    for path, _, item, op in _operations(doc):
        for param in [*item.get("parameters", []), *op.get("parameters", [])]:
            if param["in"] == "query":
                assert CAMEL.match(param["name"]), (path, param["name"])


def test_every_2xx_and_3xx_returns_the_version_header(doc: dict[str, Any]) -> None:
    for path, method, _, op in _operations(doc):
        for status, response in op["responses"].items():
            if re.match(r"^[23]\d\d$", status):
                headers = _resolve(doc, response).get("headers") or {}
                assert "API-Version" in headers, (path, method, status)


def test_errors_are_problem_details_with_status_title_detail(doc: dict[str, Any]) -> None:
    for path, method, _, op in _operations(doc):
        for status, response in op["responses"].items():
            if not re.match(r"^[45]\d\d$", status):
                continue
            content = _resolve(doc, response).get("content") or {}
            assert "application/problem+json" in content, (path, method, status)
            schema = _resolve(doc, content["application/problem+json"]["schema"])
            assert {"status", "title", "detail"} <= set(schema["properties"]), (path, status)


def test_writes_and_parameterised_reads_document_400(doc: dict[str, Any]) -> None:
    for path, method, item, op in _operations(doc):
        params = [*item.get("parameters", []), *op.get("parameters", [])]
        if method in ("put", "post", "patch") or params:
            assert "400" in op["responses"], (path, method)


def _properties(node: Any, where: str = ""):
    if isinstance(node, dict):
        for name, spec in (node.get("properties") or {}).items():
            if isinstance(spec, dict):
                yield f"{where}.{name}", name, spec
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _properties(value, where)


def test_dates_and_times(doc: dict[str, Any]) -> None:
    for where, name, spec in _properties(doc):
        fmt = spec.get("format")
        assert fmt != "date-time-local", where
        assert fmt != "time", where  # local times are time-local (or plain strings)
        if name in ("date", "datum") or DATE_NAME.search(name):
            formats = [fmt, *(_resolve(doc, p).get("format") for p in spec.get("allOf", []))]
            assert "date" in formats, where


def test_openapi_document_states_its_cors_header(doc: dict[str, Any]) -> None:
    ok = doc["paths"]["/openapi.json"]["get"]["responses"]["200"]
    headers = {name.lower() for name in ok["headers"]}
    assert "access-control-allow-origin" in headers
