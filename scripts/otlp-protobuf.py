#!/usr/bin/env python3
"""Converts OTLP trace data between protobuf and JSON with the official opentelemetry-proto
package, to check spanview's protobuf writer and decoder against the reference.

    otlp-protobuf.py            protobuf ExportTraceServiceRequest on standard input,
                                        one OTLP/JSON line out (hex IDs, integer enums, 64-bit
                                        integers as strings), as the Collector's file exporter
                                        writes it
    otlp-protobuf.py --reverse  OTLP/JSON lines in (hex IDs), protobuf out: each line
                                        a request, concatenated (protobuf merges them)"""
import base64
import json
import sys

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

def hex_ids(node, to_base64=False):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("traceId", "spanId", "parentSpanId") and isinstance(value, str):
                node[key] = base64.b64encode(bytes.fromhex(value)).decode() if to_base64 else base64.b64decode(value).hex()
            else:
                hex_ids(value, to_base64)
    elif isinstance(node, list):
        for item in node:
            hex_ids(item, to_base64)


if "--reverse" in sys.argv:
    out = b""
    for line in sys.stdin:
        if not line.strip():
            continue
        data = json.loads(line)
        hex_ids(data, to_base64=True)
        request = json_format.ParseDict(data, trace_service_pb2.ExportTraceServiceRequest(), ignore_unknown_fields=True)
        out += request.SerializeToString()
    sys.stdout.buffer.write(out)
else:
    request = trace_service_pb2.ExportTraceServiceRequest()
    request.ParseFromString(sys.stdin.buffer.read())
    data = json_format.MessageToDict(request, use_integers_for_enums=True)
    hex_ids(data)
    sys.stdout.write(json.dumps(data, separators=(",", ":")) + "\n")
