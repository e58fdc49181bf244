#!/usr/bin/env bash
# `make run`'s last step: one task-queue worker in the background, the web server (with its
# embedded scheduler) in the foreground; when the server stops, the worker is stopped too.
#
#   PORT=5001 scripts/serve.sh        # default 5000; .venv must be installed (make install)
#
# The worker uses the app's own settings: with no CELERY_BROKER_URL/REDIS_URL, the queue is
# a folder (instance/tasks), so nothing else needs to run. Ctrl-C, or SIGTERM to this script
# (or to `make`, which passes it on), stops both; nothing is left running.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN="${BIN:-.venv/bin}"
PORT="${PORT:-5000}"
WORKER_CONCURRENCY="${WORKER_CONCURRENCY:-2}"
STOP_SECONDS="${STOP_SECONDS:-30}"  # how long a running job may take to finish on stop
export FLASK_APP="${FLASK_APP:-wsgi}"

worker_pid=""
server_pid=""

stop() {
  trap - EXIT INT TERM
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if [ -n "$worker_pid" ]; then
    # Warm shutdown: the worker takes no new message and ends the job it runs; if it hasn't
    # within STOP_SECONDS, its whole process group (the pool's children too) is killed.
    kill -TERM "$worker_pid" 2>/dev/null
    (
      trap 'kill "$nap" 2>/dev/null; exit 0' TERM
      sleep "$STOP_SECONDS" &
      nap=$!
      wait "$nap" && kill -KILL -- "-$worker_pid"
    ) 2>/dev/null &
    watchdog=$!
    wait "$worker_pid" 2>/dev/null
    kill "$watchdog" 2>/dev/null
    kill -KILL -- "-$worker_pid" 2>/dev/null  # anything of its group still there
    echo "worker stopped"
  fi
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# In a session (and so a process group) of its own, so it can be stopped as a whole.
setsid "$BIN/celery" -A app.tasks.worker worker --queues heavy,mail,default \
  --concurrency "$WORKER_CONCURRENCY" --loglevel INFO &
worker_pid=$!

# In the background too, so a signal reaches this script's traps at once (bash runs a trap
# only after the foreground command ends); `wait` returns when the server ends or a signal comes.
"$BIN/flask" run --host 127.0.0.1 --port "$PORT" &
server_pid=$!
wait "$server_pid"
status=$?
server_pid=""
exit "$status"
