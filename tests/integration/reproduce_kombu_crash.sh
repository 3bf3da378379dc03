#!/bin/bash
# Try to reproduce kombu's "Unrecoverable error: AttributeError('NoneType' object has no attribute 'hostname')"
# (issue 14, item 11; kombu #582, #659, celery #9250): three unsupervised workers (routing+default, sweeps,
# dept.health) and beat against a throwaway Redis, one process publishing a routing task every 20 ms (each for an
# application that does not exist: the task returns at once), and the Redis stopped for 3 s and started empty,
# ROUNDS times. Prints, after each restart, how many worker processes are alive and which logged the crash.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/<an existing, migrated database> tests/integration/reproduce_kombu_crash.sh
#
# Seen on 2026-12-06 (kombu 5.7.0, celery 5.7.0, redis-py as pinned, a loaded 2-core machine): in two runs of three
# (6 restarts each) the routing+default worker logged the error (once at the first restart, its process then gone),
# in kombu/transport/redis.py _connparams, reached from Channel.close -> restore_unacked while Redis was down.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${ROUNDS:-6}
PORT=${PORT:-6414}
DIR=$(mktemp -d)
cd "$ROOT"
redis() { redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --pidfile "$DIR/redis.pid"; }
redis
sleep 1
export DJANGO_SETTINGS_MODULE=portal.settings.base DJANGO_DEBUG=false CACHE_URL=locmemcache:// \
  DJANGO_SECRET_KEY=kombu-crash-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789 DJANGO_ALLOWED_HOSTS=localhost \
  CELERY_BROKER_URL=redis://127.0.0.1:$PORT/0 SMS_BACKEND=http SMS_GATEWAY_URL=http://127.0.0.1:9/sms
pids=()
for queues in routing,default sweeps dept.health; do
  .venv/bin/celery -A portal worker -Q "$queues" -n "crash-$queues@%h" --concurrency 1 --without-mingle \
    --without-gossip -l info > "$DIR/worker-$queues.log" 2>&1 &
  pids+=($!)
done
.venv/bin/celery -A portal beat -l warning -s "$DIR/beat-schedule" > "$DIR/beat.log" 2>&1 &
others=($!)
PYTHONPATH=. .venv/bin/python - > "$DIR/publisher.log" 2>&1 <<'PY' &
import time, django
django.setup()
from services.common.tasks import publish
from services.routing.tasks import route_application
end, n = time.monotonic() + 300, 0
while time.monotonic() < end:
    n += publish(route_application, (10**9 + n,))
    time.sleep(0.02)
PY
others+=($!)
sleep 25
for i in $(seq "$ROUNDS"); do
  kill "$(cat "$DIR/redis.pid")"; sleep 3; redis; sleep 8
  alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive+1)); done
  crashed=$(grep -l "Unrecoverable error" "$DIR"/worker-*.log 2>/dev/null | xargs -r -n1 basename | tr '\n' ' ')
  echo "restart $i: $alive of ${#pids[@]} worker processes alive; logged the crash: ${crashed:-none}"
done
kill "${pids[@]}" "${others[@]}" 2>/dev/null
sleep 3
kill "$(cat "$DIR/redis.pid")"
echo "logs in $DIR"
