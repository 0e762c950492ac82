"""The wheel carries what the plugin needs at run time: migrations, page scripts, entry points."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_migrations_scripts_and_entry_points(tmp_path: Path) -> None:
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(ROOT)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("pytest_irl-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = sorted(p.name for p in (ROOT / "migrations").glob("*.sql"))
    assert migrations and {f"pytest_irl/migrations/{m}" for m in migrations} <= names
    scripts = {"pytest_irl/engine/observer.js", "pytest_irl/heal/snapshot.js",
               "pytest_irl/heal/snapshot_text.js", "pytest_irl/engine/lists.js",
               "pytest_irl/report/report.js", "pytest_irl/report/report.css"}
    assert scripts <= names
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "irl = pytest_irl.plugin" in entry_points and "irl = pytest_irl.cli:main" in entry_points
