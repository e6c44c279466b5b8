"""The layout the README's design section draws, checked: no import circle inside any app, and
data flows one way (tasks_catalog → consortia → reporting; inside reporting, periods → registry →
insights → final → evaluation → closing). A lazy import inside a function counts too: it hides a circle, it does not remove it."""

import ast
from pathlib import Path

from django.conf import settings

APPS = ("portal", "tasks_catalog", "consortia", "reporting")
# Which app (or reporting sub-package) may import which; anything not listed is upstream-only.
LAYERS = [
    "portal",
    "tasks_catalog",
    "consortia",
    "reporting.periods",
    "reporting.registry",
    "reporting.insights",
    "reporting.final",
    "reporting.evaluation",
    "reporting.closing",
]


# The project's URLconfs route to every app: they are wiring above all layers.
WIRING = frozenset({"portal.urls", "portal.api.urls"})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(settings.BASE_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _app_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (settings.BASE_DIR / app).rglob("*.py"):
            if {"migrations", "tests"} & set(path.parts) or path.name == "conftest.py":
                continue
            modules[_module_name(path)] = path
    return modules


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            candidates = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        found.update(c for c in candidates if c in modules)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _app_modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def _layer(module: str) -> int | None:
    matches = [
        i for i, layer in enumerate(LAYERS) if module == layer or module.startswith(layer + ".")
    ]
    return max(matches) if matches else None


def test_no_import_circle_inside_any_app():
    assert _cycles(_graph()) == []


def test_data_flows_one_way_between_apps_and_reporting_subpackages():
    upstream_imports = [
        (module, imported)
        for module, imports in _graph().items()
        for imported in imports
        if module not in WIRING
        and _layer(module) is not None
        and _layer(imported) is not None
        and _layer(imported) > _layer(module)
    ]
    assert upstream_imports == []
