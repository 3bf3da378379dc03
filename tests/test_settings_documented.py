"""Every environment variable the settings read is in the README's table, and every row there is read."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "portal" / "settings"
TABLE_HEADER = "| variable | default | meaning |"


def _is_env_reader(func: ast.expr) -> bool:
    """``env(...)``, ``env.bool(...)``/``env.db(...)``..., ``os.getenv(...)``, ``os.environ.get/setdefault(...)``."""
    if isinstance(func, ast.Name):
        return func.id == "env"
    if not isinstance(func, ast.Attribute):
        return False
    if isinstance(func.value, ast.Name):
        return func.value.id == "env" or (func.value.id == "os" and func.attr == "getenv")
    return _is_os_environ(func.value) and func.attr in {"get", "setdefault", "pop"}


def _is_os_environ(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and getattr(node.value, "id", "") == "os"


def variables_read(source: str) -> set[str]:
    """Return the names of the environment variables a settings module reads; fail on a name not written out."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _is_env_reader(node.func):
            name = node.args[0] if node.args else None
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            name = node.slice
        else:
            continue
        assert isinstance(name, ast.Constant) and isinstance(name.value, str), (
            f"line {node.lineno}: an environment variable read under a computed name cannot be checked"
        )
        names.add(name.value)
    return names


def variables_documented(readme: str) -> set[str]:
    """Return the variables named in the first column of the README's table of environment variables."""
    lines = readme.splitlines()
    start = lines.index(TABLE_HEADER) + 2  # after the header and its |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1])
    return {name for cell in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}


def test_every_variable_read_is_in_the_readme_table():
    """A new env(...) in portal/settings/ fails here until its row (default, meaning) is in the README."""
    read = set().union(*(variables_read(path.read_text()) for path in SETTINGS.glob("*.py")))
    documented = variables_documented((ROOT / "README.md").read_text())

    assert len(read) > 40
    assert sorted(read - documented) == []
    assert sorted(documented - read) == []  # a row for a variable nothing reads any more


def test_the_reader_finds_each_way_of_reading_the_environment():
    """The parser sees env(), env.int() and the like, os.environ[...], .get, .setdefault and os.getenv."""
    source = """
import os
A = env("ONE")
B = env.bool("TWO", default=False)
C = env.db("THREE")
D = os.environ["FOUR"]
E = os.environ.get("FIVE", "")
F = os.environ.setdefault("SIX", "x")
G = os.getenv("SEVEN")
H = other("NOT_THIS")
"""
    assert variables_read(source) == {"ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN"}
