# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""checklog-odoo.cfg, used by scripts/test.sh on Odoo's logs: it ignores the
known wkhtmltopdf build notices and nothing else.

The log records are those the addon's own test of its log filter uses
(``TestWkhtmltopdfNoiseFilter`` in debt_negotiation/tests/test_letter.py).
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG = REPO_ROOT / "checklog-odoo.cfg"
PREFIX = "2026-11-28 09:00:01,123 4242 {level} dn_test {logger}: "
REPORT = "odoo.addons.base.models.ir_actions_report"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("checklog_odoo") is None,
    reason="checklog-odoo is not installed (pip install -r requirements-test.txt)",
)


def record(message, level="WARNING", logger=REPORT):
    return PREFIX.format(level=level, logger=logger) + message + "\n"


def checklog(tmp_path, *records):
    """checklog-odoo's exit status on a log made of ``records``."""
    log = tmp_path / "odoo.log"
    log.write_text(
        record("Modules loaded.", level="INFO", logger="odoo.modules.loading")
        + "".join(records),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "checklog_odoo", f"--config={CONFIG}", "--no-echo"]
        + [str(log)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode


@pytest.mark.parametrize(
    "message",
    [
        "wkhtmltopdf: QSslSocket: cannot resolve CRYPTO_num_locks\n"
        "QSslSocket: cannot resolve CRYPTO_set_id_callback\n"
        "QSslSocket: cannot call unresolved function SSL_library_init\n",
        "wkhtmltopdf: The switch --header-spacing, is not support using "
        "unpatched qt, and will be ignored.",
        # as Odoo 18 logs Debian's build: the notices on one line
        "wkhtmltopdf: The switch --header-spacing, is not support using "
        "unpatched qt, and will be ignored.The switch --header-html, is not "
        "support using unpatched qt, and will be ignored.The switch "
        "--footer-html, is not support using unpatched qt, and will be ignored. ",
    ],
    ids=["openssl-lookups", "unpatched-qt", "unpatched-qt-one-line"],
)
def test_build_notices_are_ignored(tmp_path, message):
    assert checklog(tmp_path, record(message)) == 0


@pytest.mark.parametrize(
    ("message", "level", "logger"),
    [
        (
            "wkhtmltopdf: Exit with code 1 due to network error: ContentNotFoundError",
            "WARNING",
            REPORT,
        ),
        (
            "wkhtmltopdf: QSslSocket: cannot resolve CRYPTO_num_locks\n"
            "Warning: Failed to load http://127.0.0.1/web/assets/x.css",
            "WARNING",
            REPORT,
        ),
        ("Wkhtmltopdf failed (error code: -11).", "ERROR", REPORT),
        (
            "wkhtmltopdf: The switch --header-spacing, is not support using "
            "unpatched qt, and will be ignored.",
            "WARNING",
            "odoo.addons.debt_negotiation.models.debt_negotiation_letter",
        ),
        ("Field x has no string", "WARNING", "odoo.fields"),
        ("1 failed, 0 error(s) of 12 tests", "ERROR", "odoo.tests.result"),
        ("Traceback (most recent call last):", "CRITICAL", "odoo.service.server"),
    ],
    ids=[
        "network-error",
        "notice-and-real-line",
        "wkhtmltopdf-failed",
        "other-logger",
        "other-warning",
        "failed-tests",
        "critical",
    ],
)
def test_other_records_fail(tmp_path, message, level, logger):
    assert checklog(tmp_path, record(message, level, logger)) == 1


def test_clean_log_passes(tmp_path):
    assert checklog(tmp_path) == 0
