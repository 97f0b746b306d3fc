#!/usr/bin/env bash
# Keep a process running: start it again whenever it exits (a crash, an OOM
# kill, SIGKILL, a worker giving up), until this script gets SIGTERM or
# SIGINT, which it passes on to the process and then exits.
#
#   scripts/supervise.sh [--pidfile FILE] -- COMMAND [ARG...]
#
# The process runs in its own process group (setsid), so killing that group
# (as a crash would) leaves the supervisor to restart it. --pidfile holds the
# current process's pid. SUPERVISE_DELAY (seconds, default 1) paces restarts.
set -uo pipefail
pidfile=""
if [ "${1:-}" = "--pidfile" ]; then pidfile=$2; shift 2; fi
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: $0 [--pidfile FILE] -- COMMAND [ARG...]" >&2; exit 2; }

child=0
stopping=0
stop() {
  stopping=1
  [ "$child" -gt 0 ] && kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT

while [ "$stopping" = 0 ]; do
  setsid "$@" &
  child=$!
  [ -n "$pidfile" ] && echo "$child" > "$pidfile"
  wait "$child"
  code=$?
  # A trapped signal interrupts `wait`: wait again until the process has really ended.
  while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done
  [ "$stopping" = 1 ] && break
  echo "supervise: '$1' exited with status $code; starting it again in ${SUPERVISE_DELAY:-1} s" >&2
  sleep "${SUPERVISE_DELAY:-1}" & wait $!
done
[ -n "$pidfile" ] && rm -f "$pidfile"
exit 0
