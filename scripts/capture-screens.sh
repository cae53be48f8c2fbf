#!/usr/bin/env bash
# Regenerates docs/screens.md: each view of the viewer, captured as text from a real
# terminal (tmux), driven by the keys a user would type. Needs tmux and a built spanview.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${SPANVIEW:-.build/debug/spanview}
[ -x "$bin" ] || swift build
out=docs/screens.md
n=0

shot() {   # shot TITLE WIDTH HEIGHT ARGUMENTS KEYS...
    local title=$1 w=$2 h=$3 file=$4; shift 4
    shotcmd "$title" "$w" "$h" "$bin $file" "$@"
}

shotcmd() {   # shotcmd TITLE WIDTH HEIGHT COMMAND KEYS...  (COMMAND: a shell command line)
    local title=$1 w=$2 h=$3 command=$4; shift 4
    n=$((n + 1))
    local sock=spanview-screens-$$-$n
    tmux -L $sock -f /dev/null new-session -d -x "$w" -y "$h" -s s \
        "export TERM=xterm-256color LANG=C.UTF-8; $command; sleep 60"
    tmux -L $sock set -g status off >/dev/null
    sleep 0.8
    for k in "$@"; do
        case $k in
            resize:*) dims=${k#resize:}; tmux -L $sock resize-window -t s -x "${dims%x*}" -y "${dims#*x}" ;;
            text:*) tmux -L $sock send-keys -t s -l "${k#text:}" ;;
            *) tmux -L $sock send-keys -t s "$k" ;;
        esac
        sleep 0.15
    done
    sleep 0.4
    {
        echo "## $title"
        echo
        echo '```'
        tmux -L $sock capture-pane -p -t s | sed -e 's/[[:space:]]*$//'
        echo '```'
        echo
    } >> "$out"
    tmux -L $sock kill-server 2>/dev/null || true
}

cat > "$out" <<'HEAD'
# The viewer's screens

Captured as text from a real terminal (tmux) by `scripts/capture-screens.sh`, which types the
keys named under each heading. Colours do not show here: errors are red, each service has
its own colour, the selected row has a blue background (reverse video without colour,
NO_COLOR). Column 0 marks errors (`✗`), column 1 spans with a flag (`⚑`).

HEAD
shot "Trace list (samples/interleaved.jsonl)" 120 30 samples/interleaved.jsonl
shot "Trace list sorted by errors (s s)" 120 16 samples/interleaved.jsonl s s g
shot "Waterfall with the detail pane below (payment-timeout.json opens straight into its one trace)" 120 34 samples/payment-timeout.json
shot "Errors tab of the failing span (e)" 120 34 samples/payment-timeout.json e
shot "Events tab: the client span's retries (j j j, 2)" 120 34 samples/payment-timeout.json j j j 2
shot "A wide terminal puts the details beside the waterfall (fanout.json, 180 columns)" 180 30 samples/fanout.json j
shot "Collapsed subtree (Space on POST fraud-check)" 120 20 samples/payment-timeout.json j j j Space
shot "Zoomed in around a span (j j +)" 120 20 samples/payment-timeout.json j j + +
shot "Span search in a trace (/ name=check Enter): matches underlined, n/N walk them" 120 22 samples/payment-timeout.json / text:name=check Enter
shot "Only the matches and their ancestors (f after a search)" 120 16 samples/payment-timeout.json / text:score Enter f
shot "Critical path on the bars (c; in colour it is the accent colour, ━ without), walked with )" 120 22 samples/payment-timeout.json c ')' ')'
shot "Statistics by operation (S): self time as a share of the trace, sortable (o, r), b/B group" 130 14 samples/payment-timeout.json S
shot "Statistics by service (S b)" 130 10 samples/payment-timeout.json S b
shot "Flame graph (F, then j): merged siblings, the selected node in the status line" 120 12 samples/payment-timeout.json F j
shot "Every span in a table, by duration (t o)" 120 14 samples/payment-timeout.json t o
shot "Zoomed to fit a span (j j z): the axis line's minimap shows where the window is" 120 14 samples/payment-timeout.json j j z
shot "One level less (<): folded rows say how many spans and errors they hide" 120 12 samples/payment-timeout.json '<' '<'
shot "Trace ID search on the list (/ then a prefix; 0x, dashes, trace_id= and a traceparent work too)" 120 12 samples/interleaved.jsonl / text:0x7
shot "Traces filtered by an expression (f errors duration>5ms)" 120 14 samples/interleaved.jsonl f "text:errors duration>5ms" Enter j k
shot "Log lines (L) of samples/with-logs.txt; the arrows mark lines that name a loaded trace" 110 24 samples/with-logs.txt L g
shot "Keys (?)" 100 58 samples/interleaved.jsonl '?'
shot "Inputs and skipped values (p): two inputs, one with log lines" 120 16 "samples/with-logs.txt samples/order-inventory.jsonl" p
big=$(mktemp /tmp/spanview-screens-XXXXXX.jsonl)
for i in $(seq 60); do cat samples/interleaved.jsonl; done > "$big"
shot "A big file opening: the list fills in under a progress bar (a 220 MB file, 0.8 s after start)" 120 12 "$big"
rm -f "$big"
shotcmd "Piped input still arriving: q asks first, w saves what arrived" 120 12 \
    "{ cat samples/order-inventory.jsonl; sleep 60; } | $bin" q
shot "Too small (resized to 36x8)" 60 16 samples/interleaved.jsonl resize:36x8
echo "wrote $out"
