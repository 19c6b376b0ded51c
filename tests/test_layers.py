"""The package layout is the architecture: these tests keep its rules.

- The library knows nothing of the web: importing it must not load Flask.
- ``search.storage`` is the only package that reaches into whoosh's internals.
- ``web/`` uses only the names ``search/__init__.py`` exports.
- Imports go down the layers (base → text → articles → storage → indexing | searching →
  the command),
  indexing and searching know nothing of each other, and no modules import each other in
  a cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import search
from conftest import ROOT

#: whoosh modules whose public classes and functions any layer may use.
WHOOSH_PUBLIC = {
    "whoosh.analysis",
    "whoosh.fields",
    "whoosh.index",
    "whoosh.query",
    "whoosh.reading",
    "whoosh.searching",
    "whoosh.spelling",
}

#: Names whose private attributes are fair to use: the object's own, and ``os._exit``.
OWN_PRIVATES = ("self", "cls", "os")

#: Each package's layer; a module may import only from its own layer or the ones below.
LAYERS = {
    "search.errors": 0,
    "search.shared": 0,
    "search.cores": 0,
    "search.text": 1,
    "search.articles": 2,
    "search.storage": 3,
    "search.indexing": 4,
    "search.searching": 4,
    "search.opensearch": 5,  # the OpenSearch backend: its own indexing and searching
    "search": 6,  # the package's public names, the command line
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: str) -> dict[str, ast.Module]:
    """Every module of ``package`` (a top-level folder), parsed."""
    return {
        module_name(path): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def imports(tree: ast.Module) -> list[tuple[str, list[str]]]:
    """``(module, names)`` of every import in the module, function-level ones included."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def layer_of(module: str) -> tuple[str, int]:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return prefix, LAYERS[prefix]
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def search_imports(name: str, tree: ast.Module) -> set[str]:
    """The ``search`` modules ``name`` imports (``from search.x import y`` where ``y`` is a
    module counts as ``search.x.y``)."""
    found = set()
    for module, names in imports(tree):
        if module == "search" or module.startswith("search."):
            submodules = {f"{module}.{n}" for n in names if f"{module}.{n}" in LIBRARY}
            found |= submodules or {module}
    found.discard(name)
    return found


LIBRARY = modules("search")


def test_library_import_leaves_flask_out() -> None:
    code = "import sys, search, search.cli; print('flask' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_only_storage_reaches_into_whoosh() -> None:
    offences = []
    for name, tree in {**LIBRARY, **modules("web")}.items():
        if name.startswith("search.storage"):
            continue
        for module, names in imports(tree):
            if module.split(".")[0] != "whoosh":
                continue
            used = [f"whoosh.{n}" for n in names] if module == "whoosh" else [module]
            offences += [f"{name} imports {m}" for m in used if m not in WHOOSH_PUBLIC]
            offences += [f"{name} imports {module}.{n}" for n in names if n.startswith("_")]
        for node in ast.walk(tree):
            private = isinstance(node, ast.Attribute) and node.attr.startswith("_")
            if private and not node.attr.startswith("__"):
                owner = node.value
                if not (isinstance(owner, ast.Name) and owner.id in OWN_PRIVATES):
                    offences.append(f"{name}:{node.lineno} reads .{node.attr}")
    assert offences == []


def test_web_uses_only_the_public_names_of_search() -> None:
    public = set(search.__all__)
    offences = []
    for name, tree in modules("web").items():
        for module, names in imports(tree):
            if module.startswith("search."):
                offences.append(f"{name} imports {module}")
            elif module == "search":
                offences += [f"{name} imports search.{n}" for n in names if n not in public]
    assert offences == []


def test_imports_go_down_the_layers() -> None:
    offences = []
    for name, tree in LIBRARY.items():
        package, layer = layer_of(name)
        for imported in search_imports(name, tree):
            other_package, other_layer = layer_of(imported)
            upward = other_layer > layer
            sideways = other_layer == layer and other_package != package and layer > 0
            if upward or sideways:
                offences.append(f"{name} imports {imported}")
    assert offences == []


def test_no_import_cycles() -> None:
    graph = {name: search_imports(name, tree) & set(LIBRARY) for name, tree in LIBRARY.items()}
    graph["search"] = set()  # the package's own __init__ gathers names; nothing imports back
    cycles = []

    def visit(node: str, path: list[str], done: set[str]) -> None:
        for nxt in graph[node]:
            if nxt in path:
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in done:
                visit(nxt, [*path, nxt], done)
        done.add(node)

    done: set[str] = set()
    for start in graph:
        if start not in done:
            visit(start, [start], done)
    assert cycles == []
