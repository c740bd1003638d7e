#!/usr/bin/env bash
# Run the conformance kit against Kiban's own apps on a live server (the demo municipality and its client).
# Uses DATABASE_URL if set (CI: PostgreSQL). Reports land in var/conformance/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${KIBAN_CONFORMANCE_PORT:-8765}
mkdir -p var/conformance
$BIN/kiban demo --no-serve > var/conformance/demo.log
KIBAN_INSECURE_COOKIES=1 $BIN/kiban runserver "127.0.0.1:$PORT" --noreload > var/conformance/server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/v1/openapi.json" && break
  sleep 0.2
done
$BIN/kiban conformance --base-url "http://127.0.0.1:$PORT" --tenant 131016 \
  --client-id demo-child-allowance-vendor --client-secret demo-client-secret-not-for-production \
  --junit var/conformance/junit.xml --html var/conformance/report.html
