#!/usr/bin/env bash
# Start or stop the project's own Redis server on loopback, with a password,
# a memory limit and append-only persistence (glossary edits survive a
# restart). Data lives in var/redis-$REDIS_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
dir="$PWD/var/redis-$REDIS_PORT"
# redis-cli reads the password from the environment, not from its arguments.
export REDISCLI_AUTH="$REDIS_PASSWORD"
case "${1:-}" in
  start)
    mkdir -p "$dir"
    if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
      echo "redis already answering on 127.0.0.1:$REDIS_PORT"; exit 0
    fi
    # The project's settings plus what is per checkout; written with mode 600
    # because it holds the password (`ps` would show it on a command line).
    (umask 077 && cat > "$dir/redis.conf" <<CONF
include $PWD/scripts/redis.conf
port $REDIS_PORT
dir $dir
pidfile $dir/redis.pid
logfile $dir/redis.log
daemonize yes
requirepass $REDIS_PASSWORD
maxmemory $REDIS_MAXMEMORY
CONF
    )
    redis-server "$dir/redis.conf"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$REDIS_PORT" ping >/dev/null
    echo "redis started on 127.0.0.1:$REDIS_PORT (password in var/secrets/redis-password, data in $dir)"
    ;;
  stop)
    redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    echo "redis on port $REDIS_PORT stopped"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
