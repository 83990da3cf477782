"""Throughput of the whole entity layer against the model's bare NER, in one run.

    .venv/bin/python bench/nlp.py [--rounds 7] [--copies 1] [--profile]

Corpus: the 121 human-checked article bodies of the extraction benchmark
(``/work/shared/data/article-extraction-benchmark/ground-truth.json``, or ``--corpus``) plus
the seed article. Both sides tag the same texts with the same batch size, one process:

* ``ner``: ``nlp.pipe`` over the same model with only the components its NER needs (for
  en_core_web_sm, the ``ner`` alone: it carries its own tok2vec);
* ``tagger``: :meth:`monitor.tagging.tagger.Tagger.tag`, everything included (sentences, NER,
  gazetteer, titles, figures with their parse pass, mentions and canonical names).

Each round walks the corpus in chunks of one batch and times both sides on every chunk, in
alternating order, so that both see the same machine load (other processes on a shared
machine swing a whole-corpus timing by a third); each side keeps its best round. The ratio
is tagger words/s over ner words/s: the share of the bare NER's speed that the entity layer
keeps, by wall clock and by this process's CPU time (the steadier of the two when the machine
is busy). ``--profile`` prints a cProfile of one tagger round instead.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.tagging.tagger import DEFAULT_MODEL, Tagger  # noqa: E402

SHARED = ROOT.parent / "shared"
BENCHMARK = SHARED / "data" / "article-extraction-benchmark" / "ground-truth.json"
SEED = ROOT / "tests" / "fixtures" / "seed-article.txt"


def corpus(path: Path, copies: int) -> list[str]:
    bodies = [entry["articleBody"] for entry in json.loads(path.read_text("utf-8")).values()]
    texts = [body for body in bodies if body and body.strip()]
    texts.append(SEED.read_text("utf-8"))
    return texts * copies


def ner_only(model: str):
    """The model with only what its NER listens to (shared tok2vec, if any) switched on."""
    nlp = spacy.load(model)
    needed = {"ner"} | {
        name for name, component in nlp.pipeline
        if "ner" in getattr(component, "listening_components", ())
    }
    return nlp, [name for name in nlp.pipe_names if name not in needed]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--corpus", type=Path, default=BENCHMARK)
    parser.add_argument("--copies", type=int, default=1, help="repeat the corpus N times")
    parser.add_argument("--rounds", type=int, default=7, help="best of N, interleaved")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--profile", action="store_true", help="cProfile one tagger round")
    args = parser.parse_args()

    texts = corpus(args.corpus, args.copies)
    words = sum(len(text.split()) for text in texts)
    tagger = Tagger(args.model, batch_size=args.batch_size)
    nlp, disable = ner_only(args.model)

    def run_tagger(chunk: list[str]) -> int:
        tagged = list(tagger.tag((text, "en") for text in chunk))
        return sum(len(t.mentions) + len(t.figures) for t in tagged)

    def run_ner(chunk: list[str]) -> int:
        return sum(len(doc.ents) for doc in nlp.pipe(chunk, batch_size=args.batch_size,
                                                     disable=disable))

    sides = {"ner": run_ner, "tagger": run_tagger}
    for run in sides.values():  # load and warm up both
        run(texts)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run_tagger(texts)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return

    chunks = [texts[i : i + args.batch_size] for i in range(0, len(texts), args.batch_size)]
    best = {side: [float("inf"), float("inf")] for side in sides}  # wall, cpu
    counts = dict.fromkeys(sides, 0)
    for round_ in range(args.rounds):
        spent = {side: [0.0, 0.0] for side in sides}
        counts = dict.fromkeys(sides, 0)
        for i, chunk in enumerate(chunks):
            order = list(sides) if (i + round_) % 2 == 0 else list(reversed(sides))
            for side in order:
                wall, cpu = time.perf_counter(), time.process_time()
                counts[side] += sides[side](chunk)
                spent[side][0] += time.perf_counter() - wall
                spent[side][1] += time.process_time() - cpu
        for side in sides:
            best[side] = [min(b, s) for b, s in zip(best[side], spent[side], strict=True)]

    print(f"corpus: {len(texts)} texts ({args.corpus.name} bodies + seed) x{args.copies}, "
          f"{words:,} words; model {args.model}; batch {args.batch_size}; "
          f"best of {args.rounds} rounds, both sides interleaved chunk by chunk")
    print(f"ner components: {', '.join(n for n in nlp.pipe_names if n not in disable)}")
    for side, label in (("ner", "ner-only nlp.pipe"), ("tagger", "Tagger.tag (whole layer)")):
        wall, cpu = best[side]
        unit = "entities" if side == "ner" else "mentions+figures"
        print(f"{label:26} {words:>9,} words {wall:8.3f} s {words / wall:>8,.0f} words/s"
              f"   cpu {cpu:8.3f} s {words / cpu:>8,.0f} words/s   ({counts[side]:,} {unit})")
    ratio_wall = best["ner"][0] / best["tagger"][0]
    ratio_cpu = best["ner"][1] / best["tagger"][1]
    print(f"ratio (tagger / ner-only words/s): {ratio_wall:.2f} wall clock, {ratio_cpu:.2f} cpu")


if __name__ == "__main__":
    main()
