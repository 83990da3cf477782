"""Where the shipped data files live: `models/` in a checkout, `monitor/_models` when installed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def models_dir() -> Path:
    # A wheel carries models/ inside the package (see pyproject's force-include); an
    # editable install or a plain checkout reads the top-level folder directly.
    for candidate in (_PACKAGE / "_models", _PACKAGE.parent / "models"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("monitor's models/ folder is missing from this installation")


def model_file(name: str) -> Path:
    return models_dir() / name


def read_lexicon(path: Path) -> list[str]:
    """Lines of a lexicon file, without blanks and ``#`` comments."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]
