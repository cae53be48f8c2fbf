#!/usr/bin/env python3
"""Count spans, traces, error spans and non-span lines in spanview sample files.

A span is a JSON object value (compact on one line or pretty-printed over
many) that has a "SpanContext" key, as written by the OpenTelemetry Go
stdouttrace exporter. Every other line -- log lines and JSON log (blank lines are not counted)
objects that are not spans -- is a non-span line.

Usage:
  count_spans.py FILE...            print counts as JSON
  count_spans.py --check DIR        compare DIR/*.{json,jsonl,txt} with DIR/expected-counts.json
  count_spans.py --write DIR        (re)write DIR/expected-counts.json
"""
import json
import os
import sys

SAMPLES = [
    "payment-timeout.json",
    "order-inventory.jsonl",
    "fanout.json",
    "attribute-types.jsonl",
    "interleaved.jsonl",
    "with-logs.txt",
    "with-logs-pretty.txt",
]


def count(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    dec = json.JSONDecoder()
    pos, n = 0, len(text)
    spans, keys, traces, errors, non_span_lines = 0, set(), set(), 0, 0
    while pos < n:
        eol = text.find("\n", pos)
        line_end = n if eol < 0 else eol + 1
        line = text[pos:line_end]
        if line.lstrip().startswith("{"):
            start = pos + (len(line) - len(line.lstrip()))
            try:
                obj, end = dec.raw_decode(text, start)
            except json.JSONDecodeError:
                obj = None
            if isinstance(obj, dict) and "SpanContext" in obj:
                sc = obj["SpanContext"]
                spans += 1
                keys.add((sc["TraceID"], sc["SpanID"]))
                traces.add(sc["TraceID"])
                if (obj.get("Status") or {}).get("Code") == "Error":
                    errors += 1
                # The value ends a line (the exporter writes "\n" after it).
                nl = text.find("\n", end)
                pos = n if nl < 0 else nl + 1
                continue
        if line.strip():   # blank lines are not counted (spanview's nonJSONLines)
            non_span_lines += 1
        pos = line_end
    return {
        "spans": spans,
        "distinctSpans": len(keys),
        "traces": len(traces),
        "errors": errors,
        "nonSpanLines": non_span_lines,
    }


def main(argv):
    if len(argv) == 2 and argv[0] in ("--check", "--write"):
        d = argv[1]
        got = {}
        for name in SAMPLES:
            c = count(os.path.join(d, name))
            if c["distinctSpans"] != c["spans"]:
                print(f"{name}: {c['spans']} spans but {c['distinctSpans']} distinct (TraceID, SpanID)", file=sys.stderr)
                return 1
            got[name] = {k: c[k] for k in ("spans", "traces", "errors", "nonSpanLines")}
        exp_path = os.path.join(d, "expected-counts.json")
        if argv[0] == "--write":
            with open(exp_path, "w", encoding="utf-8") as f:
                json.dump(got, f, indent=2)
                f.write("\n")
            print(json.dumps(got, indent=2))
            return 0
        with open(exp_path, encoding="utf-8") as f:
            want = json.load(f)
        bad = 0
        for name in SAMPLES:
            status = "ok" if got[name] == want.get(name) else "MISMATCH"
            if status != "ok":
                bad += 1
            print(f"{status:8} {name}: got {got[name]} want {want.get(name)}")
        return 1 if bad else 0
    for p in argv:
        print(p, json.dumps(count(p)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
