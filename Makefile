# Quick start: `make demo` runs the main job end to end, `make test` runs the tests.
SHELL := /bin/bash
VENV := .venv/bin

.PHONY: setup demo test test-fast lint docs up down bench bench-peers quality chaos chaos-ha models clean

# `make up HA=1`: Redis with a replica and three sentinels (docs/ha.md).
HA ?= 0
export HA

setup:
	scripts/setup.sh

# The stack's processes are started and stopped by one launcher (launcher/):
# Redis, gunicorn behind the nginx front, the two Celery workers.
LAUNCH := . scripts/env.sh && $(VENV)/python -m launcher

demo: setup
	@trap '$(LAUNCH) down' EXIT; . scripts/env.sh && scripts/models.sh && $(LAUNCH) up && $(VENV)/python scripts/demo.py

# Tests write bytecode even where the environment says not to
# (PYTHONDONTWRITEBYTECODE): compiling every module and rewriting every test's
# asserts again on each run costs seconds, in each worker process too.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(VENV)/python -m pytest

test: setup lint
	. scripts/env.sh && $(PYTEST) $(PYTEST_ARGS)

# Unit and API tests on a real Redis, no worker processes: under a minute.
# Schemathesis is all `slow`; collecting it would still build its generated tests.
# On every core (pytest-xdist): each worker process has its own Redis (the
# session fixture), so the modules' databases never meet.
test-fast: setup lint
	. scripts/env.sh && $(PYTEST) -n auto -m "not e2e and not slow" --ignore=tests/test_schemathesis.py $(PYTEST_ARGS)

# Static checks, part of both test targets (settings in pyproject.toml): ruff's
# lint rules and its formatter's check (`ruff format .` fixes what it reports),
# mypy (strict on config, conventions, access, telemetry).
lint: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy

# docs/configuration.md's table, generated from config.py's declarations.
docs: setup
	$(VENV)/python config.py --write

up: setup
	. scripts/env.sh && scripts/models.sh && $(LAUNCH) up

down:
	$(LAUNCH) down

models: setup
	scripts/models.sh

bench: setup
	. scripts/env.sh && $(VENV)/python -m benchmarks $(BENCH_ARGS) && $(VENV)/python -m benchmarks.short $(SHORT_BENCH_ARGS) \
		&& $(VENV)/python -m benchmarks.editorial $(EDITORIAL_BENCH_ARGS) && $(VENV)/python -m benchmarks.scale $(SCALE_BENCH_ARGS)

# This service and LibreTranslate 1.9.6 side by side (not a test): LibreTranslate
# from PyPI into var/peers/venv (benchmarks/peers/setup.sh), served offline on
# 127.0.0.1; tokens/s and peak RSS with 1 and 10 language pairs.
bench-peers: setup
	. scripts/env.sh && $(VENV)/python -m benchmarks.peers $(PEERS_BENCH_ARGS)

# The real en->pt model through the pipeline, measured (a few minutes); see quality/.
# Then the segment checks (checks/) on NTREX-128's development half: false positives, recall, the model's flags.
quality: setup
	. scripts/env.sh && $(VENV)/python -m quality $(QUALITY_ARGS)
	. scripts/env.sh && $(VENV)/python -m quality.checks_eval $(CHECKS_EVAL_ARGS)

# The fault suite (a few minutes): kills workers and Redis under load, prints the table.
chaos: setup
	. scripts/env.sh && $(VENV)/python -m devtools.chaos $(CHAOS_ARGS)

# Failover under load (a few minutes): the primary SIGKILLed, a worker host lost,
# the primary cut off from the network; on test hosts in network namespaces (docs/ha.md).
chaos-ha: setup
	. scripts/env.sh && $(VENV)/python -m devtools.chaos_ha $(CHAOS_HA_ARGS)

clean: down
	rm -rf var
