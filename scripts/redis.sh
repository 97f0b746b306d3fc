#!/usr/bin/env bash
# Start or stop the project's own Redis server on loopback, with append-only
# persistence (glossary edits survive a restart). Data lives in var/redis.
set -euo pipefail
cd "$(dirname "$0")/.."
REDIS_PORT=${REDIS_PORT:-6399}
dir="$PWD/var/redis-$REDIS_PORT"
case "${1:-}" in
  start)
    mkdir -p "$dir"
    if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
      echo "redis already answering on 127.0.0.1:$REDIS_PORT"; exit 0
    fi
    redis-server "$PWD/scripts/redis.conf" --port "$REDIS_PORT" --dir "$dir" \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --daemonize yes
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$REDIS_PORT" ping >/dev/null
    echo "redis started on 127.0.0.1:$REDIS_PORT (data in $dir)"
    ;;
  stop)
    redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    echo "redis on port $REDIS_PORT stopped"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
