"""Where the shipped data files live: `models/` in a checkout, `monitor/_models` when installed.

:class:`Assets` is that folder, located once (:meth:`Assets.default`) by whoever builds the
readers of its files, and handed to them: the spaCy factories get it through their config
(``nlp.add_pipe(..., config={"assets": str(assets.folder)})``), :meth:`Cleaner.load
<monitor.pages.cleaning.Cleaner.load>` and :class:`~monitor.tagging.tagger.Tagger` as an
argument. A test points them at a folder of its own the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def models_dir() -> Path:
    """The installation's ``models/`` folder."""
    # A wheel carries models/ inside the package (see pyproject's force-include); an
    # editable install or a plain checkout reads the top-level folder directly.
    for candidate in (_PACKAGE / "_models", _PACKAGE.parent / "models"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("monitor's models/ folder is missing from this installation")


@dataclass(frozen=True)
class Assets:
    """A folder of data files laid out as ``models/`` is."""

    folder: Path

    @classmethod
    def default(cls) -> Assets:
        """The files shipped with this installation."""
        return cls(models_dir())

    @classmethod
    def at(cls, folder: str | Path | None) -> Assets:
        """The files in ``folder``; the shipped ones when None (a factory's default config)."""
        return cls.default() if folder is None else cls(Path(folder))

    def file(self, name: str) -> Path:
        return self.folder / name

    def lexicon(self, name: str) -> list[str]:
        """The lines of the lexicon file ``name`` (see :func:`read_lexicon`)."""
        return read_lexicon(self.file(name))


def read_lexicon(path: Path) -> list[str]:
    """Lines of a lexicon file, without blanks and ``#`` comments."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]
