"""The layers of dalil, checked on the source with `ast` (no exceptions, no allow-list).

Bottom to top: text and model (pure) → store (owns every SQL statement) → ingest, search, intel
(features, which never import each other) → trace (above search and intel) → archive.py (the
Python API) → cli/ and web/ (faces that import only the API and its types).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dalil"

# What each part may import from dalil.  "api" is the package root (`dalil`, re-exporting Archive,
# the result types and the errors a face needs).
ALLOWED: dict[str, set[str]] = {
    "text": {"text", "model"},
    "model": {"text", "model"},
    "store": {"text", "model", "store"},
    "ingest": {"text", "model", "store", "ingest"},
    "search": {"text", "model", "store", "search"},
    "intel": {"text", "model", "store", "intel"},
    "trace": {"text", "model", "store", "search", "intel", "trace"},
    "archive": {"text", "model", "store", "ingest", "search", "intel", "trace", "archive", "access", "scoped"},
    # Accounts and sessions (dalil/access.py) sit beside the API; the archive scoped to a user
    # (dalil/scoped.py) is the API itself, restricted.
    "access": {"text", "model", "store", "access"},
    "scoped": {"text", "model", "store", "ingest", "search", "intel", "trace", "archive", "access", "scoped"},
    "api": {"text", "model", "store", "ingest", "search", "intel", "trace", "archive", "access", "scoped", "api"},
    "cli": {"api", "model", "cli"},
    "web": {"api", "model", "web"},
    "__main__": {"cli"},
}

SQL_CALLS = {"execute", "executemany", "executescript", "cursor"}
# Probing dalil's own objects for what they offer hides a broken contract; call the API instead.
PROBED_NAMES = {"archive", "store", "searcher", "tracer", "hybrid", "lexical", "vectors"}


def _part(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "dalil":
        return None
    return "api" if len(parts) == 1 else parts[1]


def _own_part(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("").parts
    if rel == ("__init__",):
        return "api"
    return rel[0]


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.ImportFrom) and node.level > 1:
            yield node.lineno, "."       # a relative import that climbs out of its folder hides the layer


def test_imports_follow_the_layer_table():
    bad = []
    for path in _sources():
        me = _own_part(path)
        assert me in ALLOWED, f"{path}: part {me!r} has no row in the layer table"
        for line, module in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if module == ".":
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line}: relative import")
                continue
            part = _part(module)
            if part is not None and part not in ALLOWED[me]:
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {me} imports {module}")
    assert not bad, "\n".join(bad)


def test_sql_only_in_the_store():
    bad = []
    for path in _sources():
        if _own_part(path) == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in SQL_CALLS:
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: .{node.attr}")
            if isinstance(node, ast.Attribute) and node.attr == "db" and _names(node.value) & {"store", "archive"}:
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: reaches the store's connection")
    assert not bad, "\n".join(bad)


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | \
           {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def test_no_probing_of_dalils_own_objects():
    bad = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id in ("hasattr", "getattr") and node.args and _names(node.args[0]) & PROBED_NAMES:
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.func.id}() on dalil's own object")
            if node.func.id == "import_module" or (node.func.id == "__import__"):
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: module loaded by name")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("source, expected", [
    ("from dalil.search.query import parse_query\n", "web imports dalil.search.query"),
    ("import dalil.store.sqlite\n", "web imports dalil.store.sqlite"),
])
def test_the_checker_sees_a_face_reaching_down(tmp_path, source, expected):
    """The import check itself fires on a face that skips the API (and not on one that uses it)."""
    tree = ast.parse(source)
    found = [f"web imports {m}" for _, m in _imports(tree) if _part(m) not in ALLOWED["web"]]
    assert found == [expected]
    assert not [m for _, m in _imports(ast.parse("from dalil import Archive\n")) if _part(m) not in ALLOWED["web"]]
