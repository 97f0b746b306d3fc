# One image for the API, the workers and the front (Debian's nginx).
FROM python:3.11-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends nginx-light \
    && rm -rf /var/lib/apt/lists/*
# MALLOC_ARENA_MAX: see scripts/env.sh.
ENV PYTHONUNBUFFERED=1 ARGOS_PACKAGES_DIR=/models PROMETHEUS_MULTIPROC_DIR=/tmp/metrics MALLOC_ARENA_MAX=2
COPY requirements.txt .
# requirements.txt pins every transitive dependency; --no-deps keeps
# argostranslate from pulling stanza and a multi-GB PyTorch.
RUN pip install --no-cache-dir --no-deps -r requirements.txt
COPY pyproject.toml config.py conventions.py gunicorn.conf.py ./
# The runtime packages, one line each (COPY of several folders would merge their
# contents): pyproject.toml's `include` list, which tests/test_image.py compares.
COPY access ./access
COPY checks ./checks
COPY compat ./compat
COPY editorial ./editorial
COPY glossary ./glossary
COPY jobs ./jobs
COPY launcher ./launcher
COPY newsroom_cli ./newsroom_cli
COPY service ./service
COPY telemetry ./telemetry
COPY translation ./translation
COPY workers ./workers
COPY scripts ./scripts
# The project's own packages (dev tooling such as devtools/ stays out of the image).
RUN pip install --no-cache-dir --no-deps .
# An unprivileged user; the models folder (a volume) and the metrics folder
# are the only places it writes to.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin newsroom \
    && mkdir -p /models /tmp/metrics && chown newsroom:newsroom /models /tmp/metrics
USER 10001:10001
