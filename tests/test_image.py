"""What the container image holds, checked without a Docker engine: the files the
Dockerfile's COPY lines bring into /app are enough to build the API app and to
import both worker entry points, and pyproject.toml names every package."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from tests.helpers import ROOT


def copy_instructions() -> list[tuple[list[str], str]]:
    """The Dockerfile's `COPY src... dest` lines (sources relative to the build context)."""
    copies = []
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")  # continuation lines joined
    for line in text.splitlines():
        if not line.strip().upper().startswith("COPY"):
            continue
        words = shlex.split(line, comments=True)
        if words and words[0].upper() == "COPY":
            args = [w for w in words[1:] if not w.startswith("--")]
            assert "--from" not in line, "a multi-stage COPY: teach this test where its files come from"
            copies.append((args[:-1], args[-1]))
    return copies


def build_image_tree(into: Path) -> Path:
    """Docker's rules for what matters here: a file copied into a folder
    destination (ending in /) keeps its name, a folder's contents go to the
    destination."""
    app = into / "app"  # WORKDIR /app
    app.mkdir()
    for sources, dest in copy_instructions():
        target = app / dest
        for source in sources:
            path = ROOT / source
            if path.is_dir():
                shutil.copytree(path, target, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
            else:
                assert dest.endswith("/") or len(sources) == 1, dest
                destination = target / path.name if dest.endswith("/") else target
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)
    return app


# Run in the copied tree with the virtualenv's dependencies but without this
# checkout: the editable install's finder (pip install -e .) would otherwise
# find a package the image lacks here, in the worktree. Every project module
# imported must then come from the copy.
IMPORT_EVERYTHING = textwrap.dedent("""
    import os, sys
    sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")
                        and "__editable__" not in getattr(type(f), "__module__", "")]
    checkout = {p for p in sys.path if os.path.realpath(p or ".") == os.path.realpath(sys.argv[1])}
    sys.path[:] = [os.getcwd()] + [p for p in sys.path if p not in checkout and p not in ("", ".")]

    import service, workers.worker, workers.interactive
    from config import Settings
    app = service.create_app(Settings.from_env())
    assert app.url_map is not None

    def source(module):
        return os.path.realpath(getattr(module, "__file__", None) or os.devnull)
    venv = os.path.realpath(sys.prefix) + os.sep  # the dependencies may live inside the checkout (.venv)
    outside = [name for name, module in list(sys.modules.items())
               if source(module).startswith(sys.argv[1] + os.sep) and not source(module).startswith(venv)]
    assert not outside, f"imported from the checkout, not the image: {outside}"
    print("ok", len(app.url_map._rules))
""")


def test_the_images_files_serve_the_api_and_both_workers(tmp_path):
    app = build_image_tree(tmp_path)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing is connected at import or app creation
        "ARGOS_PACKAGES_DIR": str(tmp_path / "models"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING, str(ROOT.resolve())],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("ok")


def _pyproject_packages() -> tuple[set[str], set[str]]:
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    strip = lambda patterns: {p.removesuffix("*") for p in patterns}  # noqa: E731
    return strip(find["include"]), strip(find.get("exclude", []))


def _top_level_packages() -> set[str]:
    return {p.parent.name for p in ROOT.glob("*/__init__.py") if not p.parent.name.startswith(".")}


def test_pyproject_names_every_package_once():
    installed, left_out = _pyproject_packages()
    assert not installed & left_out
    assert installed | left_out == _top_level_packages(), "add the new package to pyproject.toml's include or exclude"


def test_the_dockerfile_copies_the_installed_packages_and_modules():
    copied = {Path(source).name for sources, _ in copy_instructions() for source in sources}
    installed, left_out = _pyproject_packages()
    modules = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["py-modules"]
    assert installed <= copied, f"not copied into the image: {sorted(installed - copied)}"
    assert {f"{m}.py" for m in modules} <= copied
    assert not left_out & copied, "development tooling stays out of the image"


def test_compose_starts_what_the_image_test_imports():
    # The entry points imported above are the ones docker-compose.yml runs.
    import yaml

    from launcher.__main__ import container_place, options
    from launcher.commands import argv

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    started = set()
    for service in services.values():
        if service.get("build") != ".":
            continue
        # compose runs `python -m launcher run NAME --container`: what that execs (tests/test_launcher.py)
        name = service["command"][service["command"].index("run") + 1]
        command = argv(name, container_place(), **options(name, container_place()))
        if "gunicorn" in command[0]:
            started.add(command[1])
        elif "-A" in command:
            started.add(command[command.index("-A") + 1])
    assert started == {"service:create_app()", "workers.worker", "workers.interactive"}
