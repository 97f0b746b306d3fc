"""The `newsroom` command: translate files, follow jobs, move glossaries.

Exit codes (also in `newsroom --help` and docs/cli.md):
  0  done
  1  a translation failed or was cancelled (the others were written)
  2  usage error: a bad option, a missing file, a file type the service does not read
  3  the server refused the request (invalid request, unknown job or glossary, quota)
  4  the key is missing, wrong or not allowed to do this
  5  the server cannot be reached, failed (5xx), or the wait timed out
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from newsroom_cli.client import EXTENSIONS, Api, ApiError, Unreachable
from newsroom_cli.config import ConfigError, load_config

OK, FAILED, USAGE, REFUSED, FORBIDDEN, UNAVAILABLE = 0, 1, 2, 3, 4, 5
TERMINAL = {"succeeded", "failed", "cancelled", "partially_failed"}
EXIT_CODES = """\b
Exit codes:
  0  done
  1  a translation failed or was cancelled (the others were written)
  2  usage error (bad option, missing file, unsupported file type)
  3  the server refused the request (invalid, unknown job or glossary, quota)
  4  the key is missing, wrong or not allowed
  5  the server cannot be reached, failed, or the wait timed out"""


class Stop(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


def _exit_code(error: Exception) -> int:
    if isinstance(error, ApiError):
        if error.status in (401, 403):
            return FORBIDDEN
        return UNAVAILABLE if error.status >= 500 else REFUSED
    return UNAVAILABLE


class _Group(click.Group):
    """Every command's API errors become a message and an exit code, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (ApiError, Unreachable) as error:
            click.echo(f"newsroom: {error}", err=True)
            ctx.exit(_exit_code(error))
        except Stop as stop:
            click.echo(f"newsroom: {stop}", err=True)
            ctx.exit(stop.code)


@click.group(cls=_Group, epilog=EXIT_CODES)
@click.option("--url", help="The service's URL (else NEWSROOM_URL, else the config file, else http://127.0.0.1:8080).")
@click.option("--key", help="The API key (else NEWSROOM_KEY, else the config file).")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds to wait for one HTTP answer.")
@click.version_option("1.0.0", prog_name="newsroom")
@click.pass_context
def main(ctx, url, key, timeout):
    """Translate articles, office files and subtitles with a newsroom-translate service.

    The config file is NEWSROOM_CONFIG, else ~/.config/newsroom/config.toml,
    with url = "…" and key = "…"."""
    try:
        config = load_config(url, key)
    except ConfigError as error:
        raise click.UsageError(str(error))
    ctx.obj = Api(config.url, config.key, timeout=timeout)
    ctx.call_on_close(ctx.obj.close)


# -- translate ------------------------------------------------------------------------


def _files(paths: tuple[str, ...]) -> list[Path]:
    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)
        elif path.is_file():
            if path.suffix.lower() not in EXTENSIONS:
                raise click.UsageError(f"{path}: the service reads {', '.join(EXTENSIONS)}")
            files.append(path)
        else:
            raise click.UsageError(f"{path}: no such file or folder")
    if not files:
        raise click.UsageError("no file to translate in " + ", ".join(paths))
    return files


def _glossary_ids(api: Api, names: tuple[str, ...]) -> list[str]:
    ids = []
    for name in names:
        found = api.find_glossary(name)
        if found is None:
            raise Stop(REFUSED, f"no glossary with the id or name {name!r}")
        ids.append(found["id"])
    return ids


def _wait(api: Api, jobs: dict[str, dict], timeout: float, interval: float, quiet: bool) -> dict[str, dict]:
    """Poll every job until all are finished, with one progress bar over their segments."""
    deadline = time.monotonic() + timeout
    statuses = {job_id: status for job_id, status in jobs.items()}
    with click.progressbar(length=1, label="Translating", file=sys.stderr, show_percent=True, hidden=quiet) as bar:
        while True:
            statuses = {job_id: api.job(job_id) for job_id in statuses}
            done = total = 0
            for status in statuses.values():
                for language in status["languages"].values():
                    finished = language["state"] in TERMINAL
                    total += max(1, language["progress"]["total"])
                    done += max(1, language["progress"]["total"]) if finished else language["progress"]["done"]
            bar.length = total
            bar.update(done - bar.pos)
            if all(s["state"] in TERMINAL for s in statuses.values()):
                return statuses
            if time.monotonic() > deadline:
                raise Stop(UNAVAILABLE, f"gave up waiting after {timeout:g} s; the jobs go on: " + ", ".join(statuses))
            time.sleep(interval)


@main.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, required=True)
@click.option("--to", "targets", required=True, help="Target languages, comma-separated: de,fr,pt.")
@click.option("--from", "source", help="The source language (default: detected).")
@click.option("--glossary", "glossaries", multiple=True, help="A glossary id or name; repeat for several.")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Folder to write translations to, as NAME.LANG.EXT.",
)
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait and download, or only submit.")
@click.option("--wait-timeout", type=float, default=3600, show_default=True, help="Seconds to wait for the jobs.")
@click.option("--interval", type=float, default=1.0, show_default=True, help="Seconds between status checks.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def translate(api: Api, paths, targets, source, glossaries, output, wait, wait_timeout, interval, quiet):
    """Translate files, or every file in folders (.txt .html .md .docx .odt .pptx .srt .vtt).

    Example: newsroom translate story.docx --to de,fr,pt --glossary nato-desk -o out/"""
    languages = [t.strip() for t in targets.split(",") if t.strip()]
    if not languages:
        raise click.UsageError("--to names no language")
    files = _files(paths)
    glossary_ids = _glossary_ids(api, glossaries)
    submitted: dict[str, tuple[Path, dict]] = {}
    for path in files:
        status = api.upload(path, languages, source, glossary_ids)
        submitted[status["id"]] = (path, status)
        click.echo(f"{path}: job {status['id']}", err=True)
    if not wait:
        for job_id in submitted:
            click.echo(job_id)
        return
    statuses = _wait(
        api, {job_id: status for job_id, (_path, status) in submitted.items()}, wait_timeout, interval, quiet
    )
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    failures = 0
    for job_id, (path, _status) in submitted.items():
        for lang, language in statuses[job_id]["languages"].items():
            if language["state"] != "succeeded":
                failures += 1
                click.echo(
                    f"{path} → {lang}: {language['state']}"
                    + (f" ({language['error']})" if language.get("error") else ""),
                    err=True,
                )
                continue
            data, _translation = api.translated_file(job_id, lang)
            target = folder / f"{path.stem}.{lang}{path.suffix}"
            target.write_bytes(data)
            click.echo(str(target))
    if failures:
        raise Stop(FAILED, f"{failures} translation(s) did not succeed")


# -- jobs -----------------------------------------------------------------------------


@main.group(epilog=EXIT_CODES)
def jobs():
    """List, show and cancel jobs."""


@jobs.command("list", epilog=EXIT_CODES)
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.pass_obj
def list_jobs(api: Api, limit, as_json):
    """Your tenant's newest jobs."""
    page = api.jobs(limit)
    if as_json:
        click.echo(json.dumps(page, indent=2))
        return
    for job in page["items"]:
        click.echo(
            f"{job['id']}  {job['state']:<16} {job.get('source_lang') or '?'} → "
            f"{','.join(job.get('target_langs') or [])}  {job.get('created_at', '')}"
        )
    click.echo(f"{len(page['items'])} of {page['total']}", err=True)


@jobs.command("show", epilog=EXIT_CODES)
@click.argument("job_id")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.pass_obj
def show_job(api: Api, job_id, as_json):
    """One job, language by language."""
    status = api.job(job_id)
    if as_json:
        click.echo(json.dumps(status, indent=2))
        return
    click.echo(f"{status['id']}  {status['state']}  from {status['source_lang']}  created {status['created_at']}")
    for lang, language in status["languages"].items():
        progress = language["progress"]
        click.echo(
            f"  {lang}: {language['state']} {progress['done']}/{progress['total']}"
            + (f"  {language['error']}" if language.get("error") else "")
        )


@jobs.command("cancel", epilog=EXIT_CODES)
@click.argument("job_id")
@click.pass_obj
def cancel_job(api: Api, job_id):
    """Cancel the languages of a job that have not started."""
    status = api.cancel(job_id)
    click.echo(f"{status['id']}  {status['state']}")


# -- glossaries -----------------------------------------------------------------------


@main.group(epilog=EXIT_CODES)
def glossary():
    """List, import and export glossaries."""


@glossary.command("list", epilog=EXIT_CODES)
@click.pass_obj
def list_glossaries(api: Api):
    """Every glossary: id, name, source language, version."""
    for item in api.glossaries():
        click.echo(f"{item['id']}  {item['name']}  ({item['source_lang']}, version {item.get('version')})")


_FORMAT = click.Choice(["csv", "tsv", "tbx"])


@glossary.command("import", epilog=EXIT_CODES)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--glossary", "name", required=True, help="The glossary's id or name; created if it is new.")
@click.option("--source-lang", help="The source language, to create a new glossary.")
@click.option("--format", "fmt", type=_FORMAT, help="Default: from the file's extension.")
@click.option("--target-lang", help="The target language of a TSV file (one language pair).")
@click.option("--replace", is_flag=True, help="Replace the entries instead of adding to them.")
@click.pass_obj
def import_glossary(api: Api, file, name, source_lang, fmt, target_lang, replace):
    """Add (or --replace) a glossary's entries from a CSV, TSV or TBX file."""
    path = Path(file)
    fmt = fmt or path.suffix.lower().lstrip(".")
    if fmt not in ("csv", "tsv", "tbx"):
        raise click.UsageError("name --format: csv, tsv or tbx")
    found = api.find_glossary(name)
    if found is None:
        if not source_lang:
            raise click.UsageError(f"there is no glossary {name!r}; give --source-lang to create it")
        found = api.create_glossary(name, source_lang)
        click.echo(f"created glossary {found['id']} ({name})", err=True)
    result = api.import_glossary(found["id"], path.read_bytes(), fmt, target_lang, replace)
    click.echo(f"{result['id']}  {result['name']}: {len(result['entries'])} entries, version {result['version']}")


@glossary.command("export", epilog=EXIT_CODES)
@click.argument("name")
@click.option("--format", "fmt", type=_FORMAT, default="csv", show_default=True)
@click.option("--target-lang", help="The target language (TSV: required).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of standard output.")
@click.pass_obj
def export_glossary(api: Api, name, fmt, target_lang, output):
    """Write a glossary's entries as CSV, TSV or TBX."""
    found = api.find_glossary(name)
    if found is None:
        raise Stop(REFUSED, f"no glossary with the id or name {name!r}")
    data = api.export_glossary(found["id"], fmt, target_lang)
    if output:
        Path(output).write_bytes(data)
    else:
        click.echo(data.decode("utf-8"), nl=False)


if __name__ == "__main__":
    main()
