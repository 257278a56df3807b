# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Run pylint with the pylint-odoo plugin over the addons, as pre-commit does.

The two configurations come from the OCA addons repository template for
Odoo 18.0:

* ``.pylintrc-mandatory``: the blocking checks; any message fails the test;
* ``.pylintrc``: the same plus the optional checks; their messages are
  reported as pytest warnings, never as failures, but a run that checked
  nothing (bad configuration, crash) fails.

The template still enables the XML/CSV/PO checks that pylint-odoo 9.x moved
to ``oca-checks-odoo-module`` (pre-commit); pylint reports each of them as
``unknown-option-value`` about the configuration file, which is not a
message about the addon and is ignored here.
"""

import configparser
import importlib.util
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# every addon of the repository: debt_negotiation and its bridges
ADDON_NAMES = sorted(path.parent.name for path in REPO_ROOT.glob("*/__manifest__.py"))
PYLINTRC = REPO_ROOT / ".pylintrc"
PYLINTRC_MANDATORY = REPO_ROOT / ".pylintrc-mandatory"
MESSAGE_RE = re.compile(r"^[^:\s]+:\d+: \[\w+\((?P<symbol>[\w-]+)\)")
CONFIG_NOISE = {"unknown-option-value"}

needs_pylint_odoo = pytest.mark.skipif(
    importlib.util.find_spec("pylint_odoo") is None,
    reason="pylint-odoo is not installed (pip install -r requirements-test.txt)",
)


def run_pylint(rcfile, *extra):
    """pylint's exit status and its messages about the addon."""
    assert rcfile.is_file(), f"{rcfile.name} is missing at the repository root"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pylint",
            f"--rcfile={rcfile}",
            "--output-format=text",
            *extra,
            *ADDON_NAMES,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = []
    for line in (result.stdout + result.stderr).splitlines():
        match = MESSAGE_RE.match(line)
        if match and match["symbol"] in CONFIG_NOISE:
            continue
        if line.strip() and not line.startswith("*************"):
            messages.append(line)
    return result.returncode, messages


def enabled_checks(rcfile):
    parser = configparser.ConfigParser()
    parser.read(rcfile, encoding="utf-8")
    value = parser["MESSAGES CONTROL"]["enable"]
    return {
        name.strip()
        for line in value.splitlines()
        if not line.strip().startswith("#")
        for name in line.split(",")
        if name.strip()
    }


@needs_pylint_odoo
def test_pylint_odoo_mandatory():
    """The blocking checks: no message at all."""
    returncode, messages = run_pylint(PYLINTRC_MANDATORY)
    if returncode or messages:
        pytest.fail(
            f"pylint (.pylintrc-mandatory) exited with {returncode}:\n"
            + "\n".join(messages),
            pytrace=False,
        )


# What shows that pylint did not check the addon: a module it could not
# parse or import, a checker that crashed.
BROKEN_RUN = {"fatal", "astroid-error", "syntax-error", "parse-error", "import-error"}


def broken_run(returncode, messages):
    """Why a pylint run with ``--exit-zero`` checked nothing, or None.

    ``--exit-zero`` only hides the messages about the code: a usage or
    configuration error still exits non-zero, and a crash shows as one of
    :data:`BROKEN_RUN` or as output that is no pylint message."""
    if returncode:
        return f"pylint exited with {returncode}"
    for message in messages:
        match = MESSAGE_RE.match(message)
        if not match:
            return f"not a pylint message: {message}"
        if match["symbol"] in BROKEN_RUN:
            return message
    return None


@needs_pylint_odoo
def test_pylint_odoo_optional():
    """The optional checks (``.pylintrc``, as in the OCA template: for
    information, never blocking): they must really run over the addon (a
    broken configuration or a crash fails); what they find is reported as
    warnings."""
    returncode, messages = run_pylint(PYLINTRC, "--exit-zero")
    problem = broken_run(returncode, messages)
    assert problem is None, f"the optional pylint checks did not run: {problem}"
    for message in messages:
        warnings.warn(f"pylint optional check: {message}", stacklevel=1)


def test_broken_optional_run_is_seen():
    """:func:`broken_run` tells a run that checked nothing from one that
    found something."""
    found = "debt_negotiation/models/x.py:3: [C8107(translation-required), ] msg"
    assert broken_run(0, []) is None
    assert broken_run(0, [found]) is None
    assert broken_run(32, [])
    assert broken_run(0, ["Traceback (most recent call last):"])
    assert broken_run(0, ["debt_negotiation/x.py:1: [F0001(fatal), ] No module"])


def test_pylintrc_contains_the_mandatory_checks():
    """``.pylintrc`` (for IDEs) checks everything the mandatory file checks."""
    missing = enabled_checks(PYLINTRC_MANDATORY) - enabled_checks(PYLINTRC)
    assert not missing, f".pylintrc lacks mandatory checks: {sorted(missing)}"
