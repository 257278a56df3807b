#!/usr/bin/env bash
# Regenerate the .pot of each addon (debt_negotiation/i18n/debt_negotiation.pot,
# debt_negotiation_sale/i18n/debt_negotiation_sale.pot) with
# click-odoo-makepot (click-odoo-contrib): installs the addon without demo
# data into a temporary database, exports its terms, then drops the
# database.
#
# Usage: bash scripts/makepot.sh [click-odoo-makepot options]
#   e.g. --msgmerge (also merge the new terms into the .po files)
# Needs click-odoo-contrib importable by Odoo's python (ODOO_PYTHON), and
# msgmerge (gettext) on PATH. Settings (environment): as scripts/test.sh.
set -euo pipefail

DN_SCRIPT=makepot.sh
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

usage() {
    cat <<'EOF'
Usage: bash scripts/makepot.sh [click-odoo-makepot options]

Regenerates debt_negotiation/i18n/debt_negotiation.pot: installs the addon
(without demo data) into a temporary database and runs click-odoo-makepot on
it. Options are passed to click-odoo-makepot, e.g. --msgmerge to also update
the .po files. Without --msgmerge, the .po files are only checked.

Needs, in the python that runs Odoo (ODOO_PYTHON, default python3):
    python -m pip install click-odoo-contrib
and msgmerge (Debian/Ubuntu: apt-get install gettext).

Environment: ODOO_BIN, ODOO_PYTHON, ODOO_EXTRA_ADDONS and the PostgreSQL
variables of scripts/test.sh (see README.md); without them, a throwaway
PostgreSQL cluster is used.
EOF
}

if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
    usage
    exit 0
fi

setup_rc=0
# shellcheck disable=SC2119 # no browser needed
dn_setup_odoo || setup_rc=$?
if [[ $setup_rc != 0 ]]; then
    dn_err "no usable Odoo 18.0: $DN_ODOO_PROBLEM"
    dn_odoo_not_found_help
    exit 2
fi
ODOO_PY="${ODOO_PYTHON:-python3}"
# A source checkout's odoo package sits next to odoo-bin.
if [[ -n "${ODOO_BIN:-}" ]]; then
    odoo_src="$(cd "$(dirname "$ODOO_BIN")" && pwd -P)"
    export PYTHONPATH="$odoo_src${PYTHONPATH:+:$PYTHONPATH}"
fi
if [[ "$ODOO_PY" == "$DN_CACHE"/* ]] && ! "$ODOO_PY" -c 'import click_odoo_contrib.makepot' >/dev/null 2>&1; then
    dn_say "installing click-odoo-contrib into the virtualenv of the Odoo set up here"
    "$ODOO_PY" -m pip install --quiet click-odoo-contrib 2> >(grep -v "is ignored" >&2) || true
fi
if ! "$ODOO_PY" -c 'import click_odoo_contrib.makepot' >/dev/null 2>&1; then
    dn_err "click-odoo-contrib is not importable by $ODOO_PY (with Odoo): install it there:"
    dn_err "    $ODOO_PY -m pip install click-odoo-contrib"
    exit 2
fi
if ! command -v msgmerge >/dev/null 2>&1; then
    dn_err "msgmerge is not on PATH (Debian/Ubuntu: apt-get install gettext)"
    exit 2
fi

DB_NAME="dn_makepot_$(date +%Y%m%d%H%M%S)_$$"
WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/dn-makepot.XXXXXX")"
DB_CREATED=0
# shellcheck disable=SC2329  # called by the EXIT trap
dn_cleanup() {
    if [[ "${DN_PG_MODE:-}" == configured && $DB_CREATED == 1 ]]; then
        "${ODOO_CMD[@]}" db ${DN_DB_ARGS[@]+"${DN_DB_ARGS[@]}"} --data-dir="$WORK_DIR/data" \
            drop "$DB_NAME" >/dev/null 2>&1 || true
    fi
    dn_pg_stop_throwaway
    rm -rf "$WORK_DIR"
}
dn_install_traps

dn_pg_setup || exit 2
mkdir -p "$DN_RUN_DIR"
log="$DN_RUN_DIR/odoo-makepot-install.log"
dn_say "installing $DN_MODULE (without demo data) into '$DB_NAME' (log: ${log#"$DN_REPO_ROOT"/})..."
DB_CREATED=1
if ! DN_ODOO_LOG="$log" dn_run_odoo --addons-path="$(dn_addons_path)" \
    --data-dir="$WORK_DIR/data" ${DN_DB_ARGS[@]+"${DN_DB_ARGS[@]}"} \
    -d "$DB_NAME" -i "$DN_MODULE" --without-demo=all --stop-after-init --no-http; then
    dn_err "installing $DN_MODULE failed; last lines of $log:"
    tail -n 30 "$log" >&2
    exit 1
fi

# click-odoo reads the server options from a configuration file.
config="$WORK_DIR/odoo.conf"
{
    echo "[options]"
    echo "addons_path = $(dn_addons_path)"
    echo "data_dir = $WORK_DIR/data"
    for arg in ${DN_DB_ARGS[@]+"${DN_DB_ARGS[@]}"}; do
        key="${arg%%=*}"
        echo "${key#--} = ${arg#*=}"
    done
} >"$config"

dn_say "exporting the terms of $DN_MODULE with click-odoo-makepot..."
TZ=UTC "$ODOO_PY" -m click_odoo_contrib.makepot --config "$config" --database "$DB_NAME" \
    --addons-dir "$DN_REPO_ROOT" --modules "$DN_MODULE" "$@"
dn_say "written: the i18n/<addon>.pot of $DN_MODULE (review them with git diff)"
