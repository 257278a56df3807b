"""Static checks of the addon directory (no Odoo needed).

Every check scans the addon, so files added later are checked too. These
also cover the XML/CSV checks of the OCA template that pylint-odoo 9.x no
longer runs (XML syntax, duplicate XML ids, unused data files, ...).
The manifest's author, license, version and maintainers are checked by
pylint-odoo (``.pylintrc-mandatory``, see test_pylint_odoo.py).
"""

import ast
import csv
import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

REPO_ROOT = Path(__file__).resolve().parent.parent
# every addon of the repository (a folder with a manifest): debt_negotiation
# and its bridges (debt_negotiation_sale)
ADDON_DIRS = sorted(path.parent for path in REPO_ROOT.glob("*/__manifest__.py"))
ADDON_DIR = REPO_ROOT / "debt_negotiation"
ADDON_NAME = ADDON_DIR.name

ACCESS_HEADER = [
    "id",
    "name",
    "model_id:id",
    "group_id:id",
    "perm_read",
    "perm_write",
    "perm_create",
    "perm_unlink",
]
VIEW_TYPES = (
    "form",
    "list",
    "kanban",
    "search",
    "pivot",
    "graph",
    "calendar",
    "activity",
)
REQUIRED_DEPENDS = {
    "debt_negotiation": ("account", "mail", "portal"),
    "debt_negotiation_sale": ("debt_negotiation", "sale"),
    "debt_negotiation_queue": ("debt_negotiation", "queue_job"),
}
# Directories whose Python files declare models.
MODEL_DIRS = ("models", "wizards")


def addon_of(path):
    """The addon folder ``path`` belongs to."""
    return REPO_ROOT / path.relative_to(REPO_ROOT).parts[0]


def rel(path):
    """Path relative to its addon, used in messages."""
    return path.relative_to(addon_of(path)).as_posix()


def path_id(path):
    """Path relative to the repository, used as readable test id."""
    return path.relative_to(REPO_ROOT).as_posix()


def addon_files(suffix, exclude_dirs=()):
    """Sorted files of the addons ending with ``suffix``."""
    files = []
    for addon in ADDON_DIRS:
        for path in sorted(addon.rglob(f"*{suffix}")):
            parts = path.relative_to(addon).parts
            if "__pycache__" in parts or (parts and parts[0] in exclude_dirs):
                continue
            files.append(path)
    return files


def read_manifest(addon=ADDON_DIR):
    return ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))


def safe_manifest(addon=ADDON_DIR):
    """The manifest, or {} when it is missing or broken (its own tests fail)."""
    try:
        return read_manifest(addon)
    except (OSError, SyntaxError, ValueError):
        return {}


MANIFESTS = {addon.name: safe_manifest(addon) for addon in ADDON_DIRS}
MANIFEST = MANIFESTS.get(ADDON_NAME, {})
ADDON_NAMES = [addon.name for addon in ADDON_DIRS]
XML_FILES = addon_files(".xml")
# OWL templates under static/ have a <templates> root, not <odoo>.
DATA_XML_FILES = addon_files(".xml", exclude_dirs=("static",))
PY_FILES = addon_files(".py")
MODEL_PY_FILES = [path for path in PY_FILES if rel(path).split("/")[0] in MODEL_DIRS]


def parse_xml(path):
    return etree.parse(str(path), etree.XMLParser(remove_comments=False))


def manifest_data_entries(keys=("data", "demo"), addon=ADDON_NAME):
    manifest = MANIFESTS.get(addon, {})
    return [(key, entry) for key in keys for entry in manifest.get(key, [])]


def all_manifest_data_entries():
    """(addon, key, entry) of every addon's data and demo files."""
    return [
        (addon, key, entry)
        for addon in ADDON_NAMES
        for key, entry in manifest_data_entries(addon=addon)
    ]


def manifest_asset_paths(addon=ADDON_NAME):
    """Plain file paths/globs of the ``assets`` key (directives resolved)."""
    paths = []
    for bundle, entries in MANIFESTS.get(addon, {}).get("assets", {}).items():
        for entry in entries:
            if isinstance(entry, list | tuple):
                directive = entry[0]
                if directive in ("include",):
                    continue  # a bundle name, not a file
                entry = entry[-1]
            paths.append((bundle, entry))
    return paths


def is_abstract_model(node):
    """Whether the class ``node`` is a ``models.AbstractModel``."""
    return any(
        (isinstance(base, ast.Attribute) and base.attr == "AbstractModel")
        or (isinstance(base, ast.Name) and base.id == "AbstractModel")
        for base in node.bases
    )


def declared_models(path, abstract=None):
    """Names of the models a Python file declares (``_name`` not only
    inherited); only the abstract ones (``abstract=True``) or the others
    (``abstract=False``) when asked."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        if abstract is not None and is_abstract_model(node) != abstract:
            continue
        attributes = {}
        for statement in node.body:
            if isinstance(statement, ast.Assign) and isinstance(
                statement.value, ast.Constant
            ):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        attributes[target.id] = statement.value.value
            elif isinstance(statement, ast.Assign) and isinstance(
                statement.value, ast.List
            ):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        attributes[target.id] = [
                            elt.value
                            for elt in statement.value.elts
                            if isinstance(elt, ast.Constant)
                        ]
        name = attributes.get("_name")
        if not isinstance(name, str):
            continue
        inherit = attributes.get("_inherit") or []
        if isinstance(inherit, str):
            inherit = [inherit]
        if name in inherit:
            continue  # ``_name = _inherit``: extends an existing model
        names.append(name)
    return names


ALL_MODELS = sorted({name for path in MODEL_PY_FILES for name in declared_models(path)})
# models with a table, which need an access rule in their addon
TABLE_MODELS = sorted(
    {
        (addon_of(path).name, name)
        for path in MODEL_PY_FILES
        for name in declared_models(path, abstract=False)
    }
)


def access_rows(addon=ADDON_NAME):
    path = REPO_ROOT / addon / "security" / "ir.model.access.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


# ---------------------------------------------------------------------------
# Manifest
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_manifest_parses(addon):
    manifest = read_manifest(REPO_ROOT / addon)
    assert isinstance(manifest, dict)


@pytest.mark.parametrize("addon", ADDON_NAMES)
@pytest.mark.parametrize(
    "key", ["name", "version", "license", "author", "website", "depends", "installable"]
)
def test_manifest_has_key(addon, key):
    assert MANIFESTS[addon].get(key) not in (None, "", []), (
        f"{addon}: manifest key {key!r} missing or empty"
    )


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_manifest_version(addon):
    version = MANIFESTS[addon].get("version", "")
    assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", version), version


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_manifest_license(addon):
    assert MANIFESTS[addon].get("license") in ("LGPL-3", "AGPL-3")


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_manifest_depends(addon):
    missing = [
        name
        for name in REQUIRED_DEPENDS.get(addon, ("debt_negotiation",))
        if name not in MANIFESTS[addon].get("depends", [])
    ]
    assert not missing, f"{addon}: missing dependencies: {missing}"


def test_the_sale_bridge_installs_itself():
    """debt_negotiation_sale is installed with debt_negotiation and sale."""
    assert MANIFESTS["debt_negotiation_sale"].get("auto_install") is True


def test_the_queue_bridge_installs_itself():
    """debt_negotiation_queue is installed with debt_negotiation and
    queue_job."""
    assert MANIFESTS["debt_negotiation_queue"].get("auto_install") is True


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_manifest_installable(addon):
    assert MANIFESTS[addon].get("installable") is True


@pytest.mark.parametrize(
    ("addon", "key", "entry"), all_manifest_data_entries(), ids=lambda value: str(value)
)
def test_manifest_file_exists(addon, key, entry):
    assert (REPO_ROOT / addon / entry).is_file(), (
        f"{addon} {key}: {entry} does not exist"
    )


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_manifest_assets_exist(addon):
    """Every asset path/glob of this addon matches at least one file."""
    missing = [
        f"assets[{bundle!r}]: {entry}"
        for bundle, entry in manifest_asset_paths(addon)
        if entry.startswith(f"{addon}/") and not list(REPO_ROOT.glob(entry))
    ]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_manifest_no_duplicate_data_file(addon):
    counts = Counter(entry for _key, entry in manifest_data_entries(addon=addon))
    assert not [entry for entry, count in counts.items() if count > 1]


@pytest.mark.parametrize(
    "path",
    addon_files(".xml", ("static", "tests")) + addon_files(".csv", ("static", "tests")),
    ids=path_id,
)
def test_data_file_is_used(path):
    """Every XML/CSV data file is loaded by the manifest (OCA file-not-used)."""
    addon = addon_of(path).name
    listed = {entry for _key, entry in manifest_data_entries(addon=addon)}
    assert rel(path) in listed, (
        f"{path_id(path)} is not listed in the manifest data/demo"
    )


# ---------------------------------------------------------------------------
# XML
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", XML_FILES, ids=path_id)
def test_xml_parses(path):
    parse_xml(path)


@pytest.mark.parametrize("path", DATA_XML_FILES, ids=path_id)
def test_xml_root_is_odoo(path):
    assert parse_xml(path).getroot().tag == "odoo"


@pytest.mark.parametrize("path", XML_FILES, ids=path_id)
def test_xml_no_deprecated_syntax(path):
    """No <tree> (Odoo 18 uses <list>), no attrs=/states=, no cron numbercall."""
    text = path.read_text(encoding="utf-8")
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if re.search(r"<tree\b", line):
            problems.append(f"line {number}: <tree> tag")
        if "numbercall" in line:
            problems.append(f"line {number}: numbercall")
    for element in parse_xml(path).iter(etree.Element):
        for attribute in ("attrs", "states"):
            if attribute in element.attrib:
                problems.append(
                    f"line {element.sourceline}: {attribute}= on <{element.tag}>"
                )
    assert not problems, "\n".join(problems)


def view_records():
    """(file, xml id, model, arch root tag, inherited) of ir.ui.view records."""
    records = []
    for path in DATA_XML_FILES:
        try:
            root = parse_xml(path).getroot()
        except etree.XMLSyntaxError:
            continue  # reported by test_xml_parses
        for record in root.iter("record"):
            if record.get("model") != "ir.ui.view":
                continue
            fields = {field.get("name"): field for field in record.iter("field")}
            model = (
                fields["model"].text.strip()
                if "model" in fields and fields["model"].text
                else None
            )
            arch = fields.get("arch")
            arch_root = (
                next(iter(arch.iterchildren(etree.Element)), None)
                if arch is not None
                else None
            )
            records.append(
                (
                    path,
                    record.get("id", ""),
                    model,
                    arch_root.tag if arch_root is not None else None,
                    "inherit_id" in fields,
                )
            )
    return records


VIEW_RECORDS = [record for record in view_records() if record[1].startswith("view_")]


@pytest.mark.parametrize(
    ("path", "xmlid", "model", "arch_tag", "inherited"),
    VIEW_RECORDS,
    ids=[record[1] for record in VIEW_RECORDS],
)
def test_view_xmlid_convention(path, xmlid, model, arch_tag, inherited):
    """``view_<model>[_qualifier]_<type>`` for new views; inherited views are free."""
    if inherited or "_inherit" in xmlid:
        return
    types = "|".join(VIEW_TYPES)
    assert re.fullmatch(rf"view_[a-z0-9_]+_({types})", xmlid), (
        f"{rel(path)}: {xmlid} should look like view_<model>_<{types}>"
    )
    if model:
        prefix = "view_" + model.replace(".", "_") + "_"
        assert xmlid.startswith(prefix), (
            f"{rel(path)}: {xmlid} should start with {prefix}"
        )
    view_type = xmlid.rsplit("_", 1)[1]
    if arch_tag:
        assert arch_tag == view_type, f"{rel(path)}: {xmlid} has a <{arch_tag}> arch"


def test_no_duplicate_xml_ids():
    ids = Counter()
    for path in DATA_XML_FILES:
        try:
            root = parse_xml(path).getroot()
        except etree.XMLSyntaxError:
            continue
        for element in root.iter("record", "template", "menuitem", "report"):
            if element.get("id"):
                xmlid = element.get("id")
                if "." not in xmlid:
                    xmlid = f"{addon_of(path).name}.{xmlid}"
                ids[xmlid] += 1
    assert not [xmlid for xmlid, count in ids.items() if count > 1]


# ---------------------------------------------------------------------------
# Security
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_access_csv_header(addon):
    assert access_rows(addon)[0] == ACCESS_HEADER


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_access_csv_rows(addon):
    rows = access_rows(addon)[1:]
    problems = []
    for number, row in enumerate(rows, start=2):
        if len(row) != len(ACCESS_HEADER):
            problems.append(f"line {number}: {len(row)} columns")
            continue
        if any(value not in ("0", "1") for value in row[4:]):
            problems.append(f"line {number}: permissions must be 0 or 1")
    duplicates = [
        xid
        for xid, count in Counter(row[0] for row in rows if row).items()
        if count > 1
    ]
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")
    assert not problems, "\n".join(problems)


def test_addon_declares_models():
    assert ALL_MODELS, "no model found in models/ or wizards/"


@pytest.mark.parametrize(("addon", "model"), TABLE_MODELS)
def test_model_has_access_rule(addon, model):
    model_xmlid = "model_" + model.replace(".", "_")
    rows = access_rows(addon)[1:]
    referenced = {row[2].split(".")[-1] for row in rows if len(row) > 2}
    assert model_xmlid in referenced, (
        f"no access rule for {model} in {addon}/security/ir.model.access.csv"
    )


# ---------------------------------------------------------------------------
# Python
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", PY_FILES, ids=path_id)
def test_python_compiles(path):
    compile(path.read_text(encoding="utf-8"), str(path), "exec")


@pytest.mark.parametrize("path", MODEL_PY_FILES, ids=path_id)
def test_one_model_per_file(path):
    assert len(declared_models(path)) <= 1, (
        f"{rel(path)} declares {declared_models(path)}"
    )


@pytest.mark.parametrize("addon", ADDON_NAMES)
@pytest.mark.parametrize(
    "folder", ["models", "wizards", "tools", "controllers", "tests"]
)
def test_python_modules_are_imported(addon, folder):
    """Every module of a package folder is imported by its __init__.py."""
    directory = REPO_ROOT / addon / folder
    if not directory.is_dir():
        return  # the addon has no such folder (a bridge has no tools/)
    modules = sorted(
        path.stem
        for path in directory.glob("*.py")
        if path.stem != "__init__"
        # test helpers (common.py...) are imported by the test modules
        and (folder != "tests" or path.stem.startswith("test_"))
    )
    if not modules:
        pytest.skip(f"no Python module in {folder}/")
    init = directory / "__init__.py"
    assert init.is_file(), f"{folder}/__init__.py is missing"
    imported = set(
        re.findall(
            r"^from \. import (\w+)", init.read_text(encoding="utf-8"), re.MULTILINE
        )
    )
    missing = [module for module in modules if module not in imported]
    assert not missing, f"{folder}/__init__.py does not import {missing}"


# ---------------------------------------------------------------------------
# Translations
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_pot_file_exists(addon):
    pot_path = REPO_ROOT / addon / "i18n" / f"{addon}.pot"
    assert pot_path.is_file(), f"{path_id(pot_path)} is missing"
    text = pot_path.read_text(encoding="utf-8")
    assert 'msgid ""' in text


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_readme_fragments(addon):
    """OCA layout: readme/DESCRIPTION.md (or .rst) exists."""
    readme_dir = REPO_ROOT / addon / "readme"
    assert any(
        (readme_dir / name).is_file() for name in ("DESCRIPTION.md", "DESCRIPTION.rst")
    )


def _fragments_digest(addon_dir):
    """The source digest oca-gen-addon-readme writes in README.rst: the
    SHA-256 of the manifest and of the readme/ fragments (each file's path
    relative to the addon, then its content, in path order; hidden files
    skipped)."""
    digest = hashlib.sha256()
    paths = [addon_dir / "__manifest__.py"] + sorted(
        path
        for path in (addon_dir / "readme").rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )
    for path in paths:
        digest.update(str(path.relative_to(addon_dir)).encode("utf-8"))
        digest.update(path.read_bytes())
    return f"sha256:{digest.hexdigest()}"


@pytest.mark.parametrize("addon", ADDON_NAMES)
def test_readme_rst_is_generated_from_the_fragments(addon):
    """README.rst and static/description/index.html are generated from the
    manifest and readme/ (OCA): regenerate them after changing either, with
    oca-gen-addon-readme (OCA/maintainer-tools) --gen-html."""
    addon_dir = REPO_ROOT / addon
    readme = (addon_dir / "README.rst").read_text(encoding="utf-8")
    assert f"!! source digest: {_fragments_digest(addon_dir)}" in readme, (
        f"{addon}/README.rst is older than the manifest or readme/: run "
        "oca-gen-addon-readme --org-name debt-negotiation --repo-name "
        f"debt_negotiation --branch 18.0 --addon-dir {addon} --gen-html"
    )


# ----------------------------------------------------------------------
# Figures shown as they are (issue 24)
# ----------------------------------------------------------------------
# Float fields that hold a percentage already (25.0 = 25 %): the
# "percentage" widget would multiply them by 100 (2500 %).
PERCENT_FIELDS = ("discount_percent", "recovery_rate", "promise_kept_rate")


@pytest.mark.parametrize("path", addon_files(".xml"), ids=path_id)
def test_percent_fields_not_shown_with_the_percentage_widget(path):
    tree = etree.parse(str(path))
    wrong = [
        field.get("name")
        for field in tree.iter("field")
        if field.get("name") in PERCENT_FIELDS and field.get("widget") == "percentage"
    ]
    assert not wrong, f"{rel(path)}: {wrong} would show 25 as 2500 %"


def test_cash_forecast_opens_on_a_time_axis():
    """The forecast is a time series: the action groups by week first,
    then by kind (the search view's order of the default group-bys)."""
    tree = etree.parse(str(ADDON_DIR / "views/debt_negotiation_forecast_views.xml"))
    action = tree.find(".//record[@id='action_debt_negotiation_forecast']")
    context = ast.literal_eval(action.find("field[@name='context']").text)
    defaults = [key for key, value in context.items() if value]
    assert "search_default_group_week" in defaults
    search = tree.find(".//record[@id='view_debt_negotiation_forecast_search']")
    order = [f.get("name") for f in search.iter("filter") if f.get("name")]
    grouped = [name for name in order if f"search_default_{name}" in defaults]
    assert grouped[0] == "group_week", grouped
