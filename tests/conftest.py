"""Shared fixtures of the Odoo-less test layer.

The ``debt_negotiation`` package imports Odoo, so it is never imported here:
``negotiation_rules.py`` (pure Python) is loaded straight from its file and
registered as the top-level module ``negotiation_rules``.
"""

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parent.parent
ADDON_DIR = REPO_ROOT / "debt_negotiation"
RULES_PATH = ADDON_DIR / "tools" / "negotiation_rules.py"

# No example database (runs do not depend on earlier runs) and no deadline
# (a busy CI machine does not make property tests flaky).
# HYPOTHESIS_PROFILE=thorough runs many more examples.
settings.register_profile("default", deadline=None, database=None)
settings.register_profile(
    "thorough", parent=settings.get_profile("default"), max_examples=3000
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def load_rules():
    """Load ``negotiation_rules.py`` by path (once) and return the module."""
    module = sys.modules.get("negotiation_rules")
    if module is None:
        spec = importlib.util.spec_from_file_location("negotiation_rules", RULES_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules["negotiation_rules"] = module
        spec.loader.exec_module(module)
    return module


load_rules()


@pytest.fixture(scope="session")
def rules():
    """The ``negotiation_rules`` module."""
    return load_rules()
