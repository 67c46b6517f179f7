"""The document is precise everywhere: a generic walk, so fields added by anyone are held to it."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema_rs
import pytest

from api.errors import PROBLEM_CODES
from api.meta.openapi import ENUM_NAMES

TYPED_BY = ("type", "$ref", "allOf", "anyOf", "oneOf")


@pytest.fixture(scope="module")
def doc(app) -> dict[str, Any]:
    with app.test_client() as c:
        document: dict[str, Any] = c.get("/v1/openapi.json").get_json()
    return document


def _properties(node: Any, where: str = ""):
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for name, spec in props.items():
                yield f"{where}.{name}", spec
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _properties(value, where)


def _subschemas(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _subschemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _subschemas(value)


def test_every_property_has_a_type_and_a_description(doc: dict[str, Any]) -> None:
    untyped = [w for w, spec in _properties(doc) if not any(k in spec for k in TYPED_BY)]
    assert untyped == []
    undescribed = [w for w, spec in _properties(doc) if not spec.get("description")]
    assert undescribed == []


def test_enums_hold_no_null_and_nullable_refs_are_explicit(doc: dict[str, Any]) -> None:
    for node in _subschemas(doc["components"]["schemas"]):
        enum = node.get("enum")
        if isinstance(enum, list) and None in enum:
            assert enum == [None] and node.get("nullable"), node  # only the "null" alternative
        for part in node.get("anyOf", []):
            assert part != {"type": "object", "nullable": True}, node  # matches any object
        if "$ref" in node:
            assert set(node) == {"$ref"}, node  # OpenAPI 3.0 ignores keys beside $ref
        if node.get("nullable"):
            assert "type" in node, node  # 3.0.3: nullable counts only beside a type


def test_every_request_body_has_an_example(doc: dict[str, Any]) -> None:
    missing = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody") if isinstance(op, dict) else None
            if not body:
                continue
            schema = body["content"]["application/json"]["schema"]
            name = schema.get("$ref", "").rsplit("/", 1)[-1]
            target = doc["components"]["schemas"].get(name, schema)
            if "example" not in target and "example" not in body["content"]["application/json"]:
                missing.append(f"{method} {path}")
    assert missing == []


def _json_responses(doc: dict[str, Any]):
    """(where, schema) of every 200/201 JSON answer."""
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            for status, resp in op.get("responses", {}).items():
                content = resp.get("content", {}).get("application/json")
                if status in ("200", "201") and content:
                    yield f"{method} {path} {status}", content


def _target(doc: dict[str, Any], schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    name = schema.get("$ref", "").rsplit("/", 1)[-1] or None
    return name, doc["components"]["schemas"].get(name or "", schema)


def test_every_json_response_has_an_example(doc: dict[str, Any]) -> None:
    """What a mobile team reads first: an example of each answer, next to its schema."""
    missing = []
    for where, content in _json_responses(doc):
        _, target = _target(doc, content["schema"])
        if "example" not in target and "example" not in content:
            missing.append(where)
    assert missing == []


def _as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema: `nullable` becomes a null type; objects take no other keys,
    so a misspelt field in an example fails."""
    if isinstance(node, list):
        return [_as_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _as_json_schema(v) for k, v in node.items() if k not in ("example", "nullable")}
    if node.get("nullable") and "type" in node:
        out["type"] = [node["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    if isinstance(node.get("properties"), dict) and "additionalProperties" not in node:
        out["additionalProperties"] = False
    return out


def test_every_example_fits_its_schema(doc: dict[str, Any]) -> None:
    """Examples are checked against the schema they illustrate (types, required, enums, formats)."""
    schemas = _as_json_schema(copy.deepcopy(doc["components"]["schemas"]))
    wrong: dict[str, list[str]] = {}
    checked = 0
    for name, schema in doc["components"]["schemas"].items():
        if "example" not in schema:
            continue
        root = {"$ref": f"#/components/schemas/{name}", "components": {"schemas": schemas}}
        validator = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
        errors = [
            f"{e.instance_path}: {e.message}" for e in validator.iter_errors(schema["example"])
        ]
        checked += 1
        if errors:
            wrong[name] = errors[:5]
    assert wrong == {}
    assert checked >= 60


def test_enum_components_have_names_the_code_chose(doc: dict[str, Any]) -> None:
    """Generated clients name their types after components: no `Kind` or `FromStatus`."""
    schemas = doc["components"]["schemas"]
    chosen = {name for name, _ in ENUM_NAMES.values()}
    enums = {name for name, schema in schemas.items() if "enum" in schema}
    assert enums <= chosen, enums - chosen
    for values, (name, _) in ENUM_NAMES.items():
        if name in schemas:
            assert tuple(schemas[name]["enum"]) == values
    generic = {"Kind", "Status", "Type", "Value", "Item", "Data", "Label", "Step", "Target"}
    generic |= {"Warning", "Report", "Export", "Account", "Power", "FromStatus", "ToStatus"}
    generic |= {"WaitingFor", "TeachesLevel", "Language", "Level", "Code", "Result", "Action"}
    assert generic & set(schemas) == set()
    # one type per vocabulary: every match's status is a MatchStatus, wherever it is read
    status = {"$ref": "#/components/schemas/MatchStatus"}
    for owner in ("Match", "CoachMatch", "MatchDecision", "OrganizerMatch", "Candidate"):
        assert schemas[owner]["properties"]["status"]["allOf"] == [status], owner
    assert schemas["Profile"]["properties"]["availability"]["items"] == {
        "$ref": "#/components/schemas/DayPart"
    }


def test_one_problem_schema_with_every_code(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert schemas["Problem"]["properties"]["code"]["enum"] == list(PROBLEM_CODES)
    assert schemas["ValidationProblem"]["properties"]["code"]["enum"] == list(PROBLEM_CODES)
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            for status, resp in op.get("responses", {}).items():
                if status[0] in "45":
                    schema = resp["content"]["application/problem+json"]["schema"]
                    want = "ValidationProblem" if status == "400" else "Problem"
                    assert schema == {"$ref": f"#/components/schemas/{want}"}, (path, method)


def test_lifecycle_and_ranking_are_described(doc: dict[str, Any]) -> None:
    tags = {t["name"]: t.get("description", "") for t in doc["tags"]}
    assert "`requested` -> `approved`" in tags["matches"]
    assert "in a row" in tags["feed"] and "weighted sum" in tags["feed"]
    assert "token_expired" in doc["info"]["description"]
