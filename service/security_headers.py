"""Headers every response carries, whatever produced it (views, problem
documents, 304s, the docs)."""

from __future__ import annotations

from flask import Flask, request

# A year, the usual floor for preload lists; subdomains are not ours to pin.
HSTS = "max-age=31536000"


def register(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        # Browsers must take the declared type at its word: a text/plain or
        # JSON body that looks like HTML is never sniffed into a page.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Job ids in URLs stay out of Referer headers sent to other sites (same-origin
        # ones keep it: Flask-WTF checks it on the console's forms over HTTPS).
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # Over HTTPS only: the scheme the client used, as gunicorn reports it from the
        # proxy's X-Forwarded-Proto (trusted from FORWARDED_ALLOW_IPS, loopback by default).
        # Sent over plain HTTP it would be ignored, and a development stack has no TLS.
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
