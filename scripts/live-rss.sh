#!/usr/bin/env bash
# Memory of the viewer under endless live input (docs/benchmarks.md, "Memory under endless
# live input").
#
#   scripts/live-rss.sh [MINUTES] [MAX_SPANS]        (defaults: 10 minutes, 100000 spans)
#
# Builds release, then runs in a detached tmux session
#   spanview-bench endless --rate $RATE | spanview --max-spans MAX_SPANS
# and samples the viewer's VmRSS (/proc/PID/status) every $INTERVAL seconds for MINUTES,
# with the viewer's status line (tmux capture-pane). Prints a table, then the RSS after the
# first minute against the first minute's, and kills the session.
#
# Environment: RATE (spans/s, default 20000), INTERVAL (seconds, default 10), NO_BUILD=1 to use
# the binaries already built, BIN (default .build/release), COLUMNS_ROWS (default 160x45),
# ENDLESS_ARGS (more options for the writer, e.g. "--no-request-ids --unique-key-every 0
# --id-name-every 0" for input without churn).
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES=${1:-10}
MAX_SPANS=${2:-100000}
RATE=${RATE:-20000}
INTERVAL=${INTERVAL:-10}
BIN=${BIN:-.build/release}
SIZE=${COLUMNS_ROWS:-160x45}
ENDLESS_ARGS=${ENDLESS_ARGS:-}
SESSION="spanview-rss-$$"

if [[ -z "${NO_BUILD:-}" ]]; then
    swift build -c release --product spanview-bench >&2
    swift build -c release --product spanview >&2
fi
BIN=$(cd "$BIN" && pwd)

# A tmux server of its own (-L), so nothing else's sessions are touched.
tmux -L "$SESSION" new-session -d -s "$SESSION" -x "${SIZE%x*}" -y "${SIZE#*x}" \
    "'$BIN/spanview-bench' endless --rate $RATE $ENDLESS_ARGS | '$BIN/spanview' --max-spans $MAX_SPANS"
trap 'tmux -L "$SESSION" kill-server 2>/dev/null || true' EXIT

# The viewer: a child of the pane's shell named spanview.
PANE_PID=$(tmux -L "$SESSION" display-message -p -t "$SESSION" '#{pane_pid}')
PID=""
for _ in $(seq 50); do
    PID=$(pgrep -P "$PANE_PID" -x spanview || true)
    [[ -n "$PID" ]] && break
    sleep 0.1
done
[[ -n "$PID" ]] || { echo "spanview did not start" >&2; exit 1; }

echo "# spanview-bench endless --rate $RATE${ENDLESS_ARGS:+ $ENDLESS_ARGS} | spanview --max-spans $MAX_SPANS  (pid $PID, ${MINUTES} min, every ${INTERVAL} s)"
printf '%6s  %8s  %s\n' "time" "RSS MB" "status line"
START=$(date +%s)
END=$((START + MINUTES * 60))
SAMPLES=()   # "seconds rss_kb"
next=$START
while :; do
    now=$(date +%s)
    (( now > END )) && break
    [[ -r /proc/$PID/status ]] || { echo "spanview exited" >&2; break; }
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status")
    status=$( (tmux -L "$SESSION" capture-pane -p -t "$SESSION" || true) | (grep -v '^[[:space:]]*$' || true) | tail -n 1 \
        | sed -e 's/[[:space:]]\+/ /g' -e 's/^.*● //' -e 's/ · ? keys.*$//' -e 's/ · go-stdouttrace//')
    t=$((now - START))
    SAMPLES+=("$t $rss")
    printf '%4d:%02d  %8.1f  %s\n' $((t / 60)) $((t % 60)) "$(echo "$rss / 1024" | bc -l)" "$status"
    next=$((next + INTERVAL))
    sleep $(( next > $(date +%s) ? next - $(date +%s) : 0 ))
done

# The first minute's last sample, and the extremes after it.
printf '%s\n' "${SAMPLES[@]}" | awk -v minutes="$MINUTES" '
    $1 <= 60 { first = $2 }
    $1 > 60 { if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2; n++ }
    END {
        if (first == "" || n == 0) { print "not enough samples"; exit }
        printf "RSS at 1:00 %.1f MB; after the first minute min %.1f MB, max %.1f MB (%+.1f%% .. %+.1f%%): %s\n",
            first / 1024, min / 1024, max / 1024, (min / first - 1) * 100, (max / first - 1) * 100,
            (max <= first * 1.1 && min >= first * 0.9) ? "within +-10%" : "NOT within +-10%"
    }'
