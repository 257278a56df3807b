"""Run pylint with the pylint-odoo plugin over the addon.

The configuration is the repository's ``.pylintrc`` (the OCA template's
mandatory checks for Odoo 18.0). Any message fails the test, with pylint's
output as the failure message.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ADDON_DIR = REPO_ROOT / "debt_negotiation"
PYLINTRC = REPO_ROOT / ".pylintrc"


@pytest.mark.skipif(
    importlib.util.find_spec("pylint_odoo") is None,
    reason="pylint-odoo is not installed (pip install -r requirements-test.txt)",
)
def test_pylint_odoo():
    assert PYLINTRC.is_file(), f"{PYLINTRC.name} is missing at the repository root"
    command = [
        sys.executable,
        "-m",
        "pylint",
        f"--rcfile={PYLINTRC}",
        "--output-format=text",
        ADDON_DIR.name,
    ]
    result = subprocess.run(
        command,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    if result.returncode or output:
        pytest.fail(f"pylint exited with {result.returncode}:\n{output}", pytrace=False)
