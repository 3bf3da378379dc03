"""The settings modules (portal/settings/) each define their own settings, none another module's."""

import ast
from collections import defaultdict
from pathlib import Path

SETTINGS = Path(__file__).resolve().parent.parent / "portal" / "settings"
# base.py only gathers the modules; test.py only overrides what they define.
GATHERING = {"__init__.py", "base.py", "test.py"}


def assigned_settings(path: Path) -> set[str]:
    """Return the upper-case names a settings module assigns (at any depth: some sit under an ``if``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names.update(t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper())
    return names


def test_each_setting_is_defined_in_one_module():
    """base.py star-imports the modules in isort's order: a setting defined twice would depend on that order."""
    modules = sorted(path for path in SETTINGS.glob("*.py") if path.name not in GATHERING)
    defined_in = defaultdict(list)
    for path in modules:
        for name in assigned_settings(path):
            defined_in[name].append(path.name)

    assert len(modules) > 5 and "INSTALLED_APPS" in defined_in
    assert {name: where for name, where in defined_in.items() if len(where) > 1} == {}


def test_every_module_is_gathered_by_base():
    """A new settings module is imported by base.py, or its settings would silently not exist."""
    base = ast.parse((SETTINGS / "base.py").read_text())
    gathered = {node.module for node in base.body if isinstance(node, ast.ImportFrom) and node.level == 1}
    modules = {path.stem for path in SETTINGS.glob("*.py") if path.name not in GATHERING}

    assert gathered == modules
