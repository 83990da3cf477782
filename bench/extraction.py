"""Extraction quality and speed on the article-extraction benchmark: monitor against trafilatura.

    .venv/bin/python bench/extraction.py [--benchmark DIR] [--rounds 3] [--lines 25] [--pages 10]

Corpus: the 121 real pages of ``shared/data/article-extraction-benchmark`` (beside the
repository, else ``/work/shared``) with their human-checked article bodies. Metric, as that
benchmark's ``evaluate.py`` defines it: ``\\w+`` tokens, multisets of 4-token shingles per page,
tp/fp/fn normalised per page, precision and recall averaged over pages, F1 from the two means.

Systems, all on the same bytes in one process:

* ``monitor``: :func:`monitor.pages.extraction.extract_article` with the default cleaner and the
  page's URL: what ``monitor extract`` and ``poll`` store as ``articles.text`` (before any
  learned site furniture, which needs a database);
* ``trafilatura …``: plain ``trafilatura.extract`` on the decoded page in its default mode,
  with ``favor_precision``, and with ``favor_precision`` + ``include_comments=False``.

Each is scored on all pages and on two fixed halves, ``dev`` (even positions in the sorted
ids) and ``held-out`` (odd positions): a rule tuned on one half has to hold on the other.

Speed: each system runs ``--rounds`` times over every page, rounds interleaved so all see the
same machine load; the best round counts. Times are the process's CPU time
(``time.process_time``), so other work on a busy machine counts against neither side.
``trafilatura +metadata`` is the best text mode with ``with_metadata=True`` (title, author,
date, site name: what monitor returns besides the text). The overhead is monitor's time over
the plain best mode, and over the same mode with metadata; an instrumented monitor round then
splits its time into trafilatura's own work (parse, text passes, metadata) and monitor's
layer around it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.pages import extraction  # noqa: E402
from monitor.pages.extraction import decode_html, default_cleaner, extract_article  # noqa: E402
from monitor.text import squash  # noqa: E402

_BENCHMARK_DIRS = (
    ROOT.parent / "shared" / "data" / "article-extraction-benchmark",
    Path("/work/shared/data/article-extraction-benchmark"),
)
_TOKEN = re.compile(r"\w+")
SHINGLE = 4


@dataclass
class Page:
    id: str
    url: str
    html: bytes
    truth: str


def default_benchmark() -> Path:
    for folder in _BENCHMARK_DIRS:
        if (folder / "ground-truth.json").is_file():
            return folder
    return _BENCHMARK_DIRS[-1]


def load(folder: Path, limit: int = 0) -> list[Page]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    return [
        Page(id=key, url=truth[key].get("url") or "",
             html=gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()),
             truth=truth[key].get("articleBody") or "")
        for key in ids
    ]


# --- the benchmark's metric ----------------------------------------------------------------


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + SHINGLE])
                   for i in range(max(1, len(tokens) - SHINGLE + 1)) if tokens[i:i + SHINGLE])


def page_counts(true: str, pred: str) -> tuple[float, float, float]:
    """(tp, fp, fn) of one page, normalised to sum to 1 as evaluate.py does."""
    expected, predicted = _shingles(true), _shingles(pred)
    tp = sum((expected & predicted).values())
    fp = sum((predicted - expected).values())
    fn = sum((expected - predicted).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def scores(counts: Iterable[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(F1, precision, recall): per-page precision and recall averaged, F1 of the means."""
    precisions, recalls = [], []
    for tp, fp, fn in counts:
        if tp + fp > 0:
            precisions.append(1.0 if fp == fn == 0 else tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(1.0 if fp == fn == 0 else tp / (tp + fn))
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


# --- systems -------------------------------------------------------------------------------


#: One cleaner for every page, as the pipeline has (loading the patterns is not per page).
CLEANER = default_cleaner()


def monitor_text(page: Page) -> str:
    return extract_article(page.html, page.url or None, cleaner=CLEANER).text


def trafilatura_system(**options: object) -> Callable[[Page], str]:
    def run(page: Page) -> str:
        return trafilatura.extract(decode_html(page.html), url=page.url or None,
                                   **options) or ""
    return run


BEST = {"favor_precision": True, "include_comments": False}
SYSTEMS: dict[str, Callable[[Page], str]] = {
    "monitor": monitor_text,
    "trafilatura default": trafilatura_system(),
    "trafilatura favor_precision": trafilatura_system(favor_precision=True),
    "trafilatura precision+no comments": trafilatura_system(**BEST),
}
TIMED: dict[str, Callable[[Page], str]] = {
    "monitor": monitor_text,
    "trafilatura precision+no comments": SYSTEMS["trafilatura precision+no comments"],
    "trafilatura +metadata": trafilatura_system(**BEST, with_metadata=True),
}


def split(pages: list[Page]) -> dict[str, list[int]]:
    return {"all": list(range(len(pages))), "dev": list(range(0, len(pages), 2)),
            "held-out": list(range(1, len(pages), 2))}


def extra_lines(pages: list[Page], texts: list[str]) -> Counter[str]:
    """Lines of ``texts`` whose tokens the page's ground truth does not contain, by count."""
    found: Counter[str] = Counter()
    for page, text in zip(pages, texts, strict=True):
        truth = " " + " ".join(_TOKEN.findall(page.truth)) + " "
        for line in dict.fromkeys(squash(raw) for raw in text.splitlines()):
            tokens = " ".join(_TOKEN.findall(line))
            if tokens and f" {tokens} " not in truth:
                found[line[:90]] += 1
    return found


def timed_rounds(pages: list[Page], rounds: int) -> dict[str, float]:
    best = dict.fromkeys(TIMED, float("inf"))
    for system in TIMED.values():  # warm-up: imports, regex caches, dateparser
        system(pages[0])
    for _ in range(rounds):
        for name, system in TIMED.items():
            started = time.process_time()
            for page in pages:
                system(page)
            best[name] = min(best[name], time.process_time() - started)
    return best


CLEANING_LAYER = "cleaning layer"
OTHER_WORK = "monitor's other work"


def monitor_breakdown(pages: list[Page]) -> dict[str, float]:
    """One timed monitor round split into trafilatura's work (parse, text passes, metadata
    with the date guess), the cleaning layer (residue and furniture lines, the page's own
    address, headline copies, closing link lists) and the rest of monitor's work (decoding,
    markup repairs, the choice between passes, stated dates, language)."""
    cleaner = CLEANER
    wrapped = {
        (extraction, "_parse"): "trafilatura parse",
        (extraction, "_trafilatura_text"): "trafilatura text passes",
        (extraction, "_trafilatura_metadata"): "trafilatura metadata",
        (extraction, "_guess_date"): "trafilatura metadata",
        (cleaner, "clean"): CLEANING_LAYER,
        (extraction, "_drop_own_urls"): CLEANING_LAYER,
        (extraction, "_drop_title_lines"): CLEANING_LAYER,
        (extraction, "_drop_trailing_links"): CLEANING_LAYER,
    }
    spent = dict.fromkeys(wrapped.values(), 0.0)

    def timed(function: Callable[..., object], bucket: str) -> Callable[..., object]:
        def run(*args: object, **kwargs: object) -> object:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[bucket] += time.process_time() - started
        return run

    originals = {key: getattr(*key) for key in wrapped}
    for (owner, name), bucket in wrapped.items():
        setattr(owner, name, timed(originals[owner, name], bucket))
    try:
        started = time.process_time()
        for page in pages:
            monitor_text(page)
        total = time.process_time() - started
    finally:
        for (owner, name), function in originals.items():
            if owner is cleaner:
                del cleaner.clean  # the instance attribute hid the method
            else:
                setattr(owner, name, function)
    spent[OTHER_WORK] = total - sum(spent.values())
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--benchmark", type=Path, default=default_benchmark())
    parser.add_argument("--rounds", type=int, default=3, help="speed rounds (0: no timing)")
    parser.add_argument("--lines", type=int, default=25, help="frequent extra lines to list")
    parser.add_argument("--pages", type=int, default=10, help="worst monitor pages to list")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    args = parser.parse_args()

    pages = load(args.benchmark, args.limit)
    halves = split(pages)
    print(f"{len(pages)} pages from {args.benchmark}; dev {len(halves['dev'])}, "
          f"held-out {len(halves['held-out'])}\n")
    header = f"{'system':<36}" + "".join(f"{h + ' F1 / P / R':>26}" for h in halves)
    print(header)
    outputs: dict[str, list[str]] = {}
    for name, system in SYSTEMS.items():
        texts = outputs[name] = [system(page) for page in pages]
        counts = [page_counts(page.truth, text) for page, text in zip(pages, texts, strict=True)]
        cells = []
        for indices in halves.values():
            f1, precision, recall = scores(counts[i] for i in indices)
            cells.append(f"{f1:.4f} / {precision:.4f} / {recall:.4f}")
        print(f"{name:<36}" + "".join(f"{cell:>26}" for cell in cells))

    monitor = outputs["monitor"]
    per_page = sorted(
        (scores([page_counts(page.truth, text)])[0], page.id, page.url)
        for page, text in zip(pages, monitor, strict=True)
    )
    print(f"\nworst {args.pages} pages for monitor (F1, id, url):")
    for f1, page_id, url in per_page[:args.pages]:
        print(f"  {f1:.3f}  {page_id[:8]}  {url[:90]}")

    print(f"\nlines monitor keeps that the ground truth does not have (top {args.lines}, "
          "pages):")
    for line, count in extra_lines(pages, monitor).most_common(args.lines):
        print(f"  {count:3d}  {line}")

    if args.rounds > 0:
        best = timed_rounds(pages, args.rounds)
        print(f"\nspeed, best of {args.rounds} rounds over {len(pages)} pages, one process, CPU "
              "time:")
        for name, seconds in best.items():
            print(f"  {name:<36}{len(pages) / seconds:8.1f} pages/s  ({seconds:.2f} s)")
        plain = best["trafilatura precision+no comments"]
        with_meta = best["trafilatura +metadata"]
        print(f"  monitor overhead: {100 * (best['monitor'] / plain - 1):+.1f}% over the plain "
              f"best mode, {100 * (best['monitor'] / with_meta - 1):+.1f}% over it with "
              "metadata")
        parts = min((monitor_breakdown(pages) for _ in range(args.rounds)),
                    key=lambda p: sum(p.values()))
        total = sum(parts.values())
        print("  where monitor's time goes (instrumented, fastest round):")
        for name, seconds in parts.items():
            print(f"    {name:<34}{seconds:6.2f} s  {100 * seconds / total:5.1f}%")
        print(f"  the cleaning layer costs {100 * parts[CLEANING_LAYER] / plain:.1f}% of the "
              f"plain best mode's time; all of monitor's own work (cleaning and other) "
              f"{100 * (parts[CLEANING_LAYER] + parts[OTHER_WORK]) / plain:.1f}%")


if __name__ == "__main__":
    main()
