#!/usr/bin/env bash
# Regenerates spanview's sample traces with the real OpenTelemetry Go SDK.
#
# Needs Debian's Go toolchain and packaged OpenTelemetry Go sources:
#   apt-get install golang-go golang-opentelemetry-otel-dev
# Builds offline in GOPATH mode (GO111MODULE=off) against
# /usr/share/gocode/src, so no module proxy or network access is needed.
#
# Usage: bash samples/generate.sh [sample-file-name ...]
#   With no arguments every sample is rewritten; with names, only those.
# After writing, the span/trace/error/non-span-line counts are checked
# against samples/expected-counts.json (needs python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
gocode=/usr/share/gocode

if ! command -v go >/dev/null 2>&1; then
  echo "generate.sh: 'go' not found; apt-get install golang-go golang-opentelemetry-otel-dev" >&2
  exit 1
fi
if [ ! -d "$gocode/src/go.opentelemetry.io/otel/sdk/trace" ]; then
  echo "generate.sh: $gocode/src/go.opentelemetry.io/otel missing; apt-get install golang-opentelemetry-otel-dev" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A private GOPATH entry holding the generator, so that file names in
# recorded stack traces read "spanview/samples/generator/..." instead of the
# absolute path of this checkout.
pkg="$work/gopath/src/spanview/samples/generator"
mkdir -p "$pkg"
cp "$here"/generator/*.go "$pkg/"

export GO111MODULE=off
export GOPATH="$work/gopath:$gocode"
export GOFLAGS=
# Go needs a build cache; use the default one, or a throw-away one when
# there is no HOME/XDG_CACHE_HOME to put it in (as in some CI sandboxes).
if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ] && [ -z "${XDG_CACHE_HOME:-}" ]; then
  export GOCACHE="$work/gocache"
fi
export CGO_ENABLED=0

(cd "$pkg" && go vet . && go build -trimpath -o "$work/generator" .)

only=""
if [ "$#" -gt 0 ]; then
  only="$(IFS=,; echo "$*")"
fi
"$work/generator" -out "$here" -only "$only"

if [ "$#" -eq 0 ] && command -v python3 >/dev/null 2>&1; then
  python3 "$here/count_spans.py" --check "$here"
fi
