"""Every module of the portal stays small enough for one person to hold (CONVENTIONS.md 3: a file becomes a package
past ~400 lines) and every function short enough to read at once."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("services", "portal", "bench")
NOT_CODE = {"services/catalogue/data.py"}  # the catalogue as data: long by nature, and no logic in it
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def python_files() -> list[Path]:
    files = (path for top in CHECKED for path in sorted((ROOT / top).rglob("*.py")))
    return [path for path in files if "migrations" not in path.parts and relative(path) not in NOT_CODE]


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_the_check_sees_the_code():
    """The walk finds the apps' modules (a wrong root would make the other tests pass on nothing)."""
    found = {relative(path) for path in python_files()}
    assert {"services/applications/models.py", "portal/urls.py", "bench/run.py"} <= found
    assert not any("/migrations/" in name for name in found)


def test_every_file_has_at_most_400_lines():
    """No module under services/, portal/ or bench/ (migrations and the catalogue's data aside) is longer."""
    too_long = {relative(path): line_count(path) for path in python_files() if line_count(path) > MAX_FILE_LINES}
    assert not too_long, f"over {MAX_FILE_LINES} lines (split it into a package or a sibling module): {too_long}"


def test_every_function_has_at_most_60_lines():
    """No function or method (nested ones included), from its ``def`` to its last line, is longer."""
    too_long = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    too_long.append(f"{relative(path)}:{node.lineno} {node.name}() has {lines} lines")
    assert not too_long, f"over {MAX_FUNCTION_LINES} lines (extract a helper): {too_long}"
