#!/usr/bin/env python3
"""Sends spans to an OTLP/HTTP receiver with the OpenTelemetry Python SDK, and prints what it
sent as JSON lines (one per span: name, ids in hex, parent, attributes, events, links, status)
so a test can check that every span arrived whole.

Each trace is three nested spans: a server span with attributes of every type and an event,
a client child with a link to the previous trace's root, and an internal grandchild with an
error status.

  scripts/otlp-send.py --endpoint http://127.0.0.1:4318/v1/traces --traces 10 [--json] [--gzip] [--token T]

Protobuf goes through the SDK's own exporter (opentelemetry-exporter-otlp-proto-http); JSON
(which that package does not send) is the same ExportTraceServiceRequest, encoded by the
SDK's encoder, written with protobuf's JSON mapping (IDs as hex, as OTLP/JSON says) and
POSTed with urllib. Needs: pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http
"""
import argparse
import base64
import gzip
import json
import sys
import urllib.error
import urllib.request

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from google.protobuf import json_format


def make_spans(provider, traces):
    tracer = provider.get_tracer("otlp-send", "1.0")
    previous = None
    for i in range(traces):
        links = [Link(previous, {"link.index": i - 1})] if previous else []
        with tracer.start_as_current_span("checkout", kind=SpanKind.SERVER) as root:
            root.set_attribute("http.request.method", "POST")
            root.set_attribute("http.response.status_code", 503)
            root.set_attribute("retry.ratio", 0.25)
            root.set_attribute("cache.hit", False)
            root.set_attribute("tags", ["a", "b"])
            root.set_attribute("sizes", [1, 2, 3])
            root.set_attribute("weights", [0.5, 1.5])
            root.set_attribute("flags", [True, False])
            root.set_attribute("trace.index", i)
            root.add_event("queued", {"queue.depth": 7, "queue.name": "orders"})
            with tracer.start_as_current_span("charge card", kind=SpanKind.CLIENT, links=links) as child:
                child.set_attribute("payment.provider", "acme")
                with tracer.start_as_current_span("db.query", kind=SpanKind.INTERNAL) as grandchild:
                    grandchild.set_attribute("db.system", "postgresql")
                    grandchild.set_status(Status(StatusCode.ERROR, "connection reset"))
            previous = root.get_span_context()


def hex_ids(value):
    """protobuf's JSON mapping writes bytes as base64; OTLP/JSON wants IDs as hex."""
    if isinstance(value, dict):
        return {k: (base64.b64decode(v).hex() if k in ("traceId", "spanId", "parentSpanId") and isinstance(v, str) else hex_ids(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [hex_ids(v) for v in value]
    return value


def typed(value):
    """An attribute value as text that says its type: s:text, b:true, i:7, d:0.25, [..,..]."""
    if isinstance(value, bool):
        return "b:" + ("true" if value else "false")
    if isinstance(value, int):
        return f"i:{value}"
    if isinstance(value, float):
        return f"d:{value!r}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(typed(v) for v in value) + "]"
    return f"s:{value}"


def describe(span):
    ctx = span.get_span_context()
    return {
        "name": span.name,
        "traceId": format(ctx.trace_id, "032x"),
        "spanId": format(ctx.span_id, "016x"),
        "parentSpanId": format(span.parent.span_id, "016x") if span.parent else "",
        "attributes": {k: typed(v) for k, v in span.attributes.items()},
        "events": [{"name": e.name, "attributes": {k: typed(v) for k, v in e.attributes.items()}} for e in span.events],
        "links": [{"traceId": format(l.context.trace_id, "032x"), "spanId": format(l.context.span_id, "016x")} for l in span.links],
        "status": {"code": span.status.status_code.name, "message": span.status.description or ""},
    }


class Recording(OTLPSpanExporter):
    """The SDK's exporter, remembering whether every export succeeded."""
    failures = 0

    def export(self, spans):
        result = super().export(spans)
        if result != SpanExportResult.SUCCESS:
            Recording.failures += 1
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", required=True, help="the full URL, e.g. http://127.0.0.1:4318/v1/traces")
    parser.add_argument("--traces", type=int, default=1, help="traces to send, three spans each")
    parser.add_argument("--json", action="store_true", help="send OTLP/JSON instead of protobuf")
    parser.add_argument("--gzip", action="store_true", help="Content-Encoding: gzip")
    parser.add_argument("--token", help="send Authorization: Bearer TOKEN")
    args = parser.parse_args()

    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    resource = Resource.create({"service.name": "otlp-send", "deployment.environment": "test"})
    provider = TracerProvider(resource=resource)
    memory = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    make_spans(provider, args.traces)
    spans = memory.get_finished_spans()

    if args.json:
        request = encode_spans(spans)
        body = json.dumps(hex_ids(json_format.MessageToDict(request))).encode()
        request_headers = {"Content-Type": "application/json", **headers}
        if args.gzip:
            body = gzip.compress(body)
            request_headers["Content-Encoding"] = "gzip"
        try:
            with urllib.request.urlopen(urllib.request.Request(args.endpoint, data=body, headers=request_headers, method="POST"), timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            print(f"otlp-send: the receiver answered {status}", file=sys.stderr)
            return 1
    else:
        exporter = Recording(endpoint=args.endpoint, headers=headers,
                             compression=Compression.Gzip if args.gzip else Compression.NoCompression, timeout=30)
        if exporter.export(spans) != SpanExportResult.SUCCESS:
            print("otlp-send: the export failed", file=sys.stderr)
            return 1
        exporter.shutdown()

    for span in spans:
        print(json.dumps(describe(span)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
