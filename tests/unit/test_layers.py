"""The architecture as the README draws it: the domain knows no HTTP, nothing imports in
a cycle. Read from the source (every import statement, at any depth), not from what a run
happens to import."""

import ast
from pathlib import Path

import pytest

from tests.conftest import PROJECT

DOMAIN = ["schemas", "api/search", "api/store", "api/services", "api/formats", "api/statistics"]
HTTP = ("flask", "werkzeug", "webargs", "flask_smorest", "flask_compress", "apispec",
        "api.errors", "api.smorest", "api.query", "api.resources", "api.transport")


def modules() -> dict[str, Path]:
    found = {}
    for root in ("api", "schemas"):
        for path in (PROJECT / root).rglob("*.py"):
            parts = path.relative_to(PROJECT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(path: Path, name: str) -> set[str]:
    """Every module `path` imports, anywhere in it (relative imports resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


MODULES = modules()


@pytest.mark.parametrize("name", sorted(name for name, path in MODULES.items()
                                        if any(str(path.relative_to(PROJECT)).startswith(root)
                                               for root in DOMAIN)))
def test_the_domain_imports_no_http_code(name):
    http = sorted(module for module in imports(MODULES[name], name)
                  if any(module == prefix or module.startswith(prefix + ".") for prefix in HTTP))
    assert http == [], f"{name} imports {http}"


def test_no_import_cycle():
    graph = {name: {module for module in imports(path, name) if module in MODULES} - {name}
             for name, path in MODULES.items()}
    # A package's __init__ re-exporting its own modules is not a cycle through them.
    graph = {name: {module for module in targets if not name.startswith(module + ".")}
             for name, targets in graph.items()}
    cycles = []
    state: dict[str, str] = {}

    def visit(name, trail):
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append(trail[trail.index(target):] + [target])
            elif target not in state:
                visit(target, trail + [target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []
