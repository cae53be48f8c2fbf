#!/usr/bin/env python3
"""Reads an OTLP ExportTraceServiceRequest in protobuf on standard input with the official
opentelemetry-proto package and writes it as one OTLP/JSON line (hex IDs, integer enums,
64-bit integers as strings), as the Collector's file exporter writes it. Used by the tests
to check spanview's protobuf writer against the reference decoder."""
import base64
import json
import sys

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

request = trace_service_pb2.ExportTraceServiceRequest()
request.ParseFromString(sys.stdin.buffer.read())
data = json_format.MessageToDict(request, use_integers_for_enums=True)


def hex_ids(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("traceId", "spanId", "parentSpanId") and isinstance(value, str):
                node[key] = base64.b64decode(value).hex()
            else:
                hex_ids(value)
    elif isinstance(node, list):
        for item in node:
            hex_ids(item)


hex_ids(data)
sys.stdout.write(json.dumps(data, separators=(",", ":")) + "\n")
