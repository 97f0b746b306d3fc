"""gunicorn settings for the API, read by every way of starting it (scripts,
docker-compose, the benchmark): gunicorn loads ./gunicorn.conf.py itself.

Threaded workers keep client connections alive and let a status poll run
while another thread of the same process waits on Redis; requests are short
and spend most of their time in Redis, so threads, not processes, add capacity.
"""

import os

workers = int(os.environ.get("API_WORKERS", "2"))
threads = int(os.environ.get("API_THREADS", "8"))
worker_class = "gthread"
keepalive = 30  # seconds: polling clients reuse their connection
# The access log shows the path without the query string: LibreTranslate-style
# clients may send their API key as ?api_key=…, and keys never go into logs
# (no referrer either, for the same reason).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'
