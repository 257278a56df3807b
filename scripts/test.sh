#!/usr/bin/env bash
# Run every test:
#   1. the pytest layer (tests/ at the repo root: business rules, static
#      checks), with the current python;
#   2. when Odoo 18.0 is found: a clean install of debt_negotiation without
#      demo data, then the addon's own Odoo tests on a database with demo data.
#      Any WARNING/ERROR/CRITICAL line in Odoo's logs fails the run.
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

Runs the pytest layer, then (when Odoo 18.0 is found) a clean install of the
addon without demo data and the addon's Odoo tests with demo data.
Exit status 0 only when everything that ran passed.

Environment:
  PYTHON               python for the pytest layer (default: python3)
  ODOO_BIN             path to Odoo 18.0's odoo-bin (else `python3 -m odoo`)
  ODOO_PYTHON          python to run Odoo with (default: python3)
  ODOO_TEST_TAGS       Odoo --test-tags (default: /debt_negotiation)
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

# Prints the WARNING/ERROR/CRITICAL lines of an Odoo log (with the
# traceback lines that follow them).
bad_log_lines() {
    awk '
        $1 ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/ && $2 ~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9],[0-9]+$/ && $3 ~ /^[0-9]+$/ {
            if ($4 == "WARNING" || $4 == "ERROR" || $4 == "CRITICAL") { print; more = 30 } else { more = 0 }
            next
        }
        more > 0 { print "    " $0; more-- }
    ' "$1"
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
    local py="${PYTHON:-python3}" rc=0
    echo
    dn_say "== pytest layer ($py -m pytest) =="
    if ! "$py" -c 'import pytest' >/dev/null 2>&1; then
        dn_err "pytest is not importable by '$py'. Install the test requirements first:"
        dn_err "    $py -m pip install -r requirements-test.txt"
        fail "pytest" "pytest is not installed (pip install -r requirements-test.txt)"
        return
    fi
    (cd "$DN_REPO_ROOT" && "$py" -m pytest ${PYTEST_ARGS[@]+"${PYTEST_ARGS[@]}"}) || rc=$?
    case $rc in
        0) note "pytest" "PASSED" ;;
        5) fail "pytest" "no tests were collected (pytest exit 5)" ;;
        *) fail "pytest" "pytest exit status $rc" ;;
    esac
}

# ---------------------------------------------------------------------------
# 2. Odoo layer
# ---------------------------------------------------------------------------
run_odoo_layer() {
    echo
    dn_say "== Odoo layer: $DN_ODOO_DESC =="
    if ! command -v wkhtmltopdf >/dev/null 2>&1; then
        dn_err "wkhtmltopdf is not on PATH: the addon's report (PDF letter) tests need it."
        dn_err "    install it (Debian/Ubuntu: apt-get install wkhtmltopdf; better: the patched-Qt"
        dn_err "    0.12.6 build from https://github.com/wkhtmltopdf/packaging/releases) and re-run"
        fail "Odoo layer" "wkhtmltopdf is not on PATH"
        return
    fi
    if [[ "$(wkhtmltopdf --version 2>/dev/null)" != *"patched qt"* ]]; then
        dn_say "NOTE: $(command -v wkhtmltopdf) is not the patched-Qt build: Odoo logs a WARNING"
        dn_say "      ('... is not support using unpatched qt') for every PDF really rendered, which"
        dn_say "      fails this run. The patched build: https://github.com/wkhtmltopdf/packaging/releases"
    fi
    dn_prepare_runtime_dir
    if ! dn_pg_setup; then
        fail "Odoo layer" "no PostgreSQL server"
        return
    fi

    local stamp data_dir
    if [[ "$DN_PG_MODE" == throwaway ]]; then
        stamp=""
        data_dir="$DN_PG_TMP/odoo-data"
        mkdir -p "$data_dir"
    else
        stamp="_$(date +%Y%m%d%H%M%S)_$$"
        DN_TMP_DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/dn-odoo-data.XXXXXX")"
        data_dir="$DN_TMP_DATA_DIR"
    fi
    local db_nodemo="dn_test${stamp}_nodemo" db_demo="dn_test${stamp}_demo"
    local log_install="$DN_RUN_DIR/odoo-install-nodemo.log" log_test="$DN_RUN_DIR/odoo-test.log"
    local rel_install="${log_install#"$DN_REPO_ROOT"/}" rel_test="${log_test#"$DN_REPO_ROOT"/}"
    mkdir -p "$DN_RUN_DIR"
    local common=(
        --addons-path="$(dn_addons_path)"
        --data-dir="$data_dir"
        --max-cron-threads=0
        --log-level=info
        ${DN_DB_ARGS[@]+"${DN_DB_ARGS[@]}"}
    )

    # 2a. clean install, no demo data
    local rc=0 t0=$SECONDS bad
    dn_say "clean install of $DN_MODULE WITHOUT demo data into '$db_nodemo' (log: $rel_install)..."
    DN_CREATED_DBS+=("$db_nodemo")
    dn_odoo_logged "$log_install" "${common[@]}" -d "$db_nodemo" -i "$DN_MODULE" \
        --without-demo=all --stop-after-init --no-http || rc=$?
    dn_say "  done in $((SECONDS - t0))s, exit status $rc"
    bad="$(bad_log_lines "$log_install")"
    if [[ -n "$bad" ]]; then
        echo "---- WARNING/ERROR/CRITICAL lines in $rel_install:"
        printf '%s\n' "$bad"
        echo "----"
    fi
    if [[ $rc != 0 ]]; then
        echo "---- last lines of $rel_install:"
        tail -n 30 "$log_install"
        echo "----"
        fail "install without demo" "odoo exit status $rc (see $rel_install)"
    elif [[ -n "$bad" ]]; then
        fail "install without demo" "$(printf '%s\n' "$bad" | grep -c '^[0-9]') warning/error line(s) in $rel_install"
    else
        note "install without demo" "PASSED ($((SECONDS - t0))s)"
    fi

    # 2b. install with demo data and run the addon's tests
    local tags="${ODOO_TEST_TAGS:-/$DN_MODULE}" http_port
    http_port="$(dn_free_port)"
    rc=0
    t0=$SECONDS
    dn_say "install of $DN_MODULE WITH demo data + tests ($tags) into '$db_demo' (log: $rel_test)..."
    DN_CREATED_DBS+=("$db_demo")
    dn_odoo_logged "$log_test" "${common[@]}" -d "$db_demo" -i "$DN_MODULE" \
        --test-enable --test-tags "$tags" --stop-after-init \
        --http-interface=127.0.0.1 --http-port="$http_port" || rc=$?
    dn_say "  done in $((SECONDS - t0))s, exit status $rc"
    bad="$(bad_log_lines "$log_test")"
    if [[ -n "$bad" ]]; then
        echo "---- WARNING/ERROR/CRITICAL lines in $rel_test:"
        printf '%s\n' "$bad"
        echo "----"
    fi
    local result failed errors total
    local RESULT_RE="[0-9]+ failed, [0-9]+ error\\(s\\) of [0-9]+ tests when loading database '[^']*'"
    result="$(grep -Eo "$RESULT_RE" "$log_test" | tail -n 1 || true)"
    if [[ -n "$result" ]]; then
        dn_say "Odoo: $result"
        read -r failed errors total <<<"$(printf '%s' "$result" | sed -E 's/^([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\1 \2 \3/')"
    else
        dn_say "Odoo's test result line ('N failed, N error(s) of N tests') is MISSING from $rel_test"
    fi
    if [[ $rc != 0 && -z "$result" ]]; then
        echo "---- last lines of $rel_test:"
        tail -n 30 "$log_test"
        echo "----"
    fi
    if [[ -z "$result" ]]; then
        fail "Odoo tests" "no test result line (exit status $rc, see $rel_test)"
    elif [[ $failed != 0 || $errors != 0 ]]; then
        fail "Odoo tests" "$result"
    elif [[ $total == 0 ]]; then
        fail "Odoo tests" "no Odoo test ran ($result)"
    elif [[ $rc != 0 ]]; then
        fail "Odoo tests" "odoo exit status $rc ($result)"
    elif [[ -n "$bad" ]]; then
        fail "Odoo tests" "$(printf '%s\n' "$bad" | grep -c '^[0-9]') warning/error line(s) in $rel_test ($result)"
    else
        note "Odoo tests" "PASSED: $result ($((SECONDS - t0))s)"
    fi
}

if [[ $run_pytest == 1 ]]; then
    run_pytest_layer
fi

if [[ $run_odoo == 1 ]]; then
    find_rc=0
    dn_find_odoo || find_rc=$?
    if [[ $find_rc == 0 ]]; then
        run_odoo_layer
    elif [[ $find_rc == 1 ]]; then
        echo
        echo "Odoo 18.0 not found (set ODOO_BIN=/path/to/odoo-bin or make \`odoo\` importable): Odoo test layer SKIPPED"
        echo "  ($DN_ODOO_PROBLEM)"
        if [[ $run_pytest == 1 ]]; then
            note "Odoo layer" "SKIPPED (Odoo 18.0 not found)"
        else
            note "Odoo layer" "NOT RUN: Odoo 18.0 not found (--odoo-only)"
            overall=2
        fi
    else
        dn_err "$DN_ODOO_PROBLEM"
        fail "Odoo layer" "Odoo is configured but not usable"
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
