"""The layering in ARCHITECTURE.md, read from the import statements (ast) of api/ and matching/."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Modules that wire every package together; nothing below them may import them.
WIRING = {"api.app", "api.cli", "api.scheduler", "api.models"}
# What the pure engine must never depend on: the service, the web and the database.
NOT_IN_MATCHING = {
    "api",
    "seeds",
    "flask",
    "flask_smorest",
    "flask_jwt_extended",
    "marshmallow",
    "sqlalchemy",
    "geoalchemy2",
    "psycopg",
    "alembic",
}


@dataclass(frozen=True)
class Import:
    """One imported module, where it is imported (also inside functions)."""

    importer: str
    module: str
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line} imports {self.module}"


def module_name(path: Path) -> str:
    """api/caseload/service.py -> api.caseload.service; a package's __init__ -> the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(*top: str) -> Iterator[Import]:
    """Every import in the Python files under these top-level folders, relative ones resolved."""
    for folder in top:
        for path in sorted((ROOT / folder).rglob("*.py")):
            importer = module_name(path)
            package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        yield Import(importer, alias.name, path, node.lineno)
                elif isinstance(node, ast.ImportFrom):
                    if node.level:
                        base = package.split(".")[: len(package.split(".")) - node.level + 1]
                        module = ".".join([*base, *([node.module] if node.module else [])])
                    else:
                        module = node.module or ""
                    yield Import(importer, module, path, node.lineno)


def api_package(module: str) -> str | None:
    """The api package a module belongs to: api.caseload.service -> api.caseload."""
    parts = module.split(".")
    if parts[0] != "api" or len(parts) < 2:
        return None
    return ".".join(parts[:2])


def is_domain_package(package: str) -> bool:
    """A folder under api/ other than the shared core (top-level modules are infrastructure)."""
    folder = ROOT / Path(*package.split("."))
    return folder.is_dir() and package != "api.core"


def package_graph() -> dict[str, set[str]]:
    """Which api packages import which (api.app and the other wiring modules left out)."""
    graph: dict[str, set[str]] = {}
    for imp in imports("api"):
        source, target = api_package(imp.importer), api_package(imp.module)
        if source is None or target is None or source == target:
            continue
        if source in WIRING or target in WIRING:
            continue
        graph.setdefault(source, set()).add(target)
    return graph


def package_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_import_reader_sees_what_is_there() -> None:
    found = {(imp.importer, imp.module) for imp in imports("api", "matching")}
    assert ("api.caseload.service", "api.core.paging") in found
    assert ("matching.ranking", "matching.model") in found
    assert package_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert package_cycles({"a": {"b"}, "b": set()}) == []


def test_matching_imports_nothing_from_the_service_the_web_or_the_database() -> None:
    wrong = [str(i) for i in imports("matching") if i.module.split(".")[0] in NOT_IN_MATCHING]
    assert wrong == []


def test_the_service_never_imports_seeds() -> None:
    wrong = [str(i) for i in imports("api") if i.module.split(".")[0] == "seeds"]
    assert wrong == []


def test_core_imports_no_domain_package() -> None:
    wrong = [
        str(i)
        for i in imports("api/core")
        if (package := api_package(i.module)) is not None
        and (is_domain_package(package) or i.module in WIRING)
    ]
    assert wrong == []


def test_only_the_app_imports_routes() -> None:
    wrong = [
        str(i) for i in imports("api") if i.module.endswith(".routes") and i.importer != "api.app"
    ]
    assert wrong == []


def test_no_cycles_between_api_packages() -> None:
    assert package_cycles(package_graph()) == []


def test_only_the_wiring_imports_the_console() -> None:
    """The console sits on top: it uses the services, no service uses it."""
    wrong = [
        str(i)
        for i in imports("api")
        if api_package(i.module) == "api.console"
        and api_package(i.importer) != "api.console"
        and i.importer not in WIRING
    ]
    assert wrong == []
