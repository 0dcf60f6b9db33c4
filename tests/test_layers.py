"""The layers of the package stay true: the import-linter contract in ``.importlinter`` is kept,
names every module, no import circle exists, and every module stays short."""

import configparser
import pkgutil
import sys
from pathlib import Path

import grimp
import pytest

import govtag

REPOSITORY = Path(__file__).resolve().parents[1]
CONTRACT = REPOSITORY / ".importlinter"
MAX_LINES = 350


def test_the_layers_contract_is_kept():
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(CONTRACT), no_cache=True) == 0


def test_the_contract_names_every_module():
    parser = configparser.ConfigParser()
    parser.read(CONTRACT, encoding="utf-8")
    named = {name.strip() for line in parser["importlinter:contract:layers"]["layers"].splitlines()
             for name in line.split(":") if name.strip()}
    modules = {f"govtag.{m.name}" for m in pkgutil.iter_modules(govtag.__path__)}
    assert named == modules


def circles(graph) -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while not group or module not in group:
                group.add(stack.pop())
            on_stack.difference_update(group)
            if len(group) > 1:
                found.append(group)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_circle():
    assert circles(grimp.build_graph("govtag")) == []


@pytest.mark.parametrize("path", sorted(Path(govtag.__file__).parent.rglob("*.py")), ids=lambda p: p.name)
def test_every_module_is_short(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


MAX_FUNCTION_IMPORTS = 25  # lazy imports kept for start-up time or optional packages


def test_imports_stay_at_module_top():
    import ast

    inside = 0
    for path in Path(govtag.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inside += sum(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(node))
    assert inside <= MAX_FUNCTION_IMPORTS
