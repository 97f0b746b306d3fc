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
