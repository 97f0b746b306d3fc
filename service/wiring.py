"""The objects the views share, built once by the app factory and reached
through `services()` (Flask's own `current_app.extensions` registry)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import redis
from celery import Celery
from flask import current_app

from config import Settings
from glossary.store import GlossaryStore
from jobs.store import JobStore
from translation.argos_packages import InstalledModel, installed_models, routes


@dataclass
class ModelCatalog:
    """Installed Argos packages as the API sees them (the folder shared with the
    workers), re-read every few seconds so a newly installed model shows up
    without restarting the API."""

    packages_dir: str
    pivot: str
    max_age: float = 10.0
    _models: list[InstalledModel] = field(default_factory=list)
    _read_at: float = float("-inf")

    def models(self) -> list[InstalledModel]:
        if time.monotonic() - self._read_at > self.max_age:
            self._models = installed_models(self.packages_dir or None)
            self._read_at = time.monotonic()
        return self._models

    def routes(self) -> dict[tuple[str, str], list[InstalledModel]]:
        return routes(self.models(), self.pivot)


@dataclass
class Services:
    settings: Settings
    redis: redis.Redis
    jobs: JobStore
    glossaries: GlossaryStore
    celery: Celery
    catalog: ModelCatalog


def services() -> Services:
    return current_app.extensions["newsroom"]
