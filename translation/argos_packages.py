"""Argos Translate packages: list, install from the Argos index (online) or from
`.argosmodel` files (offline).

Usage:
    python -m translation.argos_packages list
    python -m translation.argos_packages install-file PATH [PATH ...]   # files or folders of .argosmodel
    python -m translation.argos_packages install-pair en de              # from the Argos index (needs internet)

ARGOS_PACKAGES_DIR selects the install folder; argostranslate reads it when
imported, so this module imports argostranslate lazily, after the caller has
set the environment.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InstalledModel:
    package: str  # folder name of the installed package, e.g. "translate-en_de-1_9"
    version: str
    from_code: str
    to_code: str
    path: Path

    def to_dict(self) -> dict:
        return {"package": self.package, "version": self.version, "from": self.from_code, "to": self.to_code}


def installed_models(packages_dir: str | Path | None = None) -> list[InstalledModel]:
    from argostranslate import package

    found = package.get_installed_packages([Path(packages_dir)] if packages_dir else None)
    models = [
        InstalledModel(p.package_path.name, str(p.package_version), p.from_code, p.to_code, p.package_path)
        for p in found
        if p.type == "translate" and p.from_code and p.to_code
    ]
    return sorted(models, key=lambda m: (m.from_code, m.to_code, m.package))


def install_files(paths: list[Path]) -> list[str]:
    """Install `.argosmodel` files, or every such file inside the given folders."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.argosmodel")) if path.is_dir() else [path])
    if not files:
        raise SystemExit(f"no .argosmodel files in {', '.join(map(str, paths))}")
    for file in files:
        _install(file)
    return [f.name for f in files]


def _install(file: Path) -> None:
    """argostranslate's own install_from_path, tolerating the lean install.

    After extracting the package, install_from_path imports
    argostranslate.translate only to clear a cache; that module imports
    stanza (and so PyTorch), which this project deliberately does not install.
    The extraction has happened by then, so that one ImportError is harmless.
    """
    from argostranslate import package

    try:
        package.install_from_path(file)
    except ModuleNotFoundError as missing:
        if missing.name not in ("stanza", "torch", "minisbd", "spacy"):
            raise


def index_reachable(timeout: float = 5.0) -> bool:
    """Whether the Argos package index answers; argostranslate itself retries for minutes offline."""
    import urllib.request

    from argostranslate import settings

    try:
        urllib.request.urlopen(settings.remote_package_index, timeout=timeout).close()
        return True
    except OSError:
        return False


def install_pair(from_code: str, to_code: str) -> str:
    """Download and install the package for a pair from the Argos index (online only)."""
    from argostranslate import package

    if not index_reachable():
        raise SystemExit("the Argos package index cannot be reached (offline?); install .argosmodel files instead")
    package.update_package_index()
    for available in package.get_available_packages():
        if available.from_code == from_code and available.to_code == to_code:
            _install(available.download())
            return f"{available.from_code}->{available.to_code} {available.package_version}"
    raise SystemExit(f"the Argos index has no package for {from_code}->{to_code}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m translation.argos_packages", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list installed translation packages")
    commands.add_parser("index-reachable", help="exit 0 if the Argos package index can be reached")
    from_files = commands.add_parser("install-file", help="install .argosmodel files or folders of them")
    from_files.add_argument("paths", nargs="+", type=Path)
    from_index = commands.add_parser("install-pair", help="download a pair from the Argos index")
    from_index.add_argument("from_code")
    from_index.add_argument("to_code")
    args = parser.parse_args(argv)

    if args.command == "index-reachable":
        return 0 if index_reachable() else 1
    if args.command == "install-file":
        for name in install_files(args.paths):
            print(f"installed {name}")
    elif args.command == "install-pair":
        print(f"installed {install_pair(args.from_code, args.to_code)}")
    models = installed_models()
    print(f"{len(models)} translation package(s) installed:")
    for m in models:
        print(f"  {m.from_code} -> {m.to_code}  {m.package} (version {m.version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
