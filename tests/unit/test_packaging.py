"""The wheel ships every subpackage: pyproject.toml lists them by name, and a room left off the list
imports from a checkout but is missing from an installed wheel."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_under_rag_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "rag").rglob("__init__.py")}
    assert on_disk - listed == set()
