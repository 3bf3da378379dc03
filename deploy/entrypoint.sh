#!/bin/sh
# The image's entry point: `web`, `worker` (the queues in CELERY_QUEUES), `beat`, `manage <command>` (migrate and
# every other management command), or any other command as it is.
set -eu
cd /app
# The gunicorn workers' metrics files (/metrics sums them): a restarted container starts them afresh.
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi
command=${1:-web}
if [ "$#" -gt 0 ]; then shift; fi
case "$command" in
  web)
    # WEB_CONCURRENCY (gunicorn reads it): worker processes; the heartbeat files go to /tmp.
    exec gunicorn portal.wsgi --bind "0.0.0.0:${PORT:-8000}" --worker-tmp-dir /tmp --access-logfile - "$@" ;;
  worker)
    exec celery -A portal worker -Q "${CELERY_QUEUES:?name the queues, e.g. CELERY_QUEUES=routing,default}" \
      -n "${CELERY_WORKER_NAME:-worker}@%h" --concurrency "${CELERY_CONCURRENCY:-1}" -l info "$@" ;;
  beat)
    exec celery -A portal beat --schedule /tmp/celerybeat-schedule -l info "$@" ;;
  manage)
    exec python manage.py "$@" ;;
  *)
    exec "$command" "$@" ;;
esac
