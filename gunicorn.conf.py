"""gunicorn settings for the API, read by every way of starting it (scripts,
docker-compose, the benchmark): gunicorn loads ./gunicorn.conf.py itself.

Threaded workers keep client connections alive and let a status poll run
while another thread of the same process waits on Redis; requests are short
and spend most of their time in Redis, so threads, not processes, add
capacity; two processes by default, one in the shared layout (config.py's
API_WORKERS says why).

Logs are JSON lines on stderr (the app writes one access line per request,
with its request id; gunicorn's own lines are JSON too); with
--error-logfile, stdout and stderr go to that file. Metrics: each worker
process writes its values under PROMETHEUS_MULTIPROC_DIR; `child_exit` tells
prometheus-client when one is gone.
"""

import os

from config import Settings
from telemetry import logs, metrics

_settings = Settings.from_env()  # a configuration error stops gunicorn before it forks

# API_WORKERS, API_THREADS: declared, with their reasons, in config.py.
workers = _settings.api_workers
threads = _settings.api_threads
worker_class = "gthread"
keepalive = 30  # seconds: polling clients reuse their connection
# The access log shows the path without the query string: LibreTranslate-style
# clients may send their API key as ?api_key=…, and keys never go into logs
# (no referrer either, for the same reason).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'

logconfig_dict = logs.dict_config(_settings.log_level, _settings.log_format)
capture_output = True


def on_starting(server):
    if _settings.metrics_multiproc_dir:
        os.makedirs(_settings.metrics_multiproc_dir, exist_ok=True)


def child_exit(server, worker):
    metrics.mark_process_dead(worker.pid)
