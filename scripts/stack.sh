#!/usr/bin/env bash
# Run the whole stack in the background on loopback: Redis, the API under
# gunicorn, one Celery worker (kept running by scripts/supervise.sh: a worker
# that dies or gives up is started again). `stack.sh up` / `stack.sh down`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
run=var/run

up() {
  scripts/redis.sh start
  scripts/models.sh
  # The local admin key: var/admin.key (mode 600), kept while Redis still knows it, else made anew.
  local key; key=$(.venv/bin/flask --app service keys dev-key var/admin.key)
  # API and worker share one metrics folder, so /metrics shows both; each start begins it afresh.
  export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$PWD/var/metrics}
  rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
  # Logs are JSON lines: the API's (one access line per request) in var/log/api.log.
  .venv/bin/gunicorn 'service:create_app()' --bind "127.0.0.1:$API_PORT" \
    --daemon --pid "$run/api.pid" --error-logfile var/log/api.log
  # The article worker, and the short requests' worker (DeepL /v2/translate,
  # LibreTranslate /translate, detection: their own queue and process).
  supervised worker .venv/bin/celery -A workers.worker worker --loglevel INFO \
    --concurrency "${WORKER_CONCURRENCY:-1}" --hostname "worker-$API_PORT@%h" --logfile "$PWD/var/log/worker.log"
  supervised interactive .venv/bin/celery -A workers.interactive worker --loglevel INFO \
    --hostname "interactive-$API_PORT@%h" --logfile "$PWD/var/log/interactive.log"
  for _ in $(seq 240); do
    curl -fs "http://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fs "http://127.0.0.1:$API_PORT/readyz" >/dev/null || { echo "stack did not become ready; see var/log/" >&2; exit 1; }
  echo "API on http://127.0.0.1:$API_PORT (docs: /docs; metrics: /metrics with the bearer token in var/secrets/metrics-token), workers and Redis running. Stop with 'make down'."
  echo "Admin API key (in var/admin.key): $key"
  echo "Web console: http://127.0.0.1:$API_PORT/console/ (sign in with that key)"
  echo "  curl -H \"Authorization: Bearer \$(cat var/admin.key)\" http://127.0.0.1:$API_PORT/v1/languages"
}

# supervised NAME COMMAND...: run COMMAND under scripts/supervise.sh, which
# starts it again whenever it exits; var/run/NAME.pid is the process itself.
supervised() {
  local name=$1; shift
  nohup scripts/supervise.sh --pidfile "$run/$name.pid" -- "$@" >>var/log/supervise.log 2>&1 &
  echo $! > "$run/$name-supervisor.pid"
}

# The supervisor passes SIGTERM on to the process (a warm shutdown) and exits
# when it has stopped; a process still running after that is killed.
stop_supervised() {
  local name=$1 pid; pid=$(cat "$run/$name.pid" 2>/dev/null || true)
  stop_pidfile "$run/$name-supervisor.pid"
  [ -n "$pid" ] && kill -9 -- "-$pid" 2>/dev/null || true
  rm -f "$run/$name.pid"
}

stop_pidfile() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid; pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$file"
}

down() {
  stop_pidfile "$run/api.pid"
  stop_supervised worker
  stop_supervised interactive
  scripts/redis.sh stop
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
