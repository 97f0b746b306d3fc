"""The service's HTTP API, as the CLI uses it (httpx; nothing of the server imported)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Sequence
from typing import Any

import httpx

# Formats whose body is the file in base64 (the others are UTF-8 text).
BINARY_FORMATS = {"docx", "odt", "pptx"}
EXTENSIONS = (".txt", ".html", ".htm", ".md", ".markdown", ".docx", ".odt", ".pptx", ".srt", ".vtt")


class Unreachable(Exception):
    """The server could not be reached, or did not answer in time."""


@dataclass
class ApiError(Exception):
    """An answer of 400 or more: its status and problem document."""

    status: int
    problem: dict

    def __str__(self) -> str:
        problem = self.problem
        errors = "; ".join(
            f"{e.get('field') or ''}: {e.get('message') or e.get('reason')}".lstrip(": ")
            for e in problem.get("errors") or []
        )
        detail = problem.get("detail") or problem.get("title") or ""
        return f"{self.status} {problem.get('title') or ''}: {errors or detail}".strip()


class Api:
    def __init__(self, url: str, key: str | None, timeout: float = 60.0, transport=None):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.Client(base_url=url, headers=headers, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Api":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise Unreachable(f"{self._client.base_url}: {error}") from error
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"title": response.reason_phrase, "detail": response.text[:200]}
            raise ApiError(response.status_code, problem if isinstance(problem, dict) else {"detail": str(problem)})
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.request(method, path, **kwargs).json()

    # -- jobs -------------------------------------------------------------------------

    def upload(
        self,
        path: Path,
        targets: list[str],
        source: str | None = None,
        glossary_ids: Sequence[str] = (),
        title: str = "",
    ) -> dict:
        form = {"target_langs": ",".join(targets), "title": title}
        if source:
            form["source_lang"] = source
        if glossary_ids:
            form["glossary_ids"] = ",".join(glossary_ids)
        with path.open("rb") as handle:
            return self.json("POST", "/v1/jobs/upload", data=form, files={"file": (path.name, handle)})

    def job(self, job_id: str) -> dict:
        return self.json("GET", f"/v1/jobs/{job_id}")

    def jobs(self, limit: int = 20) -> dict:
        return self.json("GET", "/v1/jobs", params={"limit": limit})

    def cancel(self, job_id: str) -> dict:
        return self.json("DELETE", f"/v1/jobs/{job_id}")

    def translated_file(self, job_id: str, lang: str) -> tuple[bytes, dict]:
        """A translation as the bytes of its file, and its JSON representation's other fields."""
        translation = self.json("GET", f"/v1/jobs/{job_id}/translations/{lang}", headers={"Accept": "application/json"})
        body = translation.pop("body")
        data = base64.b64decode(body) if translation.get("format") in BINARY_FORMATS else body.encode("utf-8")
        return data, translation

    # -- glossaries -------------------------------------------------------------------

    def glossaries(self) -> list[dict]:
        return self.json("GET", "/v1/glossaries", params={"limit": 500})["items"]

    def find_glossary(self, name_or_id: str) -> dict | None:
        """A glossary by id, else by its name; None if neither."""
        every = self.glossaries()
        for glossary in every:
            if glossary["id"] == name_or_id:
                return glossary
        matches = [g for g in every if g["name"] == name_or_id]
        return matches[0] if len(matches) == 1 else None

    def create_glossary(self, name: str, source_lang: str, description: str = "") -> dict:
        return self.json(
            "POST", "/v1/glossaries", json={"name": name, "source_lang": source_lang, "description": description}
        )

    def import_glossary(
        self, glossary_id: str, content: bytes, fmt: str, target_lang: str | None = None, replace: bool = False
    ) -> dict:
        current = self.request("GET", f"/v1/glossaries/{glossary_id}")
        params = {"format": fmt, "mode": "replace" if replace else "append"}
        if target_lang:
            params["target_lang"] = target_lang
        return self.json(
            "POST",
            f"/v1/glossaries/{glossary_id}/import",
            params=params,
            content=content,
            headers={"If-Match": current.headers["ETag"], "Content-Type": "application/octet-stream"},
        )

    def export_glossary(self, glossary_id: str, fmt: str, target_lang: str | None = None) -> bytes:
        params = {"format": fmt}
        if target_lang:
            params["target_lang"] = target_lang
        return self.request("GET", f"/v1/glossaries/{glossary_id}/export", params=params).content
