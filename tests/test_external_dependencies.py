"""The addons' Python dependencies are declared where OCA tooling reads
them: the manifests' ``external_dependencies``, and the repository's
``requirements.txt`` generated from them by ``oca-gen-external-dependencies``
(the pre-commit hook of the OCA template; pip and the CI image install from
it)."""

import ast
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HEADER = "# generated from manifests external_dependencies"


def manifest_python_dependencies(root=REPO_ROOT):
    """The ``external_dependencies["python"]`` of every addon of ``root``,
    sorted, once each (as the generator lists them)."""
    names = set()
    for manifest in root.glob("*/__manifest__.py"):
        values = ast.literal_eval(manifest.read_text(encoding="utf-8"))
        names.update(values.get("external_dependencies", {}).get("python", []))
    return sorted(names)


def expected_requirements(root=REPO_ROOT):
    """The ``requirements.txt`` the generator writes, or None when there is
    nothing to declare (it writes no file then)."""
    names = manifest_python_dependencies(root)
    return "\n".join([HEADER, *names]) + "\n" if names else None


def test_qrcode_is_declared():
    assert "qrcode" in manifest_python_dependencies()


def test_requirements_txt_is_generated_from_the_manifests():
    path = REPO_ROOT / "requirements.txt"
    expected = expected_requirements()
    actual = path.read_text(encoding="utf-8") if path.exists() else None
    assert actual == expected, (
        "requirements.txt is not what the manifests declare: run "
        "oca-gen-external-dependencies from the repository root"
    )


def test_a_new_dependency_is_seen(tmp_path):
    addon = tmp_path / "some_addon"
    addon.mkdir()
    (addon / "__manifest__.py").write_text(
        '{"name": "x", "external_dependencies": {"python": ["zeep", "qrcode"]}}'
    )
    assert expected_requirements(tmp_path) == f"{HEADER}\nqrcode\nzeep\n"
    assert expected_requirements(tmp_path / "empty") is None
