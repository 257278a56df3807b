"""Sizes the next engineer can read (the house rule since the redesign):
no function over 80 lines in the addon's code, no model file over 900
lines. Tests and migrations are not counted. The same AST walk as the
project's before-stop check, so the two never disagree."""

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
MAX_FUNCTION_LINES = 80
MAX_MODEL_FILE_LINES = 900


def _addon_sources(root=REPO_ROOT):
    """The Python files of the addons (``debt_negotiation*/``), tests and
    migrations aside."""
    for addon in sorted(root.glob("debt_negotiation*")):
        for path in sorted(addon.rglob("*.py")):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            yield path


def long_functions(paths, limit=MAX_FUNCTION_LINES):
    """``path:line name (n lines)`` of each function longer than ``limit``."""
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append(f"{path}:{node.lineno} {node.name} ({length} lines)")
    return found


def long_model_files(root=REPO_ROOT, limit=MAX_MODEL_FILE_LINES):
    """``path (n lines)`` of each model file longer than ``limit``."""
    found = []
    for path in sorted(root.glob("debt_negotiation*/models/*.py")):
        length = len(path.read_text(encoding="utf-8").splitlines())
        if length > limit:
            found.append(f"{path} ({length} lines)")
    return found


def test_no_function_over_80_lines():
    assert long_functions(_addon_sources()) == []


def test_no_model_file_over_900_lines():
    assert long_model_files() == []


@pytest.mark.parametrize("extra", [0, 1])
def test_the_checks_can_fail(tmp_path, extra):
    """The checks see a function and a model file one line too long (and
    not one exactly at the limit), including in a second addon of the
    repository."""
    models = tmp_path / "debt_negotiation_extra" / "models"
    models.mkdir(parents=True)
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES - 2 + extra))
    (models / "big.py").write_text(
        f"def f():\n    '''doc'''\n{body}\n"
        + "\n" * (MAX_MODEL_FILE_LINES - MAX_FUNCTION_LINES),
        encoding="utf-8",
    )
    tests = tmp_path / "debt_negotiation_extra" / "tests"
    tests.mkdir()
    (tests / "test_big.py").write_text((models / "big.py").read_text())
    sources = list(_addon_sources(tmp_path))
    assert [p.name for p in sources] == ["big.py"], "tests are not counted"
    assert len(long_functions(sources)) == extra
    assert len(long_model_files(tmp_path)) == extra
