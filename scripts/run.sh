#!/usr/bin/env bash
# Run the addon: create a database with demo data, install debt_negotiation
# and serve Odoo on http://localhost:${ODOO_PORT:-8069} (login admin / admin).
#
# Usage: bash scripts/run.sh [--] [extra odoo-bin options for the server]
# Settings (environment): see `bash scripts/run.sh --help` and README.md.
set -euo pipefail

DN_SCRIPT=run.sh
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

usage() {
    cat <<'EOF'
Usage: bash scripts/run.sh [--] [extra odoo-bin options]

Installs debt_negotiation (with demo data) into a database and serves Odoo.
Extra options are passed to odoo-bin when serving (e.g. --dev=xml,reload).

Environment:
  ODOO_BIN             path to Odoo 18.0's odoo-bin (else `python3 -m odoo`,
                       else Odoo set up from ODOO_SOURCE: see README.md)
  ODOO_PYTHON          python to run Odoo with (default: python3)
  ODOO_PORT            HTTP port (default 8069)
  ODOO_HTTP_INTERFACE  interface to listen on (default 127.0.0.1)
  ODOO_DB              database name (default debt_negotiation)
  ODOO_EXTRA_ADDONS    more addons directories (comma-separated)
  ODOO_DB_HOST, ODOO_DB_PORT, ODOO_DB_USER, ODOO_DB_PASSWORD, or the libpq
  variables PGHOST, PGPORT, PGUSER (PGPASSWORD):
                       use that PostgreSQL server and keep the database;
                       otherwise a throwaway cluster is started and deleted,
                       with its database, when the server stops.
  ODOO_DB_THROWAWAY=1  always use a throwaway cluster
  ODOO_DATA_DIR        Odoo filestore directory for a configured server
                       (default .run/odoo-data)
  PG_BINDIR            directory of initdb/pg_ctl/postgres, if not found
EOF
}

ODOO_EXTRA_ARGS=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --)
            shift
            ODOO_EXTRA_ARGS+=("$@")
            break
            ;;
        *)
            ODOO_EXTRA_ARGS+=("$1")
            shift
            ;;
    esac
done

setup_rc=0
# shellcheck disable=SC2119 # the server needs no browser
dn_setup_odoo || setup_rc=$?
if [[ $setup_rc != 0 ]]; then
    dn_err "no usable Odoo 18.0: $DN_ODOO_PROBLEM"
    dn_odoo_not_found_help
    exit 2
fi
dn_say "Odoo: $DN_ODOO_DESC"

http_port="${ODOO_PORT:-8069}"
http_iface="${ODOO_HTTP_INTERFACE:-127.0.0.1}"
db_name="${ODOO_DB:-debt_negotiation}"
if ! dn_port_available "$http_iface" "$http_port"; then
    dn_err "port $http_port on $http_iface is already in use: stop what uses it or set ODOO_PORT=<another port>"
    exit 2
fi
if ! command -v wkhtmltopdf >/dev/null 2>&1; then
    dn_say "NOTE: wkhtmltopdf is not on PATH: letters and reports cannot be printed as PDF."
fi

# shellcheck disable=SC2329  # called by the EXIT trap
dn_cleanup() {
    dn_pg_stop_throwaway
    dn_remove_runtime_dir
}
dn_install_traps
dn_prepare_runtime_dir

dn_pg_setup || exit 2
if [[ "$DN_PG_MODE" == throwaway ]]; then
    data_dir="$DN_PG_TMP/odoo-data"
else
    data_dir="${ODOO_DATA_DIR:-$DN_RUN_DIR/odoo-data}"
fi
mkdir -p "$data_dir"

common=(
    -d "$db_name"
    --addons-path="$(dn_addons_path)"
    --data-dir="$data_dir"
    ${DN_DB_ARGS[@]+"${DN_DB_ARGS[@]}"}
)

dn_say "installing $DN_MODULE (with demo data) into database '$db_name'..."
if ! dn_run_odoo "${common[@]}" -i "$DN_MODULE" --stop-after-init --no-http; then
    dn_err "installing $DN_MODULE failed (see the log above)"
    exit 1
fi

case "$http_iface" in
    127.0.0.1 | 0.0.0.0 | localhost | "") url_host=localhost ;;
    *) url_host="$http_iface" ;;
esac
cat <<EOF

==============================================================================
  Debt Negotiation is starting on  http://$url_host:$http_port
  Login: admin   Password: admin   (database: $db_name)
  Stop with Ctrl-C$([[ "$DN_PG_MODE" == throwaway ]] && printf '%s' " (the throwaway database is then deleted)").
==============================================================================

EOF

rc=0
dn_run_odoo "${common[@]}" \
    --http-port="$http_port" \
    --http-interface="$http_iface" \
    --db-filter="^${db_name}\$" \
    ${ODOO_EXTRA_ARGS[@]+"${ODOO_EXTRA_ARGS[@]}"} || rc=$?
exit "$rc"
