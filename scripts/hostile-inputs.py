#!/usr/bin/env python3
"""Writes 1 MiB inputs built to be slow or deep for a reader, then times `spanview summary`
on each, as a file and through a pipe (docs/fuzzing.md, "Big hostile inputs").

    scripts/hostile-inputs.py [DIR] [SPANVIEW]   defaults: .build/hostile, .build/release/spanview
"""
import os, random, subprocess, sys, time

M = 1 << 20
SPAN = ('{"Name":"op","SpanContext":{"TraceID":"0af7651916cd43dd8448eb211c80319c","SpanID":"b7ad6b7169203331",'
        '"TraceFlags":"01","TraceState":"","Remote":false},"Parent":{"TraceID":"00000000000000000000000000000000",'
        '"SpanID":"0000000000000000","TraceFlags":"00","TraceState":"","Remote":false},"SpanKind":1,'
        '"StartTime":"2024-05-01T12:00:00Z","EndTime":"2024-05-01T12:00:01Z","Attributes":[{"Key":"k","Value":'
        '{"Type":"STRING","Value":"v"}}],"Events":null,"Links":null,"Status":{"Code":"Unset","Description":""},'
        '"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"ChildSpanCount":0,"Resource":null,'
        '"InstrumentationScope":{"Name":"x","Version":"","SchemaURL":"","Attributes":null},'
        '"InstrumentationLibrary":{"Name":"x","Version":"","SchemaURL":"","Attributes":null}}')

def cut(i):
    return SPAN[:random.Random(i).randrange(10, len(SPAN))]

INPUTS = {
    "nested-arrays": lambda: "[" * M,
    "nested-objects": lambda: '{"a":' * (M // 5),
    "nested-otlp-kvlist": lambda: ('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c",'
                                   '"spanId":"00000000000000bb","attributes":[{"key":"d","value":'
                                   + '{"kvlistValue":{"values":[{"key":"k","value":' * (M // 48)),
    "cut-offs-one-line": lambda: "".join(cut(i) for i in range(M // len(SPAN) * 2)),
    "cut-offs-lines": lambda: "\n".join(cut(i) for i in range(M // len(SPAN) * 2)),
    "first-keys": lambda: '{"Name":' * (M // 8),
    "first-keys-lines": lambda: '{"Name":\n' * (M // 9),
    "endless-value-lines": lambda: '{"Name":"a","Attributes":[' + '\n{"k":1},' * (M // 9),
    "endless-string": lambda: '{"Name":"' + "a" * M,
    "open-brackets-lines": lambda: '{"Name":"a","x":[' + "\n[" * (M // 2),
    "spans-one-line": lambda: SPAN * (M // len(SPAN)),
    "unterminated-strings": lambda: '"abc\n' * (M // 5),
    "bad-lines": lambda: '{"Name":"a",@\n' * (M // 14),
}

def main():
    out = sys.argv[1] if len(sys.argv) > 1 else ".build/hostile"
    binary = sys.argv[2] if len(sys.argv) > 2 else ".build/release/spanview"
    os.makedirs(out, exist_ok=True)
    print(f"| input | bytes | as a file | through a pipe |\n|---|---|---|---|")
    for name, make in INPUTS.items():
        path = os.path.join(out, name)
        with open(path, "w") as f:
            f.write(make()[:M])
        times = []
        for piped in (False, True):
            start = time.monotonic()
            if piped:
                with open(path, "rb") as f:
                    subprocess.run([binary, "summary", "-"], stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            else:
                subprocess.run([binary, "summary", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.monotonic() - start)
        print(f"| {name} | {os.path.getsize(path):,} | {times[0]:.2f} s | {times[1]:.2f} s |")

if __name__ == "__main__":
    main()
