"""Submit the sample article with the sample glossary, show progress while
polling, print each translation and what the glossary did in it.

Run by `make demo` against the stack that `scripts/stack.sh up` started,
with the local admin key it keeps in var/admin.key (or API_KEY).
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

API = f"http://127.0.0.1:{os.environ.get('API_PORT', '8080')}"
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
ARTICLE, GLOSSARY = DATA / "article.txt", DATA / "glossary.json"


def read_article(path: Path) -> dict:
    title, _, body = path.read_text(encoding="utf-8").partition("\n")
    return {"title": title.strip(), "body": body.lstrip("\n"), "format": "text"}


def main() -> int:
    langs = os.environ.get("DEMO_LANGS", "de fr es").split()
    key = os.environ.get("API_KEY") or (ROOT / "var" / "admin.key").read_text().strip()
    with httpx.Client(base_url=API, timeout=10, headers={"Authorization": f"Bearer {key}"}) as client:
        pairs = client.get("/v1/languages").json()["pairs"]
        print("Models:", ", ".join(f"{p['source']}->{p['target']} ({' + '.join(p['via'])})" for p in pairs))
        glossary = client.post("/v1/glossaries", content=GLOSSARY.read_bytes(),
                               headers={"Content-Type": "application/json"})
        if glossary.status_code != 201:
            print(f"glossary creation failed: {glossary.status_code} {glossary.text}", file=sys.stderr)
            return 1
        g = glossary.json()
        print(f"Glossary {g['name']!r} ({len(g['entries'])} entries) -> /v1/glossaries/{g['id']}")
        job = client.post("/v1/jobs", json={"source_lang": "en", "target_langs": langs, "article": read_article(ARTICLE),
                                            "glossary_ids": [g["id"]]})
        if job.status_code != 202:
            print(f"submission failed: {job.status_code} {job.text}", file=sys.stderr)
            return 1
        location = job.headers["Location"]
        print(f"Submitted job {job.json()['id']} -> {location}")
        started, last = time.monotonic(), None
        while True:
            status = client.get(location).json()
            line = "  ".join(
                f"{lang}: {s['state']} {s['progress']['done']}/{s['progress']['total']}"
                for lang, s in status["languages"].items()
            )
            if line != last:
                print(f"[{time.monotonic() - started:5.1f}s] {status['state']:<9} {line}")
                last = line
            if status["state"] not in ("queued", "running"):
                break
            if time.monotonic() - started > 300:
                print("gave up waiting after 300 s", file=sys.stderr)
                return 1
            time.sleep(0.2)
        failed = False
        for lang, s in status["languages"].items():
            if s["state"] != "succeeded":
                print(f"\n== {lang}: {s['state']} {s.get('error', '')}")
                failed = True
                continue
            t = client.get(f"{location}/translations/{lang}").json()
            model = " + ".join(f"{m['engine']} {m['model']} {m['version']}" for m in t["model"])
            stats = s["stats"]
            print(f"\n== {lang} (model: {model}; {stats['segments']} segments, {stats['cache_hits']} from the"
                  f" segment cache; {_seconds(s['started_at'], s['finished_at']):.2f} s in the worker)")
            print(_glossary_line(s["glossary"]))
            print(t["title"])
            print()
            print(t["body"])
        return 1 if failed else 0


def _glossary_line(report: dict) -> str:
    methods = dict(sum((Counter(term["methods"]) for term in report["terms"]), Counter()))
    per_term = ", ".join(f"{t['term']} {t['rendered_occurrences']}/{t['source_occurrences']}" for t in report["terms"])
    return (f"glossary: {report['source_occurrences']} term occurrences found, {report['rendered_occurrences']} rendered,"
            f" {report['failed']} failed (by method: {methods}; {per_term})")


def _seconds(start: str, end: str) -> float:
    from datetime import datetime

    parse = lambda v: datetime.fromisoformat(v.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


if __name__ == "__main__":
    sys.exit(main())
