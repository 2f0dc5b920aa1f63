"""The layers depend one way: api → planning → gis; planning imports no web, database or maps.

Checked on the source: every ``import`` statement of a layer (third-party packages may import
what they like; wntr, for one, pulls in folium for its own plots).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "gis": {"planning", "api", "data", "fastapi", "folium"},
    "planning": {"api", "fastapi", "sqlalchemy", "geoalchemy2", "folium", "starlette"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports_only_what_is_below_it(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    bad = {
        str(f.relative_to(ROOT)): sorted(_imports(f) & FORBIDDEN[package])
        for f in files
        if _imports(f) & FORBIDDEN[package]
    }
    assert bad == {}
