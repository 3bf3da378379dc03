"""The apps stay in their layers (docs/architecture.md); import-linter (`make test`) checks the imports themselves."""

import ast
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _layers() -> list[set[str]]:
    """The contract's layers, bottom-up, each a set of dotted app names."""
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    return [{name.strip() for name in layer.split("|")} for layer in reversed(contract["layers"])]


def test_installed_apps_list_the_domain_apps_bottom_up_as_the_layers():
    """The personal-data registry erases top layer first by reading INSTALLED_APPS backwards: the two must agree."""
    position = {app: index for index, layer in enumerate(_layers()) for app in layer}
    domain = [app for app in settings.INSTALLED_APPS if app in position]
    apps = {app for app in position if (ROOT / app.replace(".", "/") / "apps.py").exists()}  # not services.common
    assert set(domain) == apps, "an app of the layers is not installed"
    levels = [position[app] for app in domain]
    assert levels == sorted(levels), f"INSTALLED_APPS out of layer order: {domain}"


def test_an_import_inside_a_function_says_why():
    """An import inside a function (to dodge a cycle, or to wait for Django's set-up) has its reason beside it."""
    unexplained = []
    for path in [*ROOT.glob("services/**/*.py"), *ROOT.glob("portal/**/*.py")]:
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import | ast.ImportFrom) and node.col_offset > 0:
                explained = "#" in lines[node.lineno - 1] or lines[node.lineno - 2].strip().startswith("#")
                if not explained:
                    unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not unexplained, f"imports inside functions without their reason: {unexplained}"
