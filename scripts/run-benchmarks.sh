#!/usr/bin/env bash
# Runs the benchmarks behind docs/benchmarks.md: builds in release, generates the inputs once
# (in /tmp), then runs each measurement several times and prints every run. This machine is
# a shared VM whose speed drifts by up to 2x over minutes, so report the best and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
swift build -c release --product spanview-bench >/dev/null
bench=.build/release/spanview-bench
[ -f /tmp/spanview-100k.jsonl ] || $bench parse --spans 100000 --keep /tmp/spanview-100k.jsonl | head -1
[ -f /tmp/spanview-100k-pretty.json ] || $bench parse --spans 100000 --pretty --keep /tmp/spanview-100k-pretty.json | head -1
[ -f /tmp/spanview-1m.jsonl ] || $bench parse --spans 1000000 --keep /tmp/spanview-1m.jsonl | head -1

for threads in 1 2; do
    for input in /tmp/spanview-100k.jsonl /tmp/spanview-100k-pretty.json /tmp/spanview-1m.jsonl; do
        echo "== parse $input on $threads thread(s) ($runs runs)"
        for i in $(seq 1 "$runs"); do $bench parse --input "$input" --threads "$threads"; echo; done
    done
done
echo "== parse /tmp/spanview-100k.jsonl through read(2), as from a pipe"
$bench parse --input /tmp/spanview-100k.jsonl --use-read
echo
echo "== frames: three traces of 100,000 spans each"
$bench frames --spans 300000 --trace-size 100000
echo
echo "== frames: the 1,000,000-span file"
$bench frames --input /tmp/spanview-1m.jsonl
echo
echo "== live: 300,000 spans through a pipe, as fast as it takes them, then at 300,000 spans/s"
[ -f /tmp/spanview-300k.jsonl ] || $bench parse --spans 300000 --keep /tmp/spanview-300k.jsonl | head -1
# Interleaved with the earlier design (each chunk split between two threads, both waited
# for), so both see the same minutes of this VM.
for i in $(seq 1 "$runs"); do
    $bench live --input /tmp/spanview-300k.jsonl; echo
    echo "-- the earlier split-chunk design:"
    $bench live --input /tmp/spanview-300k.jsonl --split-chunks; echo
done
for rate in 300000 400000; do
    for i in $(seq 1 "$runs"); do $bench live --input /tmp/spanview-300k.jsonl --rate "$rate"; echo; done
done
echo "== live: a slow, steady writer, span by span (2,000 spans/s): latency"
$bench live --spans 5000 --rate 2000 --write-bytes 1
echo "== query: span search over a 50,000-span trace, filters over a 1,000,000-span store"
for i in $(seq 1 "$runs"); do $bench query; echo; done
