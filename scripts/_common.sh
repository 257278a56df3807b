# shellcheck shell=bash
# Variables set here are used by the scripts sourcing this file.
# shellcheck disable=SC2034
# Shared helpers for scripts/run.sh and scripts/test.sh (sourced, not executed).
#
# Finds Odoo 18.0 and a PostgreSQL server (the one you configured, or a
# throwaway cluster started for the duration of the script).
# Every setting is an environment variable; see README.md ("Commands").

DN_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
DN_RUN_DIR="${ODOO_LOG_DIR:-$DN_REPO_ROOT/.run}" # logs; .run/ is git-ignored
# the repository's addons (comma-separated), installed and tested together
DN_MODULE="${ODOO_MODULE:-debt_negotiation,debt_negotiation_sale,debt_negotiation_queue}"
# Odoo --test-tags selecting the tests of those addons
DN_TEST_TAGS="/${DN_MODULE//,/,/}"

DN_CHILD_PID=""  # Odoo process currently running (stopped on INT/TERM)
DN_CHILD_GROUP=0 # 1 when it leads its own process group
DN_PG_TMP=""     # throwaway cluster directory (removed on exit)
DN_PG_OWNER=""   # OS user running the throwaway cluster when we are root
DN_PG_BIN=""
DN_PG_DATA=""

dn_say() { printf '%s %s\n' "[${DN_SCRIPT:-dn}]" "$*"; }
dn_err() { printf '%s %s\n' "[${DN_SCRIPT:-dn}] ERROR:" "$*" >&2; }

# A python for small helper snippets (free port lookup, ...): no dependency needed.
dn_py() {
    if [[ -n "${ODOO_PYTHON:-}" ]] && command -v "$ODOO_PYTHON" >/dev/null 2>&1; then
        "$ODOO_PYTHON" "$@"
    else
        python3 "$@"
    fi
}

# ---------------------------------------------------------------------------
# Odoo detection
# ---------------------------------------------------------------------------
# dn_find_odoo: sets ODOO_CMD (array: how to run Odoo), DN_ODOO_ADDONS (Odoo's
# own addons directory when it lives outside the odoo package, e.g. a source
# checkout) and DN_ODOO_DESC.
# Returns 0 when found, 1 when nothing points to an Odoo (DN_ODOO_PROBLEM says
# what is missing), 2 when something points to an Odoo that is not usable.
dn_find_odoo() {
    ODOO_CMD=()
    DN_ODOO_ADDONS=""
    DN_ODOO_DESC=""
    DN_ODOO_PROBLEM=""
    local py="${ODOO_PYTHON:-python3}"

    if [[ -n "${ODOO_PYTHON:-}" ]] && ! command -v "$ODOO_PYTHON" >/dev/null 2>&1; then
        DN_ODOO_PROBLEM="ODOO_PYTHON=$ODOO_PYTHON is not an executable python"
        return 2
    fi

    if [[ -n "${ODOO_BIN:-}" ]]; then
        if [[ ! -f "$ODOO_BIN" ]]; then
            DN_ODOO_PROBLEM="ODOO_BIN=$ODOO_BIN does not exist (it must be the path of Odoo's odoo-bin script)"
            return 2
        fi
        # An explicit ODOO_PYTHON wins (odoo-bin's shebang is a bare python3,
        # which usually lacks Odoo's dependencies); otherwise run odoo-bin as
        # is when executable, else with python3.
        if [[ -n "${ODOO_PYTHON:-}" || ! -x "$ODOO_BIN" ]]; then
            ODOO_CMD=(env TZ=UTC "$py" "$ODOO_BIN")
        else
            ODOO_CMD=(env TZ=UTC "$ODOO_BIN")
        fi
        local bin_dir
        bin_dir="$(cd "$(dirname "$ODOO_BIN")" && pwd -P)"
        if [[ -d "$bin_dir/addons" ]]; then
            DN_ODOO_ADDONS="$bin_dir/addons"
        fi
        DN_ODOO_DESC="ODOO_BIN=$ODOO_BIN"
    else
        if ! command -v "$py" >/dev/null 2>&1; then
            DN_ODOO_PROBLEM="ODOO_BIN is not set and '$py' is not on PATH"
            return 1
        fi
        local odoo_dir
        if ! odoo_dir="$("$py" -c 'import os, sys
sys.path = [p for p in sys.path if p not in ("", ".")]
import odoo.cli, odoo.release
print(os.path.dirname(os.path.abspath(odoo.release.__file__)))' 2>/dev/null)"; then
            DN_ODOO_PROBLEM="ODOO_BIN is not set and the odoo package is not importable by '$py'"
            return 1
        fi
        ODOO_CMD=(env TZ=UTC "$py" -m odoo)
        # A source checkout installed in develop mode keeps its addons next to
        # the package; a regular install keeps them inside (always loaded).
        if [[ -d "$odoo_dir/../addons" ]]; then
            DN_ODOO_ADDONS="$(cd "$odoo_dir/../addons" && pwd -P)"
        fi
        DN_ODOO_DESC="odoo package importable by $py ($odoo_dir)"
    fi

    local version
    if ! version="$("${ODOO_CMD[@]}" --version 2>&1)"; then
        DN_ODOO_PROBLEM="Odoo found ($DN_ODOO_DESC) but '${ODOO_CMD[*]:2} --version' failed:
$version
(missing python dependencies? set ODOO_PYTHON to the python of the virtualenv holding Odoo's requirements)"
        return 2
    fi
    if [[ "$version" != *"Odoo Server 18.0"* ]]; then
        DN_ODOO_PROBLEM="found $DN_ODOO_DESC, but it is not Odoo 18.0 ('$version')"
        return 2
    fi
    return 0
}

dn_odoo_not_found_help() {
    cat >&2 <<EOF
  Without ODOO_BIN or an importable \`odoo\`, the scripts set Odoo 18.0 up
  from ODOO_SOURCE (an archive, a local checkout or a git URL; default: a
  shallow clone of https://github.com/odoo/odoo at branch 18.0) into .odoo/.
  Or give your own: ODOO_BIN=/path/to/odoo-18.0/odoo-bin (plus ODOO_PYTHON=
  the python of the virtualenv holding its requirements).
EOF
}

# Comma-separated addons path: Odoo's own addons + this repository.
dn_addons_path() {
    local path=""
    if [[ -n "${ODOO_EXTRA_ADDONS:-}" ]]; then
        path="$ODOO_EXTRA_ADDONS,"
    fi
    if [[ -n "$DN_ODOO_ADDONS" ]]; then
        path="$path$DN_ODOO_ADDONS,"
    fi
    printf '%s%s' "$path" "$DN_REPO_ROOT"
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
# A configured server is used when any of ODOO_DB_HOST, ODOO_DB_PORT,
# ODOO_DB_USER, ODOO_DB_PASSWORD, PGHOST, PGPORT, PGUSER is set (unless
# ODOO_DB_THROWAWAY=1). ODOO_DB_* become Odoo's --db_* options; the PG*
# variables are read by libpq directly.
dn_pg_configured() {
    [[ "${ODOO_DB_THROWAWAY:-0}" == 1 ]] && return 1
    local v
    for v in ODOO_DB_HOST ODOO_DB_PORT ODOO_DB_USER ODOO_DB_PASSWORD PGHOST PGPORT PGUSER; do
        [[ -n "${!v:-}" ]] && return 0
    done
    return 1
}

dn_pg_find_bindir() {
    local candidates=() d
    if [[ -n "${PG_BINDIR:-}" ]]; then
        candidates+=("$PG_BINDIR")
    fi
    if command -v pg_config >/dev/null 2>&1; then
        candidates+=("$(pg_config --bindir 2>/dev/null || true)")
    fi
    for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -n -r); do
        candidates+=("$d")
    done
    if command -v initdb >/dev/null 2>&1; then
        candidates+=("$(dirname "$(command -v initdb)")")
    fi
    for d in ${candidates[@]+"${candidates[@]}"}; do
        if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then
            DN_PG_BIN="$d"
            return 0
        fi
    done
    return 1
}

dn_free_port() {
    dn_py -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# dn_port_available HOST PORT
dn_port_available() {
    dn_py -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError:
    sys.exit(1)
finally:
    s.close()' "$1" "$2"
}

dn_as_pg_owner() {
    if [[ -n "$DN_PG_OWNER" ]]; then
        runuser -u "$DN_PG_OWNER" -- "$@"
    else
        "$@"
    fi
}

# Starts a throwaway cluster: trust auth, unix socket in its own directory,
# TCP on 127.0.0.1 only, superuser "odoo". Sets DN_DB_ARGS.
dn_pg_start_throwaway() {
    if ! dn_pg_find_bindir; then
        dn_err "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found."
        cat >&2 <<'EOF'
  Either install the PostgreSQL server (Debian/Ubuntu: apt-get install postgresql;
  the binaries are found via `pg_config --bindir`, /usr/lib/postgresql/*/bin or
  PATH, or set PG_BINDIR=/path/to/postgresql/bin), or point the script to a
  running server with PGHOST/PGPORT/PGUSER (or ODOO_DB_HOST/ODOO_DB_PORT/
  ODOO_DB_USER/ODOO_DB_PASSWORD).
EOF
        return 1
    fi
    DN_PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/dn-pg.XXXXXX")"
    DN_PG_DATA="$DN_PG_TMP/data"
    if [[ "$(id -u)" == 0 ]]; then
        # initdb refuses to run as root: run the cluster as an unprivileged user.
        if id postgres >/dev/null 2>&1; then
            DN_PG_OWNER=postgres
        else
            DN_PG_OWNER=nobody
        fi
        if ! command -v runuser >/dev/null 2>&1; then
            dn_err "running as root and 'runuser' is missing: cannot start PostgreSQL as '$DN_PG_OWNER'"
            return 1
        fi
        chmod 755 "$DN_PG_TMP"
        chown "$DN_PG_OWNER" "$DN_PG_TMP"
    fi
    local port locale=C.UTF-8
    port="$(dn_free_port)"
    dn_say "starting a throwaway PostgreSQL ($DN_PG_BIN) in $DN_PG_TMP, port $port on 127.0.0.1"
    if ! dn_as_pg_owner "$DN_PG_BIN/initdb" -D "$DN_PG_DATA" -U odoo -A trust -E UTF8 \
        --locale="$locale" --no-sync >"$DN_PG_TMP/initdb.log" 2>&1; then
        # C.UTF-8 is not available everywhere (e.g. macOS)
        rm -rf "$DN_PG_DATA"
        if ! dn_as_pg_owner "$DN_PG_BIN/initdb" -D "$DN_PG_DATA" -U odoo -A trust -E UTF8 \
            --locale=C --no-sync >"$DN_PG_TMP/initdb.log" 2>&1; then
            dn_err "initdb failed:"
            cat "$DN_PG_TMP/initdb.log" >&2
            return 1
        fi
    fi
    if ! dn_as_pg_owner "$DN_PG_BIN/pg_ctl" -D "$DN_PG_DATA" -l "$DN_PG_TMP/postgres.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -k '$DN_PG_TMP' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        dn_err "PostgreSQL did not start; its log:"
        cat "$DN_PG_TMP/postgres.log" >&2 || true
        return 1
    fi
    DN_DB_ARGS=(--db_host="$DN_PG_TMP" --db_port="$port" --db_user=odoo)
}

dn_pg_stop_throwaway() {
    [[ -n "$DN_PG_TMP" && -d "$DN_PG_TMP" ]] || return 0
    if [[ -f "$DN_PG_DATA/postmaster.pid" ]]; then
        if ! dn_as_pg_owner "$DN_PG_BIN/pg_ctl" -D "$DN_PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1; then
            dn_as_pg_owner "$DN_PG_BIN/pg_ctl" -D "$DN_PG_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
        fi
        dn_say "throwaway PostgreSQL stopped"
    fi
    mkdir -p "$DN_RUN_DIR"
    cp "$DN_PG_TMP/postgres.log" "$DN_RUN_DIR/postgres.log" 2>/dev/null || true
    rm -rf "$DN_PG_TMP"
    DN_PG_TMP=""
}

# Sets DN_DB_ARGS (Odoo --db_* options) and DN_PG_MODE (configured|throwaway).
dn_pg_setup() {
    DN_DB_ARGS=()
    if dn_pg_configured; then
        DN_PG_MODE=configured
        if [[ -n "${ODOO_DB_HOST:-}" ]]; then DN_DB_ARGS+=(--db_host="$ODOO_DB_HOST"); fi
        if [[ -n "${ODOO_DB_PORT:-}" ]]; then DN_DB_ARGS+=(--db_port="$ODOO_DB_PORT"); fi
        if [[ -n "${ODOO_DB_USER:-}" ]]; then DN_DB_ARGS+=(--db_user="$ODOO_DB_USER"); fi
        # keep the password out of the process list: libpq reads PGPASSWORD
        if [[ -n "${ODOO_DB_PASSWORD:-}" ]]; then export PGPASSWORD="$ODOO_DB_PASSWORD"; fi
        dn_say "using the configured PostgreSQL server (host=${ODOO_DB_HOST:-${PGHOST:-<libpq default>}} port=${ODOO_DB_PORT:-${PGPORT:-<default>}} user=${ODOO_DB_USER:-${PGUSER:-<default>}})"
        if [[ "${ODOO_DB_USER:-${PGUSER:-}}" == postgres ]]; then
            dn_err "Odoo refuses to connect as the 'postgres' superuser: create a dedicated role (createuser -d odoo) and use it"
            return 1
        fi
    else
        DN_PG_MODE=throwaway
        dn_pg_start_throwaway || return 1
    fi
}

# ---------------------------------------------------------------------------
# Running Odoo (in the background, so that INT/TERM reach our traps at once)
# ---------------------------------------------------------------------------
# dn_run_odoo ARGS... : runs Odoo with ARGS, returns its exit status.
# With DN_ODOO_LOG set, Odoo's output goes to that file instead of the terminal
# (to both when DN_ODOO_TEE=1). With DN_ODOO_TIMEOUT (seconds) set, Odoo and its
# children (e.g. a stuck wkhtmltopdf) are stopped after that time (status 124).
# Odoo runs in its own process group, so that it can be stopped with its
# children.
dn_run_odoo() {
    local rc=0 cmd=("${ODOO_CMD[@]}" "$@")
    if [[ -n "${DN_ODOO_TIMEOUT:-}" ]] && command -v timeout >/dev/null 2>&1; then
        cmd=(timeout --kill-after=60 "$DN_ODOO_TIMEOUT" "${cmd[@]}")
    fi
    if command -v setsid >/dev/null 2>&1; then
        cmd=(setsid --wait "${cmd[@]}")
        DN_CHILD_GROUP=1
    else
        DN_CHILD_GROUP=0
    fi
    if [[ -z "${DN_ODOO_LOG:-}" ]]; then
        "${cmd[@]}" &
    elif [[ "${DN_ODOO_TEE:-0}" == 1 ]]; then
        "${cmd[@]}" > >(tee -a "$DN_ODOO_LOG") 2>&1 &
    else
        "${cmd[@]}" >>"$DN_ODOO_LOG" 2>&1 &
    fi
    DN_CHILD_PID=$!
    wait "$DN_CHILD_PID" || rc=$?
    DN_CHILD_PID=""
    return "$rc"
}

# Sends signal $1 to the running Odoo (and its process group when it has one).
dn_signal_odoo() {
    if [[ "${DN_CHILD_GROUP:-0}" == 1 ]]; then
        kill "-$1" -- "-$DN_CHILD_PID" 2>/dev/null || kill "-$1" "$DN_CHILD_PID" 2>/dev/null || true
    else
        kill "-$1" "$DN_CHILD_PID" 2>/dev/null || true
    fi
}

# Waits up to $1 seconds for the running Odoo to exit; fails if it did not.
dn_wait_odoo_exit() {
    local i
    for ((i = 0; i < $1 * 2; i++)); do
        kill -0 "$DN_CHILD_PID" 2>/dev/null || return 0
        sleep 0.5
    done
    return 1
}

dn_on_signal() {
    local rc=$1
    trap '' INT TERM
    if [[ -n "$DN_CHILD_PID" ]]; then
        dn_say "stopping Odoo (pid $DN_CHILD_PID)..."
        # Odoo shuts down gracefully on the first signal and at once on the
        # second one; KILL if it is still there after that.
        dn_signal_odoo TERM
        if ! dn_wait_odoo_exit 20; then
            dn_signal_odoo TERM
            if ! dn_wait_odoo_exit 10; then
                dn_signal_odoo KILL
            fi
        fi
        wait "$DN_CHILD_PID" 2>/dev/null || true
        DN_CHILD_PID=""
    fi
    exit "$rc"
}

# wkhtmltopdf (Qt) writes "XDG_RUNTIME_DIR not set" on stderr when that
# variable is missing (e.g. as root in a container), which Odoo logs as a
# warning: give Odoo a private runtime directory then.
DN_XDG_TMP=""
dn_prepare_runtime_dir() {
    if [[ -z "${XDG_RUNTIME_DIR:-}" ]]; then
        DN_XDG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/dn-xdg.XXXXXX")"
        chmod 700 "$DN_XDG_TMP"
        export XDG_RUNTIME_DIR="$DN_XDG_TMP"
    fi
}

dn_remove_runtime_dir() {
    if [[ -n "$DN_XDG_TMP" ]]; then
        rm -rf "$DN_XDG_TMP"
        DN_XDG_TMP=""
    fi
}

dn_install_traps() {
    trap 'dn_on_signal 130' INT
    trap 'dn_on_signal 143' TERM
    trap 'dn_cleanup' EXIT
}

# shellcheck source=scripts/_setup.sh
source "$DN_REPO_ROOT/scripts/_setup.sh"
