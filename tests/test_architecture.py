"""The layers of README's "Architecture" only point down.

Every import of a project package, at module level or inside a function, is
read from the source (no module is executed). A layer may import only the
layers below it: never one above, and never a sibling on its own level.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lower number = lower layer.
LAYERS = {
    "core": 0,
    "people": 1,
    "opportunities": 2,
    "matching": 3,
    "training": 3,
    "reports": 3.5,  # above training, below the role pages
    "participant": 4,
    "coach": 4,
    "partner": 4,
    "secretariat": 4,
    "api": 4,
    "config": 5,
    "devtools": 6,
}


def _imports(package: str) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                target = name.split(".")[0]
                if target in LAYERS and target != package:
                    found.append((str(path.relative_to(ROOT)), node.lineno, target))
    return found


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_a_layer_imports_only_layers_below_it(package):
    upward = [
        f"{where}:{line} imports {target}"
        for where, line, target in _imports(package)
        if LAYERS[target] >= LAYERS[package]
    ]
    assert upward == []


def test_every_project_package_has_a_layer():
    packages = {
        path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name not in {"tests"}
    }
    assert packages == set(LAYERS)


def test_the_readiness_rule_has_one_home():
    """The "one step above" is written once, in people/readiness.py."""
    copies = []
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or path.name == "readiness.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#")[0]
                if "readiness" in code and ("+ 1" in code or "- 1" in code):
                    copies.append(f"{path.relative_to(ROOT)}:{number}")
    assert copies == []
