"""Shared fixtures of the Odoo-less test layer.

The ``debt_negotiation`` package imports Odoo, so it is never imported here:
its ``tools`` folder (pure Python) is loaded straight from its path as the
top-level package ``debt_negotiation_tools``, so the tests import
``from debt_negotiation_tools import negotiation_rules``.
"""

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parent.parent
ADDON_DIR = REPO_ROOT / "debt_negotiation"
TOOLS_DIR = ADDON_DIR / "tools"
TOOLS_PACKAGE = "debt_negotiation_tools"

# No example database (runs do not depend on earlier runs) and no deadline
# (a busy CI machine does not make property tests flaky).
# HYPOTHESIS_PROFILE=thorough runs many more examples.
settings.register_profile("default", deadline=None, database=None)
settings.register_profile(
    "thorough", parent=settings.get_profile("default"), max_examples=3000
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def load_tools():
    """Load the addon's ``tools`` package by path (once) and return it."""
    package = sys.modules.get(TOOLS_PACKAGE)
    if package is None:
        spec = importlib.util.spec_from_file_location(
            TOOLS_PACKAGE,
            TOOLS_DIR / "__init__.py",
            submodule_search_locations=[str(TOOLS_DIR)],
        )
        package = importlib.util.module_from_spec(spec)
        sys.modules[TOOLS_PACKAGE] = package
        spec.loader.exec_module(package)
    return package


load_tools()


@pytest.fixture(scope="session")
def rules():
    """The ``negotiation_rules`` module."""
    return load_tools().negotiation_rules


@pytest.fixture(scope="session")
def ladder():
    """The ``followup_ladder`` module."""
    return load_tools().followup_ladder
