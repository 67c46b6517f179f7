"""What each field means to a person, and example bodies, for the OpenAPI document.

Descriptions live here, by schema and property, rather than beside each marshmallow field, so
one place shows the whole vocabulary; a field's own `metadata={"description": ...}` wins. The
document's tests fail on any property without a description, so a new field needs a line here
(or its own description).
"""

from __future__ import annotations

from typing import Any

# Meaning by property name, wherever it appears (unless the schema's own entry says otherwise).
COMMON: dict[str, str] = {}

# Meaning by schema, then property.
BY_SCHEMA: dict[str, dict[str, str]] = {}

# Example objects by schema (request bodies and the main responses).
EXAMPLES: dict[str, dict[str, Any]] = {}


def describe_schemas(schemas: dict[str, Any]) -> None:
    """Fill in missing property descriptions and schema examples, in place."""
    for name, schema in schemas.items():
        own = BY_SCHEMA.get(name, {})
        for prop, spec in (schema.get("properties") or {}).items():
            if "description" in spec:
                continue
            text = own.get(prop) or COMMON.get(prop)
            if text:
                spec["description"] = text
        if name in EXAMPLES and "example" not in schema:
            schema["example"] = EXAMPLES[name]
