#!/usr/bin/env bash
# The OpenTelemetry Go SDK's cost of starting and ending a span, beside spanview's SDK, in one
# run (docs/benchmarks.md, "The tracing SDK"). Needs Debian's golang-go and
# golang-opentelemetry-otel-dev (GOPATH mode, no network): apt-get install golang-go golang-opentelemetry-otel-dev
set -euo pipefail
cd "$(dirname "$0")/.."
spans=${1:-1000000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd scripts/go-startend/src/startend && GO111MODULE=off GOPATH="$PWD/../..:/usr/share/gocode" go build -o "$out/startend" .)
swift build -c release --product spanview-bench >&2
for round in 1 2; do
    echo "round $round"
    .build/release/spanview-bench tracing --spans "$spans" --threads 1
    .build/release/spanview-bench tracing --spans "$spans" --threads 2
    .build/release/spanview-bench tracing --spans "$spans" --sampled-out
    "$out/startend" "$spans"
done
