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
from translation.engines import Engine, ModelInfo, list_models, routes
from service.interactive import InteractiveClient


@dataclass
class ModelCatalog:
    """What the configured engines can translate, as the API sees it: the same
    engines the workers build (listed, never loaded), re-read every few seconds
    so a newly installed Argos package shows up without restarting the API."""

    engines: list[Engine]
    pivot: str
    max_age: float = 10.0
    _models: list[ModelInfo] = field(default_factory=list)
    _read_at: float = float("-inf")

    def models(self) -> list[ModelInfo]:
        if time.monotonic() - self._read_at > self.max_age:
            self._models = list_models(self.engines)
            self._read_at = time.monotonic()
        return self._models

    def routes(self) -> dict[tuple[str, str], list[ModelInfo]]:
        return routes(self.models(), self.pivot)


@dataclass
class Services:
    settings: Settings
    redis: redis.Redis
    jobs: JobStore
    glossaries: GlossaryStore
    celery: Celery
    catalog: ModelCatalog
    interactive: InteractiveClient


def services() -> Services:
    return current_app.extensions["newsroom"]
