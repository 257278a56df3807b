# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Odoo bootstrap shared by the benchmarks (bench_followups.py,
bench_letters.py, bench_agreements.py).

They run Odoo inside their own process, with the same command line::

    python scripts/bench_<name>.py [--odoo-path DIR] [bench options] -- \\
        [Odoo options: -c odoo.conf, -d DATABASE, --db_host, --addons-path...]

* ``--odoo-path DIR``: the directory holding the ``odoo`` package (an Odoo
  18.0 source checkout), when the python running the bench cannot import it;
  by default ``.odoo/src``, the Odoo that ``scripts/test.sh`` set up, when it
  exists (run the bench with the python of its virtualenv);
* everything after ``--`` is parsed by Odoo as its own options; ``-d`` names
  the one database, where ``debt_negotiation`` must be installed;
* ``--report-url URL``: an Odoo server of that database that wkhtmltopdf
  loads the report assets from; by default the bench serves the database
  itself, from a thread, on a free port of 127.0.0.1.

Each bench generates its data once per database (committed, recognisable by
its partners' name prefix) and reuses it on the next runs. Use a throwaway
database per bench.
"""

import argparse
import contextlib
import os
import socket
import sys
import time
import urllib.request

# the Odoo source that scripts/run.sh and test.sh set up when none is given
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUP_SOURCE = os.path.join(REPO_ROOT, ".odoo", "src")

USAGE_EPILOG = (
    "Arguments after -- are Odoo's own options (-c, -d, --db_host, "
    "--addons-path, ...); give one database with -d."
)


def make_parser(doc):
    """An argument parser with the options common to the benches."""
    parser = argparse.ArgumentParser(
        description=doc,
        epilog=USAGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--odoo-path",
        metavar="DIR",
        help="directory holding the odoo package (an Odoo 18.0 source checkout)",
    )
    parser.add_argument(
        "--report-url",
        metavar="URL",
        help="an Odoo server of the database, for wkhtmltopdf to load the report "
        "assets from (default: served by the bench itself on 127.0.0.1)",
    )
    return parser


def parse_args(parser, argv=None):
    """(bench options, Odoo options): Odoo's options come after ``--``."""
    argv = sys.argv[1:] if argv is None else list(argv)
    odoo_args = []
    if "--" in argv:
        split = argv.index("--")
        argv, odoo_args = argv[:split], argv[split + 1 :]
    return parser.parse_args(argv), odoo_args


def bootstrap(args, odoo_args):
    """Load Odoo with ``odoo_args``; return the registry of its database."""
    odoo_path = args.odoo_path
    if not odoo_path and os.path.isdir(SETUP_SOURCE):
        odoo_path = SETUP_SOURCE
    if odoo_path:
        sys.path.insert(0, os.path.abspath(odoo_path))
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(odoo_args, setup_logging=True)
    db_name = odoo.tools.config["db_name"]
    if not db_name or "," in db_name:
        sys.exit("give one database with -d (after --)")
    registry = Registry(db_name)
    if "debt.negotiation" not in registry:
        sys.exit(f"debt_negotiation is not installed in {db_name}")
    return registry


def skip_pdf():
    """The context under which letters are generated without their PDF
    (rendered on first print): the addon's typed marker, since a plain
    ``debt_negotiation_skip_pdf`` key, which any client can send, is not
    heard."""
    from odoo.addons.debt_negotiation.models.workflow import skip_pdf_context

    return skip_pdf_context()


@contextlib.contextmanager
def environment(registry, context=None):
    """A superuser environment on a new cursor (committed on exit)."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, context or {})


def free_port():
    """A free TCP port of 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url, timeout=180):
    """Whether ``url`` answers within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/web/login", timeout=10):
                return True
        except OSError:
            time.sleep(1)
    return False


def serve_http():
    """Serve the database over HTTP from a daemon thread (started once);
    return its URL."""
    import odoo
    from odoo.service.server import ThreadedServer

    if _SERVED:
        return _SERVED[0]
    odoo.tools.config["http_interface"] = "127.0.0.1"
    odoo.tools.config["http_port"] = free_port()
    ThreadedServer(odoo.http.root).http_spawn()
    url = "http://127.0.0.1:%d" % odoo.tools.config["http_port"]
    if not wait_http(url):
        sys.exit(f"the HTTP server for the report assets did not answer on {url}")
    _SERVED.append(url)
    return url


_SERVED = []


@contextlib.contextmanager
def report_server(env, args):
    """wkhtmltopdf loads the report assets from ``--report-url``, or from a
    server of this process, until the block ends (``report.url`` is then set
    back as it was)."""
    parameters = env["ir.config_parameter"].sudo()
    previous = parameters.get_param("report.url")
    url = args.report_url or serve_http()
    parameters.set_param("report.url", url)
    print(f"report assets served by {url}", flush=True)
    try:
        yield url
    finally:
        parameters.set_param("report.url", previous or False)


def cron_loop(model, xmlid, method, limit=1000, **kwargs):
    """Call ``model.<method>(**kwargs)`` as Odoo's cron loop calls the cron
    ``xmlid``: its progress record in the context (the scheduled runs then
    do one step per call), a commit after each call, called again while
    the progress says something remains (at most ``limit`` calls). Return
    the number of calls."""
    env = model.env
    cron = env.ref(xmlid)
    calls = 0
    while calls < limit:
        progress = env["ir.cron.progress"].sudo().create({"cron_id": cron.id})
        getattr(model.with_context(ir_cron_progress_id=progress.id), method)(**kwargs)
        env.cr.commit()
        calls += 1
        if not progress.remaining:
            break
    return calls


# ----------------------------------------------------------------------
# Measuring helpers shared by the benches
# ----------------------------------------------------------------------
def load_average():
    """The load averages of the machine (1, 5, 15 minutes), as text."""
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "unknown"


def rss_mb():
    """Resident memory of this process, in MB (Linux)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except OSError:
        return 0.0


def wall_clock():
    """Seconds of real time (``os.times``: freezegun does not stop it)."""
    return os.times().elapsed


class QueryOrigins(dict):
    """SQL queries by origin: ``counter(name)`` is a wrapper factory (see
    :func:`patched`) adding the queries of each call to ``self[name]``,
    unless the call runs within another counted call (its queries are
    counted there, once)."""

    def __init__(self):
        super().__init__()
        self._inside = False

    def counter(self, name):
        def make_wrapper(method):
            def wrapper(records, *a, **kw):
                if self._inside:
                    return method(records, *a, **kw)
                self._inside = True
                queries = records.env.cr.sql_log_count
                try:
                    return method(records, *a, **kw)
                finally:
                    self._inside = False
                    self[name] = self.get(name, 0) + (
                        records.env.cr.sql_log_count - queries
                    )

            return wrapper

        return make_wrapper


def memory_marks(memory):
    """``#1: 149 MB, ...``: the process memory after each batch (after
    five of them along the run when there are more than 20)."""
    if len(memory) <= 20:
        marks = list(range(len(memory)))
    else:
        marks = sorted({0, len(memory) // 4, len(memory) // 2, 3 * len(memory) // 4})
        marks.append(len(memory) - 1)
    return ", ".join(f"#{i + 1}: {memory[i]:.0f} MB" for i in marks)


class Probe:
    """Wall time and SQL queries of a phase on one cursor."""

    def __init__(self, cr):
        self.cr = cr

    def __enter__(self):
        self.start = wall_clock()
        self.queries = self.cr.sql_log_count
        return self

    def __exit__(self, *exc):
        self.seconds = wall_clock() - self.start
        self.queries = self.cr.sql_log_count - self.queries


@contextlib.contextmanager
def patched(owner, name, make_wrapper):
    """``owner.name`` replaced by ``make_wrapper(original)`` within the block."""
    own = name in vars(owner)
    original = getattr(owner, name)
    setattr(owner, name, make_wrapper(original))
    try:
        yield
    finally:
        if own:
            setattr(owner, name, original)
        else:
            delattr(owner, name)
