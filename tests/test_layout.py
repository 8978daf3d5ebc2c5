"""The package's shape: extraction is pure, no import cycles, no grab-bag modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "crawler"
MAX_LINES = 400  # a longer module says why at its top ("Long because …")


def test_extraction_imports_neither_scrapy_nor_sqlite():
    code = ("import importlib, pkgutil, sys, crawler.extract as e\n"
            "for m in pkgutil.walk_packages(e.__path__, 'crawler.extract.'): importlib.import_module(m.name)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'sqlite3', 'sqlite_utils', 'twisted', "
            "'datasette'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Project modules a module imports at its top level (imports inside functions are deferred)."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("crawler"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("crawler")}
    return found


def test_no_import_cycles():
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py") if "datasette" not in p.parts}
    graph = {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}
    # a package's __init__ re-exporting its own modules is not a cycle
    graph = {name: {m for m in deps if not (m.startswith(name + ".") and modules[name].name == "__init__.py")}
             for name, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for dep in graph[name]:
            assert state.get(dep) != 1, "import cycle: " + " -> ".join([*path, name, dep])
            if dep not in state:
                visit(dep, [*path, name])
        state[name] = 2

    for name in graph:
        if name not in state:
            visit(name, [])


def test_extract_never_imports_the_crawl_or_the_store():
    for path in (PACKAGE / "extract").rglob("*.py"):
        for module in imports_of(path):
            assert not module.startswith(("crawler.crawl", "crawler.store", "crawler.publish", "crawler.capture")), \
                (path, module)


def test_no_module_is_too_long_without_a_reason():
    for path in [*PACKAGE.rglob("*.py"), *(ROOT / "spiders").glob("*.py")]:
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_LINES:
            head = "\n".join(lines[:20])
            assert "Long because" in head, f"{path.relative_to(ROOT)}: {len(lines)} lines and no reason at its top"


def test_ls_crawler_shows_the_data_flow():
    entries = {p.name for p in PACKAGE.iterdir() if not p.name.startswith("__") or p.name == "__main__.py"}
    assert {"sites", "crawl", "capture", "extract", "store", "publish", "reextract"} <= entries
