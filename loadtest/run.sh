#!/usr/bin/env bash
# The load test behind `make loadtest`: production settings under gunicorn on
# loopback, the shipped fixtures in a scratch SQLite database, 50 readers
# browsing every kind of page for 60 s. Prints throughput, errors and
# p50/p95/p99 per page type; exits non-zero if any request failed.
#
# Knobs (environment): LOADTEST_USERS (50), LOADTEST_SECONDS (60),
# LOADTEST_WAIT ("0-0": seconds of think time between a reader's requests),
# LOADTEST_WORKERS (2 x cores + 1), LOADTEST_PORT (a free one), LOADTEST_CACHE_URL
# (a file cache in the scratch directory).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
USERS=${LOADTEST_USERS:-50}
SECONDS_TO_RUN=${LOADTEST_SECONDS:-60}
# Readers arrive over the first 5 s rather than in one burst.
SPAWN_RATE=$(( USERS / 5 > 0 ? USERS / 5 : 1 ))
WORKERS=${LOADTEST_WORKERS:-$(( $(nproc) * 2 + 1 ))}
PORT=${LOADTEST_PORT:-$($BIN/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
SCRATCH=$(mktemp -d /tmp/kb-loadtest.XXXXXX)
REPORTS=test-artifacts/loadtest
mkdir -p "$REPORTS"

# Production settings. TLS is the proxy's job: HTTPS=true keeps the secure
# cookies, HSTS and the redirect on, and the requests carry the
# X-Forwarded-Proto: https that a proxy would add (BEHIND_PROXY=true trusts it).
# loadtest/settings.py is kb.settings with static files collected into $SCRATCH.
export DJANGO_SETTINGS_MODULE=loadtest.settings LOADTEST_STATIC_ROOT="$SCRATCH/static"
export DEBUG=false HTTPS=true BEHIND_PROXY=true
export SECRET_KEY=$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(64))')
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="sqlite:///$SCRATCH/kb.sqlite3"
export LOG_LEVEL=ERROR
# The page cache lives with the rest of the scratch data, unless LOADTEST_CACHE_URL
# names another (e.g. redis://127.0.0.1:6379/3).
export CACHE_URL=${LOADTEST_CACHE_URL:-file://$SCRATCH/cache}

SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$SCRATCH"
}
trap cleanup EXIT

echo "== scratch database $SCRATCH/kb.sqlite3: migrate, load fixtures, collect static files"
$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py load_kb
$BIN/python manage.py collectstatic --noinput -v0
PYTHONPATH=. $BIN/python loadtest/targets.py > "$SCRATCH/targets.json"

echo "== gunicorn on 127.0.0.1:$PORT, $WORKERS workers"
$BIN/gunicorn kb.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" --log-level warning \
    --error-logfile "$REPORTS/gunicorn.log" &
SERVER_PID=$!
for _ in $(seq 50); do
    curl -sf -o /dev/null -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/" && break
    sleep 0.2
done
curl -sf -o /dev/null -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/" \
    || { echo "gunicorn did not answer; see $REPORTS/gunicorn.log"; exit 1; }

echo "== locust: $USERS users for ${SECONDS_TO_RUN}s, think time ${LOADTEST_WAIT:-0-0}s"
# --run-time bounds the run; timeout bounds it again should locust hang.
set +e
LOADTEST_TARGETS="$SCRATCH/targets.json" timeout $(( SECONDS_TO_RUN + 60 )) \
    $BIN/locust -f loadtest/locustfile.py --headless --only-summary \
    --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "${SECONDS_TO_RUN}s" --stop-timeout 5 \
    --host "http://127.0.0.1:$PORT" --csv "$REPORTS/locust" --loglevel WARNING > "$REPORTS/locust.log" 2>&1
LOCUST_STATUS=$?
set -e

echo
REPORT_STATUS=0
$BIN/python loadtest/report.py "$REPORTS/locust" || REPORT_STATUS=$?
echo "(CSV and logs in $REPORTS/)"
if [ "$LOCUST_STATUS" -ne 0 ] && [ "$LOCUST_STATUS" -ne 1 ]; then
    echo "locust stopped abnormally (exit $LOCUST_STATUS); see $REPORTS/locust.log"
    exit "$LOCUST_STATUS"
fi
exit "$REPORT_STATUS"
