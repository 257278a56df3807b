#!/usr/bin/env bash
# Run every test:
#   1. the pytest layer (tests/ at the repo root: business rules, static
#      checks), in the virtualenv .venv-test/ that this script keeps up to
#      date with requirements-test.txt;
#   2. in Odoo 18.0 (given, or set up by _setup.sh): a clean install of
#      the addons (debt_negotiation and its bridges) without demo data, then
#      the addons' own Odoo tests on a database with demo data.
#      checklog-odoo fails the run on any WARNING/ERROR/CRITICAL record in
#      Odoo's logs (except those ignored by checklog-odoo.cfg).
#
# Usage: bash scripts/test.sh [--pytest-only | --odoo-only] [-- pytest args]
# Settings (environment): see `bash scripts/test.sh --help` and README.md.
set -euo pipefail

DN_SCRIPT=test.sh
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

usage() {
    cat <<'EOF'
Usage: bash scripts/test.sh [--pytest-only | --odoo-only] [-- pytest arguments]

Runs the pytest layer, then a clean install of the addon without demo data and
the addon's Odoo tests with demo data in Odoo 18.0: the one given (ODOO_BIN,
an importable odoo), else one set up from ODOO_SOURCE (see README.md, "Quick
start").
Exit status 0 only when everything that ran passed.

The pytest layer and checklog-odoo run in the virtualenv .venv-test/,
created on the first run and updated whenever requirements-test.txt changes.

Environment:
  PYTHON               python the virtualenv is created with (default: python3)
  TEST_VENV_DIR        where the virtualenv lives (default: .venv-test)
  ODOO_BIN             path to Odoo 18.0's odoo-bin (else `python3 -m odoo`,
                       else Odoo set up from ODOO_SOURCE)
  ODOO_PYTHON          python to run Odoo with (default: python3)
  ODOO_SOURCE          archive, checkout or git URL to set Odoo up from, or
                       none (default: ../shared/odoo/odoo-18.0-community.tar.xz
                       if present, else https://github.com/odoo/odoo.git)
  ODOO_SETUP_SYSTEM    Debian packages: auto (installed when CI=true, asked
                       on a terminal), yes, no
  ODOO_TEST_ALLOW_SKIP=1  a skipped Odoo test does not fail the run
  ODOO_TEST_TAGS       Odoo --test-tags (default: /debt_negotiation,/debt_negotiation_sale,/debt_negotiation_queue)
  ODOO_TEST_VERBOSE=1  also stream Odoo's logs to the terminal
  ODOO_TEST_TIMEOUT    seconds after which a hanging Odoo run is stopped
                       and fails (default 1800, each of the two runs)
  ODOO_EXTRA_ADDONS    more addons directories (comma-separated)
  ODOO_DB_HOST, ODOO_DB_PORT, ODOO_DB_USER, ODOO_DB_PASSWORD, or the libpq
  variables PGHOST, PGPORT, PGUSER (PGPASSWORD):
                       use that PostgreSQL server (the test databases are
                       dropped afterwards unless ODOO_KEEP_DB=1); otherwise a
                       throwaway cluster is started and deleted.
  ODOO_DB_THROWAWAY=1  always use a throwaway cluster
  PG_BINDIR            directory of initdb/pg_ctl/postgres, if not found
  ODOO_LOG_DIR         where Odoo's logs go (default .run/):
                       odoo-install-nodemo.log, odoo-test.log
EOF
}

run_pytest=1
run_odoo=1
PYTEST_ARGS=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --pytest-only) run_odoo=0 ;;
        --odoo-only) run_pytest=0 ;;
        --)
            shift
            PYTEST_ARGS+=("$@")
            break
            ;;
        *)
            dn_err "unknown argument '$1' (pytest arguments go after --)"
            usage >&2
            exit 2
            ;;
    esac
    shift
done
if [[ $run_pytest == 0 && $run_odoo == 0 ]]; then
    dn_err "--pytest-only and --odoo-only exclude each other"
    exit 2
fi

ODOO_TIMEOUT="${ODOO_TEST_TIMEOUT:-1800}"
SUMMARY=()
overall=0
note() { SUMMARY+=("$(printf '  %-24s %s' "$1" "$2")"); }
fail() {
    note "$1" "FAILED: $2"
    overall=1
}

# Databases created on a configured server, dropped on exit.
DN_CREATED_DBS=()
DN_TMP_DATA_DIR=""
# shellcheck disable=SC2329  # called by the EXIT trap
dn_cleanup() {
    local db
    if [[ "${DN_PG_MODE:-}" == configured && "${ODOO_KEEP_DB:-0}" != 1 ]]; then
        for db in ${DN_CREATED_DBS[@]+"${DN_CREATED_DBS[@]}"}; do
            "${ODOO_CMD[@]}" db ${DN_DB_ARGS[@]+"${DN_DB_ARGS[@]}"} --data-dir="$DN_TMP_DATA_DIR" \
                drop "$db" >/dev/null 2>&1 && dn_say "dropped test database $db" || true
        done
    fi
    dn_pg_stop_throwaway
    dn_remove_runtime_dir
    if [[ -n "$DN_TMP_DATA_DIR" ]]; then
        if [[ "${ODOO_KEEP_DB:-0}" == 1 ]]; then
            dn_say "kept databases ${DN_CREATED_DBS[*]}; their filestore is in $DN_TMP_DATA_DIR"
        else
            rm -rf "$DN_TMP_DATA_DIR"
        fi
    fi
}
dn_install_traps

# ---------------------------------------------------------------------------
# Test virtualenv: pytest layer and checklog-odoo
# ---------------------------------------------------------------------------
TEST_VENV="${TEST_VENV_DIR:-$DN_REPO_ROOT/.venv-test}"
TEST_PY="$TEST_VENV/bin/python"
REQUIREMENTS="$DN_REPO_ROOT/requirements-test.txt"

# Prints a digest of FILE as read by python $1 (no sha256sum needed).
file_digest() {
    "$1" -c 'import hashlib, sys
print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$2"
}

# Creates .venv-test/ with ${PYTHON:-python3} (again when that python
# changes) and installs requirements-test.txt when it changed since the last
# install. Returns 1, after saying why, when that is not possible.
ensure_test_venv() {
    local base="${PYTHON:-python3}" base_id want
    if ! command -v "$base" >/dev/null 2>&1; then
        dn_err "PYTHON=$base is not an executable python"
        return 1
    fi
    base_id="$("$base" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    if [[ ! -x "$TEST_PY" || "$(cat "$TEST_VENV/.base-python" 2>/dev/null)" != "$base_id" ]]; then
        dn_say "creating the test virtualenv ${TEST_VENV#"$DN_REPO_ROOT"/} with $base_id"
        rm -rf "$TEST_VENV"
        if ! "$base" -m venv "$TEST_VENV"; then
            dn_err "'$base -m venv' failed (Debian/Ubuntu: apt-get install python3-venv)"
            rm -rf "$TEST_VENV"
            return 1
        fi
        printf '%s\n' "$base_id" >"$TEST_VENV/.base-python"
    fi
    want="$(file_digest "$TEST_PY" "$REQUIREMENTS")"
    if [[ "$(cat "$TEST_VENV/.requirements-test.sha256" 2>/dev/null)" == "$want" ]]; then
        return 0
    fi
    dn_say "installing requirements-test.txt into ${TEST_VENV#"$DN_REPO_ROOT"/}"
    if ! PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
        "$TEST_PY" -m pip install --quiet --requirement "$REQUIREMENTS"; then
        dn_err "pip could not install requirements-test.txt into $TEST_VENV"
        return 1
    fi
    printf '%s\n' "$want" >"$TEST_VENV/.requirements-test.sha256"
}

# check_log LOG: checklog-odoo on an Odoo log (configuration:
# checklog-odoo.cfg). Prints the records it reports; sets BAD_RECORDS to the
# number of records that fail the run (0 when the log is clean).
check_log() {
    local out rc=0 rel="${1#"$DN_REPO_ROOT"/}"
    out="$(cd "$DN_REPO_ROOT" && "$TEST_VENV/bin/checklog-odoo" \
        --config checklog-odoo.cfg --no-echo "$1" 2>&1)" || rc=$?
    if [[ -n "$out" ]]; then
        echo "---- checklog-odoo $rel:"
        printf '%s\n' "$out"
        echo "----"
    fi
    BAD_RECORDS=0
    if [[ $rc != 0 ]]; then
        BAD_RECORDS="$(printf '%s\n' "$out" | sed -nE 's/^errors that caused failure \(([0-9]+)\):.*/\1/p' | tail -n 1)"
        BAD_RECORDS="${BAD_RECORDS:-1}"
    fi
}

# dn_odoo_logged LOGFILE ARGS...: runs Odoo, its output going to LOGFILE.
dn_odoo_logged() {
    local log=$1
    shift
    local rc=0
    : >"$log"
    DN_ODOO_LOG="$log" DN_ODOO_TEE="${ODOO_TEST_VERBOSE:-0}" DN_ODOO_TIMEOUT="$ODOO_TIMEOUT" \
        dn_run_odoo "$@" || rc=$?
    if [[ $rc == 124 ]]; then
        dn_err "Odoo was stopped after ODOO_TEST_TIMEOUT=${ODOO_TIMEOUT}s: something hangs (last lines of $log below)"
        tail -n 15 "$log" >&2
    fi
    return "$rc"
}

# ---------------------------------------------------------------------------
# 1. pytest layer
# ---------------------------------------------------------------------------
run_pytest_layer() {
    local rc=0
    echo
    dn_say "== pytest layer (${TEST_PY#"$DN_REPO_ROOT"/} -m pytest) =="
    (cd "$DN_REPO_ROOT" && "$TEST_PY" -m pytest ${PYTEST_ARGS[@]+"${PYTEST_ARGS[@]}"}) || rc=$?
    case $rc in
        0) note "pytest" "PASSED" ;;
        5) fail "pytest" "no tests were collected (pytest exit 5)" ;;
        *) fail "pytest" "pytest exit status $rc" ;;
    esac
}

# ---------------------------------------------------------------------------
# 2. Odoo layer
# ---------------------------------------------------------------------------
# Says what a wkhtmltopdf without patched Qt does to the run; returns 1 when
# there is no wkhtmltopdf at all.
check_wkhtmltopdf() {
    if ! command -v wkhtmltopdf >/dev/null 2>&1; then
        dn_err "wkhtmltopdf is not on PATH: the addon's report (PDF letter) tests need it."
        dn_err "    install it (Debian/Ubuntu: apt-get install wkhtmltopdf; better: the patched-Qt"
        dn_err "    0.12.6 build from https://github.com/wkhtmltopdf/packaging/releases) and re-run"
        return 1
    fi
    if [[ "$(wkhtmltopdf --version 2>/dev/null)" != *"patched qt"* ]]; then
        dn_say "NOTE: $(command -v wkhtmltopdf) is not the patched-Qt build: its PDFs lack the"
        dn_say "      letters' headers and footers, and it prints 'unpatched qt' notices on stderr"
        dn_say "      for every PDF, which Odoo logs as warnings. Those known notices are dropped"
        dn_say "      (the PDF tests filter them; checklog-odoo.cfg ignores them), so they do not"
        dn_say "      fail this run; any other wkhtmltopdf message still does. For PDFs as users"
        dn_say "      get them: https://github.com/wkhtmltopdf/packaging/releases"
    fi
}

# Sets ODOO_COMMON (options of both runs) and ODOO_DB_STAMP.
prepare_odoo_run() {
    local data_dir
    if [[ "$DN_PG_MODE" == throwaway ]]; then
        ODOO_DB_STAMP=""
        data_dir="$DN_PG_TMP/odoo-data"
        mkdir -p "$data_dir"
    else
        ODOO_DB_STAMP="_$(date +%Y%m%d%H%M%S)_$$"
        DN_TMP_DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/dn-odoo-data.XXXXXX")"
        data_dir="$DN_TMP_DATA_DIR"
    fi
    mkdir -p "$DN_RUN_DIR"
    ODOO_COMMON=(
        --addons-path="$(dn_addons_path)"
        --data-dir="$data_dir"
        --max-cron-threads=0
        --log-level=info
        ${DN_DB_ARGS[@]+"${DN_DB_ARGS[@]}"}
    )
}

# 2a. clean install, no demo data
run_install_nodemo() {
    local db="dn_test${ODOO_DB_STAMP}_nodemo" log="$DN_RUN_DIR/odoo-install-nodemo.log"
    local rel="${log#"$DN_REPO_ROOT"/}" rc=0 t0=$SECONDS
    dn_say "clean install of $DN_MODULE WITHOUT demo data into '$db' (log: $rel)..."
    DN_CREATED_DBS+=("$db")
    dn_odoo_logged "$log" "${ODOO_COMMON[@]}" -d "$db" -i "$DN_MODULE" \
        --without-demo=all --stop-after-init --no-http || rc=$?
    dn_say "  done in $((SECONDS - t0))s, exit status $rc"
    check_log "$log"
    if [[ $rc != 0 ]]; then
        echo "---- last lines of $rel:"
        tail -n 30 "$log"
        echo "----"
        fail "install without demo" "odoo exit status $rc (see $rel)"
    elif [[ $BAD_RECORDS != 0 ]]; then
        fail "install without demo" "$BAD_RECORDS warning/error record(s) in $rel"
    else
        note "install without demo" "PASSED ($((SECONDS - t0))s)"
    fi
}

# Prints "FAILED ERRORS TOTAL RESULT" from Odoo's last
# "N failed, N error(s) of N tests when loading database '...'" line of a
# log; prints nothing when the line is missing.
odoo_test_result() {
    local re="([0-9]+) failed, ([0-9]+) error\\(s\\) of ([0-9]+) tests when loading database '[^']*'"
    grep -Eo "$re" "$1" | tail -n 1 | sed -E "s/^$re\$/\\1 \\2 \\3 &/" || true
}

# 2b. install with demo data and run the addon's tests
run_odoo_tests() {
    local db="dn_test${ODOO_DB_STAMP}_demo" log="$DN_RUN_DIR/odoo-test.log"
    local rel="${log#"$DN_REPO_ROOT"/}" tags="${ODOO_TEST_TAGS:-$DN_TEST_TAGS}"
    local rc=0 t0=$SECONDS http_port failed="" errors total result skipped
    http_port="$(dn_free_port)"
    dn_say "install of $DN_MODULE WITH demo data + tests ($tags) into '$db' (log: $rel)..."
    DN_CREATED_DBS+=("$db")
    dn_odoo_logged "$log" "${ODOO_COMMON[@]}" -d "$db" -i "$DN_MODULE" \
        --test-enable --test-tags "$tags" --stop-after-init \
        --http-interface=127.0.0.1 --http-port="$http_port" || rc=$?
    dn_say "  done in $((SECONDS - t0))s, exit status $rc"
    check_log "$log"
    read -r failed errors total result <<<"$(odoo_test_result "$log")" || true
    skipped="$(grep -cE " INFO [^ ]+ odoo\.addons\.[^ ]+: skipped " "$log" || true)"
    if [[ -n "$failed" ]]; then
        dn_say "Odoo: $result"
    else
        dn_say "Odoo's test result line ('N failed, N error(s) of N tests') is MISSING from $rel"
        if [[ $rc != 0 ]]; then
            echo "---- last lines of $rel:"
            tail -n 30 "$log"
            echo "----"
        fi
    fi
    if [[ -z "$failed" ]]; then
        fail "Odoo tests" "no test result line (exit status $rc, see $rel)"
    elif [[ $failed != 0 || $errors != 0 ]]; then
        fail "Odoo tests" "$result"
    elif [[ $total == 0 ]]; then
        fail "Odoo tests" "no Odoo test ran ($result)"
    elif [[ $rc != 0 ]]; then
        fail "Odoo tests" "odoo exit status $rc ($result)"
    elif [[ $BAD_RECORDS != 0 ]]; then
        fail "Odoo tests" "$BAD_RECORDS warning/error record(s) in $rel ($result)"
    elif [[ $skipped != 0 && "${ODOO_TEST_ALLOW_SKIP:-0}" != 1 ]]; then
        grep -E ": skipped " "$log" | head -n 5
        fail "Odoo tests" "$skipped test(s) skipped (no browser for the tours?) ($result)"
    else
        note "Odoo tests" "PASSED: $result ($((SECONDS - t0))s)"
    fi
}

run_odoo_layer() {
    echo
    dn_say "== Odoo layer: $DN_ODOO_DESC =="
    if ! check_wkhtmltopdf; then
        fail "Odoo layer" "wkhtmltopdf is not on PATH"
        return
    fi
    dn_prepare_runtime_dir
    if ! dn_pg_setup; then
        fail "Odoo layer" "no PostgreSQL server"
        return
    fi
    prepare_odoo_run
    run_install_nodemo
    run_odoo_tests
}

if ! ensure_test_venv; then
    fail "test virtualenv" "cannot set up ${TEST_VENV#"$DN_REPO_ROOT"/} (see above)"
    run_pytest=0
    run_odoo=0
fi

if [[ $run_pytest == 1 ]]; then
    run_pytest_layer
fi

if [[ $run_odoo == 1 ]]; then
    echo
    setup_rc=0 t0=$SECONDS
    dn_setup_odoo --browser || setup_rc=$?
    if [[ $setup_rc == 0 ]]; then
        note "Odoo set-up" "PASSED ($((SECONDS - t0))s)"
        run_odoo_layer
    elif [[ $setup_rc == 1 && "${DN_REQUIRE_ODOO:-0}" != 1 ]]; then
        echo "Odoo 18.0 not set up (ODOO_SOURCE=none): Odoo test layer SKIPPED"
        note "Odoo layer" "SKIPPED (ODOO_SOURCE=none)"
        [[ $run_pytest == 1 ]] || overall=2
    else
        dn_err "$DN_ODOO_PROBLEM"
        fail "Odoo layer" "Odoo 18.0 is not usable: $DN_ODOO_PROBLEM"
    fi
fi

echo
echo "== test.sh summary =="
printf '%s\n' "${SUMMARY[@]}"
if [[ $overall == 0 ]]; then
    echo "  RESULT: OK"
else
    echo "  RESULT: FAILED"
fi
exit "$overall"
