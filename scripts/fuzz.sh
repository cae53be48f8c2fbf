#!/usr/bin/env bash
# Builds one libFuzzer harness of Fuzz/ and runs it.
#
#   scripts/fuzz.sh TARGET [SECONDS] [libFuzzer options...]   e.g. scripts/fuzz.sh fuzz-go 60
#   scripts/fuzz.sh --list                                     the harnesses
#   scripts/fuzz.sh --build                                    build them all, run none
#
# The seed corpus is made from samples/ and, when present, ../shared/conformance/external/
# (each file, and each of its lines, as a seed), plus Fuzz/seeds/TARGET; what the fuzzer finds is kept in
# Fuzz/corpus/TARGET (not committed). A crash leaves its input in Fuzz/artifacts/ and exits
# non-zero: minimise it (-minimize_crash=1), fix the cause, and add it under
# Tests/SpanFormatsTests/FuzzRegressions/ (docs/fuzzing.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz="$root/Fuzz"
harnesses=(fuzz-go fuzz-otlp fuzz-jaeger fuzz-zipkin fuzz-python fuzz-split fuzz-pipe fuzz-source fuzz-packed fuzz-render fuzz-time-id fuzz-gzip fuzz-write fuzz-protobuf fuzz-query fuzz-response)

# Optimised code, as users run it, with libFuzzer's coverage (the -Xswiftc form instruments
# every module, the package's own included; SwiftPM's form links libFuzzer's main) and
# AddressSanitizer. Dead code is kept so that the coverage tables are. Asserts are off in
# optimised code, so the harnesses check their invariants themselves.
flags=(-c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address --disable-dead-strip)

build() {
    swift build --package-path "$fuzz" "${flags[@]}" "$@" 1>&2
}

case "${1:-}" in
    ""|-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    --list) printf '%s\n' "${harnesses[@]}"; exit 0 ;;
    --build) build; exit 0 ;;
esac
target="$1"; shift
seconds="${1:-60}"; [ $# -gt 0 ] && shift
printf '%s\n' "${harnesses[@]}" | grep -qx "$target" || { echo "unknown harness '$target' (--list)" >&2; exit 2; }

build --product "$target"
bin="$(swift build --package-path "$fuzz" "${flags[@]}" --show-bin-path)/$target"

# Seeds: whole sample files and their lines, per the formats a harness reads.
seeds="$fuzz/.build/seeds/$target"
rm -rf "$seeds"; mkdir -p "$seeds" "$fuzz/corpus/$target" "$fuzz/artifacts"
case "$target" in
    fuzz-time-id) printf '%s' "2024-05-01T12:00:00.123456789Z" > "$seeds/t1"; printf '%s' "2024-05-01T12:00:00+02:00" > "$seeds/t2"
                  printf '%s' "0af7651916cd43dd8448eb211c80319c" > "$seeds/i1"; printf '%s' "b7ad6b7169203331" > "$seeds/i2" ;;
    fuzz-packed) head -c 512 /dev/urandom > "$seeds/r1" ;;
    fuzz-gzip)
        # Sample files gzipped (their first 4 KiB, and 32 KiB at -9: under 4 KiB either way), two members
        # back to back, a member with tar-style zero padding, an empty member, one with a name.
        n=0
        for f in "$root"/samples/*.json* "$root"/samples/*.txt; do
            [ -f "$f" ] || continue
            n=$((n + 1))
            head -c 4096 "$f" | gzip -c -n > "$seeds/gz$n"
            head -c 32768 "$f" | gzip -c -n -9 > "$seeds/gz${n}_long"
        done
        cat "$seeds/gz1" "$seeds/gz2" > "$seeds/members"
        { cat "$seeds/gz1"; head -c 512 /dev/zero; } > "$seeds/padded"
        printf '' | gzip -c -n > "$seeds/empty"
        gzip -c "$root/samples/payment-timeout.json" > "$seeds/named" ;;
    fuzz-query)
        # Queries as a user types them (docs/query-language.md).
        i=0
        for q in 'timeout' '"GET /api" status=error' 'http.status_code>=500' 'service=checkout duration>500ms' \
                 'not (errors or spans>100) and root=GET*' 'db.system~post name!=x' 'span_id=a1b2' "kind=client 'x y'" \
                 '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' 'trace_id=0xAB-CD'; do
            i=$((i + 1)); printf '%s' "$q" > "$seeds/q$i"
        done ;;
    fuzz-protobuf)
        # The samples as OTLP protobuf, by the reference encoder (opentelemetry-proto, PyPI)
        # from their OTLP/JSON lines, when python3 has it; and a few hand-made messages.
        n=0
        for f in $(grep -l resourceSpans "$root"/samples/* $(find "$root/../shared/conformance/external" -type f -name '*.json*' 2>/dev/null) 2>/dev/null); do
            n=$((n + 1))
            head -c 65536 "$f" | grep resourceSpans | head -5 | python3 "$root/scripts/otlp-protobuf.py" --reverse > "$seeds/pb$n" 2>/dev/null || rm -f "$seeds/pb$n"
        done
        printf '\x0a\x0e\x12\x0c\x12\x0a\x2a\x01x\x4a\x05\x0a\x01k\x12\x00' > "$seeds/tiny"
        printf '\x0a\x02\x12\x00' > "$seeds/empty-scope"
        head -c 512 /dev/urandom > "$seeds/random" ;;
    *)
        n=0
        for f in "$root"/samples/*.json* "$root"/samples/*.txt $(find "$root/../shared/conformance/external" -type f \( -name '*.json' -o -name '*.jsonl' -o -name '*.txt' \) 2>/dev/null); do
            [ -f "$f" ] || continue
            n=$((n + 1))
            head -c 4096 "$f" > "$seeds/file$n"
            # Up to 20 lines of each file, each a seed of its own.
            awk -v dir="$seeds" -v n="$n" 'length($0) > 20 && c < 20 { c++; f = dir "/line" n "_" c; printf "%s\n", $0 > f; close(f) }' "$f"
        done ;;
esac

# Hand-made seeds kept with a harness, when it has any (Fuzz/seeds/TARGET: Tempo's answers for
# fuzz-otlp).
if [ -d "$fuzz/seeds/$target" ]; then cp "$fuzz/seeds/$target"/* "$seeds/"; fi

dict=()
case "$target" in fuzz-time-id|fuzz-packed|fuzz-gzip|fuzz-protobuf|fuzz-query) ;; *) dict=(-dict="$fuzz/dictionaries/spans.dict") ;; esac
cd "$fuzz"
# libFuzzer reports crashes itself (with the input); the runtime's backtracer would only slow
# that down and print over it.
export SWIFT_BACKTRACE=enable=no
exec "$bin" "$fuzz/corpus/$target" "$seeds" "${dict[@]}" -max_total_time="$seconds" -max_len="${FUZZ_MAX_LEN:-4096}" -timeout=10 \
    -rss_limit_mb=4096 -artifact_prefix="$fuzz/artifacts/$target-" -print_final_stats=1 "$@"
