"""A non-editable install carries models/ and the demo pages inside the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from monitor.assets import models_dir

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_models_and_demo_pages(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(tmp_path), str(ROOT)], check=True, timeout=300)
    wheel = next(tmp_path.glob("monitor-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in ("agencies.jsonl", "titles.txt", "residue.txt", "not_names.txt"):
        assert f"monitor/_models/{asset}" in names
    assert any(n.startswith("monitor/demo_pages/") and n.endswith(".html") for n in names)
    assert "monitor/cli.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "monitor = monitor.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_models_found_in_a_checkout():
    assert (models_dir() / "agencies.jsonl").is_file()
