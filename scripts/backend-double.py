#!/usr/bin/env python3
"""A local stand-in for Grafana Tempo's and Jaeger's query APIs, for spanview's client tests.

    backend-double.py --role tempo|jaeger [--traces FILE ...] [options]
    backend-double.py --self-test

Serves the traces in FILE (OTLP/JSON, one {"resourceSpans":[...]} object per line or several
objects back to back, hex IDs, integer enums: what the Collector's file exporter writes; without
--traces, a built-in set of three traces) on 127.0.0.1, port 0 (any free port) unless --port says
otherwise. The first line on standard output is "listening on 127.0.0.1:PORT".

Written from the two servers' sources (Tempo v3.0 / main 2026-08, Jaeger v2.20.0); what each
endpoint answers, and where it comes from, is in docs/backend-double.md. Flags:

  tempo    --legacy          Tempo before 2.6: no /api/v2/traces (plain 404), v1 as always
           --no-v2           /api/v2/traces/... answers Tempo's router 404 ("404 page not found")
           --v2-not-found-404  a trace that is not there: 404 with an empty body on v2 too
                             (real Tempo answers 200 with an empty trace, "trace":{})
           --v1-key KEY      top-level key of /api/traces/<id>: batches (every Tempo) or
                             resourceSpans (no released Tempo; for the client's leniency)
           --partial ID      v2 answers only the first half of that trace's spans, PARTIAL
           --max-bytes N     the size named in the PARTIAL message (default 5000000)
  jaeger   --no-v3           /api/v3/... answers Go's plain 404 (an old Jaeger)
           --require-service  find without query.serviceName fails as Cassandra/ES/Badger
                             storage makes it fail (500); the memory storage does not require it
  both     --require-header 'Name: value' (repeatable), --require-token TOKEN: else 401
           --delay SECONDS   wait before answering
           --status CODE     answer with that status and a short body (429/503: Retry-After)
           --retry-after S   the Retry-After value with --status (default 1 for 429 and 503)
           --garbage         200 with an HTML page instead of JSON
           --broken          Content-Length larger than the body, half the body, then close
           --fail-times N    --delay/--status/--garbage/--broken only for the first N requests
           --gzip            gzip the answer when the request accepts gzip
           --log FILE        one JSON line per request: method, path, target, query, headers
"""
import argparse
import base64
import calendar
import copy
import gzip
import json
import re
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.trace.v1 import trace_pb2

ID_KEYS = ("traceId", "spanId", "parentSpanId")


# ---------------------------------------------------------------------------------------------
# Trace store

def pad_trace_id(hex_id):
    return hex_id.lower().rjust(32, "0")


def ids_to_base64(node):
    """OTLP/JSON hex IDs (spans and links) to the base64 the protobuf JSON mapping reads."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ID_KEYS and isinstance(value, str):
                node[key] = base64.b64encode(bytes.fromhex(value)).decode()
            else:
                ids_to_base64(value)
    elif isinstance(node, list):
        for item in node:
            ids_to_base64(item)


def ids_to_hex(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ID_KEYS and isinstance(value, str):
                node[key] = base64.b64decode(value).hex()
            else:
                ids_to_hex(value)
    elif isinstance(node, list):
        for item in node:
            ids_to_hex(item)


def attribute(attributes, key):
    for kv in attributes or []:
        if kv.get("key") == key:
            return kv.get("value", {})
    return None


def any_value_python(value):
    """An OTLP/JSON AnyValue as a Python value (ints from strings), or None."""
    if value is None:
        return None
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "intValue" in value:
        return int(value["intValue"])
    if "doubleValue" in value:
        return float(value["doubleValue"])
    if "bytesValue" in value:
        return base64.b64decode(value["bytesValue"])
    if "arrayValue" in value:
        return [any_value_python(v) for v in value["arrayValue"].get("values", [])]
    if "kvlistValue" in value:
        return {kv["key"]: any_value_python(kv.get("value")) for kv in value["kvlistValue"].get("values", [])}
    return None


class Trace:
    def __init__(self, trace_id):
        self.id = trace_id  # 32 lowercase hex digits
        self.resource_spans = []  # OTLP/JSON ResourceSpans holding only this trace's spans

    def spans(self):
        """(resource, scope, span) for each span, in file order."""
        for rs in self.resource_spans:
            for ss in rs.get("scopeSpans", []):
                for span in ss.get("spans", []):
                    yield rs.get("resource", {}), ss.get("scope", {}), span

    @property
    def start_ns(self):
        return min(int(s.get("startTimeUnixNano", 0)) for _, _, s in self.spans())

    @property
    def end_ns(self):
        return max(int(s.get("endTimeUnixNano", 0)) for _, _, s in self.spans())

    def root(self):
        for resource, _, span in self.spans():
            if not span.get("parentSpanId"):
                return resource, span
        return None, None

    def span_count(self):
        return sum(1 for _ in self.spans())

    def truncated(self, keep):
        """A copy holding only the first `keep` spans."""
        out = Trace(self.id)
        left = keep
        for rs in self.resource_spans:
            if left <= 0:
                break
            rs_copy = {k: v for k, v in rs.items() if k != "scopeSpans"}
            rs_copy["scopeSpans"] = []
            for ss in rs.get("scopeSpans", []):
                if left <= 0:
                    break
                ss_copy = {k: v for k, v in ss.items() if k != "spans"}
                ss_copy["spans"] = ss.get("spans", [])[:left]
                left -= len(ss_copy["spans"])
                rs_copy["scopeSpans"].append(ss_copy)
            out.resource_spans.append(rs_copy)
        return out


class Store:
    def __init__(self):
        self.traces = {}  # id -> Trace, in the order first seen

    def add_object(self, obj):
        resource_spans = obj.get("resourceSpans")
        if resource_spans is None:
            resource_spans = obj.get("batches", [])
        for rs in resource_spans:
            per_trace = {}
            for ss in rs.get("scopeSpans", rs.get("instrumentationLibrarySpans", [])):
                scope = ss.get("scope", ss.get("instrumentationLibrary"))
                for span in ss.get("spans", []):
                    span = dict(span)
                    trace_id = pad_trace_id(span.get("traceId", ""))
                    span["traceId"] = trace_id
                    scopes = per_trace.setdefault(trace_id, [])
                    if not scopes or scopes[-1][0] is not ss:
                        scopes.append((ss, scope, []))
                    scopes[-1][2].append(span)
            for trace_id, scopes in per_trace.items():
                rs_out = {k: v for k, v in rs.items() if k not in ("scopeSpans", "instrumentationLibrarySpans")}
                rs_out["scopeSpans"] = []
                for ss, scope, spans in scopes:
                    ss_out = {}
                    if scope is not None:
                        ss_out["scope"] = scope
                    ss_out["spans"] = spans
                    if "schemaUrl" in ss:
                        ss_out["schemaUrl"] = ss["schemaUrl"]
                    rs_out["scopeSpans"].append(ss_out)
                self.traces.setdefault(trace_id, Trace(trace_id)).resource_spans.append(rs_out)

    def load_text(self, text):
        decoder = json.JSONDecoder()
        position = 0
        while True:
            while position < len(text) and text[position] in " \t\r\n":
                position += 1
            if position >= len(text):
                break
            obj, position = decoder.raw_decode(text, position)
            self.add_object(obj)

    def get(self, trace_id_bytes):
        return self.traces.get(trace_id_bytes.hex())

    def newest_first(self):
        return sorted(self.traces.values(), key=lambda t: t.start_ns, reverse=True)


def traces_message(resource_spans):
    data = {"resourceSpans": copy.deepcopy(resource_spans)}
    ids_to_base64(data)
    return json_format.ParseDict(data, trace_pb2.TracesData(), ignore_unknown_fields=True)


def tempo_jsonpb(resource_spans):
    """Tempo's gogo jsonpb: base64 IDs, enum names, 64-bit integers as strings."""
    return json_format.MessageToDict(traces_message(resource_spans))


def otlp_json(resource_spans):
    """Spec OTLP/JSON as Jaeger's api_v3 (pdata) writes it: hex IDs, integer enums."""
    data = json_format.MessageToDict(traces_message(resource_spans), use_integers_for_enums=True)
    ids_to_hex(data)
    for rs in data.get("resourceSpans", []):
        rs.setdefault("resource", {})
        for ss in rs.get("scopeSpans", []):
            ss.setdefault("scope", {})
    return data


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


# ---------------------------------------------------------------------------------------------
# Jaeger's internal JSON (the UI's /api/traces/{id}): the Collector's OTLP -> Jaeger translator
# (opentelemetry-collector-contrib pkg/translator/jaeger) then jaeger internal/uimodel FromDomain.

JS_MAX_SAFE = (1 << 53) - 1
SPAN_KIND_TAG = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def jaeger_id(hex_id, width):
    """jaeger-idl TraceID/SpanID String(): 16 hex digits per 64-bit half, the high half only when
    it is not zero (so a 128-bit ID whose high half is zero prints as 16 digits)."""
    value = int(hex_id or "0", 16)
    if width == 32 and value >> 64:
        return "%016x%016x" % (value >> 64, value & ((1 << 64) - 1))
    return "%016x" % (value & ((1 << 64) - 1))


def go_value_string(value):
    """pcommon.Value.AsString() for arrays and maps: compact JSON."""
    return json.dumps(value, separators=(",", ":"))


def jaeger_tag(key, any_value):
    value = any_value or {}
    if "stringValue" in value:
        return {"key": key, "type": "string", "value": value["stringValue"]}
    if "boolValue" in value:
        return {"key": key, "type": "bool", "value": bool(value["boolValue"])}
    if "intValue" in value:
        number = int(value["intValue"])
        shown = number if -JS_MAX_SAFE <= number <= JS_MAX_SAFE else str(number)
        return {"key": key, "type": "int64", "value": shown}
    if "doubleValue" in value:
        return {"key": key, "type": "float64", "value": float(value["doubleValue"])}
    if "bytesValue" in value:
        return {"key": key, "type": "binary", "value": value["bytesValue"]}
    if "arrayValue" in value or "kvlistValue" in value:
        return {"key": key, "type": "string", "value": go_value_string(any_value_python(value))}
    return {"key": key, "type": "string", "value": ""}


def jaeger_trace(trace):
    processes = {}  # json of (service, tags) -> process ID
    process_bodies = {}
    spans = []
    for rs in trace.resource_spans:
        resource_attributes = rs.get("resource", {}).get("attributes", [])
        service_value = any_value_python(attribute(resource_attributes, "service.name"))
        service = service_value if isinstance(service_value, str) else "OTLPResourceNoServiceName"
        process_tags = [jaeger_tag(kv["key"], kv.get("value")) for kv in resource_attributes if kv.get("key") != "service.name"]
        process_key = json.dumps([service, process_tags])
        if process_key not in processes:
            processes[process_key] = "p%d" % (len(processes) + 1)
            process_bodies[processes[process_key]] = {"serviceName": service, "tags": process_tags}
        process_id = processes[process_key]
        for ss in rs.get("scopeSpans", []):
            scope = ss.get("scope", {})
            for span in ss.get("spans", []):
                references = []
                if span.get("parentSpanId"):
                    references.append({"refType": "CHILD_OF", "traceID": jaeger_id(span["traceId"], 32),
                                       "spanID": jaeger_id(span["parentSpanId"], 16)})
                for link in span.get("links", []):
                    references.append({"refType": "FOLLOWS_FROM", "traceID": jaeger_id(link.get("traceId"), 32),
                                       "spanID": jaeger_id(link.get("spanId"), 16)})
                tags = [jaeger_tag(kv["key"], kv.get("value")) for kv in span.get("attributes", [])]
                if scope.get("name"):
                    tags.append({"key": "otel.scope.name", "type": "string", "value": scope["name"]})
                if scope.get("version"):
                    tags.append({"key": "otel.scope.version", "type": "string", "value": scope["version"]})
                kind = SPAN_KIND_TAG.get(int(span.get("kind", 0)))
                if kind:
                    tags.append({"key": "span.kind", "type": "string", "value": kind})
                status = span.get("status", {})
                code = int(status.get("code", 0))
                if code == 2:
                    tags.append({"key": "otel.status_code", "type": "string", "value": "ERROR"})
                    tags.append({"key": "error", "type": "bool", "value": True})
                elif code == 1:
                    tags.append({"key": "otel.status_code", "type": "string", "value": "OK"})
                if status.get("message"):
                    tags.append({"key": "otel.status_description", "type": "string", "value": status["message"]})
                if span.get("traceState"):
                    tags.append({"key": "w3c.tracestate", "type": "string", "value": span["traceState"]})
                logs = []
                for event in span.get("events", []):
                    fields = []
                    if event.get("name") and attribute(event.get("attributes"), "event") is None:
                        fields.append({"key": "event", "type": "string", "value": event["name"]})
                    fields += [jaeger_tag(kv["key"], kv.get("value")) for kv in event.get("attributes", [])]
                    logs.append({"timestamp": int(event.get("timeUnixNano", 0)) // 1000, "fields": fields})
                start = int(span.get("startTimeUnixNano", 0))
                end = int(span.get("endTimeUnixNano", 0))
                spans.append({
                    "traceID": jaeger_id(span["traceId"], 32),
                    "spanID": jaeger_id(span.get("spanId"), 16),
                    "operationName": span.get("name", ""),
                    "references": references,
                    "startTime": start // 1000,
                    "duration": max(0, end - start) // 1000,
                    "tags": tags,
                    "logs": logs,
                    "processID": process_id,
                    "warnings": None,
                })
    return {"traceID": jaeger_id(trace.id, 32), "spans": spans, "processes": process_bodies, "warnings": None}


# ---------------------------------------------------------------------------------------------
# TraceQL, a small subset: { cond && cond ... } with
#   name | span:name, status | span:status, kind | span:kind, duration | span:duration,
#   resource.ATTR, span.ATTR, .ATTR (span, else resource)
#   = != > >= < <= =~ !~ against "strings", numbers, durations, true/false, error/ok/unset, kinds

class TraceQLError(Exception):
    pass


TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*"|`[^`]*`)
  | (?P<op>&&|\|\||!=|>=|<=|=~|!~|>>|<<|[{}()=<>|!~+\-*/%^,])
  | (?P<duration>[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))
  | (?P<number>[0-9]+(?:\.[0-9]+)?)
  | (?P<ident>[A-Za-z_.:][A-Za-z0-9_.:\-/]*)
""", re.VERBOSE)

DURATION_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
                  "m": 60_000_000_000, "h": 3_600_000_000_000}
STATUS_CODES = {"unset": 0, "ok": 1, "error": 2}
KINDS = {"unspecified": 0, "internal": 1, "server": 2, "client": 3, "producer": 4, "consumer": 5}


def traceql_tokens(text):
    tokens = []
    position = 0
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match:
            raise TraceQLError("parse error at line 1, col %d: syntax error: unexpected $unk" % (position + 1))
        if match.lastgroup != "ws":
            tokens.append((match.lastgroup, match.group(), position + 1))
        position = match.end()
    tokens.append(("end", "", len(text) + 1))
    return tokens


def parse_go_duration_literal(text):
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)", text)
    return int(float(match.group(1)) * DURATION_UNITS[match.group(2)])


def parse_traceql(text):
    """A list of (field, op, value) conditions, all of which one span must meet."""
    tokens = traceql_tokens(text)
    position = 0

    def unexpected(token):
        kind, value, col = token
        shown = {"end": "$end", "ident": "IDENTIFIER", "string": "STRING", "number": "INTEGER",
                 "duration": "DURATION"}.get(kind, value)
        return TraceQLError("parse error at line 1, col %d: syntax error: unexpected %s" % (col, shown))

    def unsupported(token, what):
        return TraceQLError("parse error at line 1, col %d: %s is not supported by backend-double.py" % (token[2], what))

    def take():
        nonlocal position
        token = tokens[position]
        position += 1
        return token

    first = take()
    if first[1] != "{":
        raise unexpected(first)
    conditions = []
    if tokens[position][1] == "}":
        take()
    else:
        while True:
            field_token = take()
            if field_token[0] != "ident":
                raise unexpected(field_token) if field_token[1] not in ("(", "!") else unsupported(field_token, "grouping or negation")
            field = field_token[1]
            if field in ("name", "span:name"):
                field = "name"
            elif field in ("status", "span:status"):
                field = "status"
            elif field in ("kind", "span:kind"):
                field = "kind"
            elif field in ("duration", "span:duration"):
                field = "duration"
            elif not (field.startswith("resource.") or field.startswith("span.") or field.startswith(".")) or len(field.split(".", 1)[1]) == 0:
                raise unsupported(field_token, "the field %s" % field)
            op_token = take()
            if op_token[1] not in ("=", "!=", ">", ">=", "<", "<=", "=~", "!~"):
                raise unexpected(op_token)
            value_token = take()
            kind, raw, _ = value_token
            if kind == "string":
                value = raw[1:-1] if raw.startswith("`") else json.loads(raw)
            elif kind == "number":
                value = float(raw) if "." in raw else int(raw)
            elif kind == "duration":
                value = ("duration", parse_go_duration_literal(raw))
            elif kind == "ident" and raw in ("true", "false"):
                value = raw == "true"
            elif kind == "ident" and field == "status" and raw in STATUS_CODES:
                value = ("status", STATUS_CODES[raw])
            elif kind == "ident" and field == "kind" and raw in KINDS:
                value = ("kind", KINDS[raw])
            elif kind == "op" and raw == "-" and tokens[position][0] == "number":
                number = take()[1]
                value = -(float(number) if "." in number else int(number))
            else:
                raise unexpected(value_token)
            if field == "status" and not (isinstance(value, tuple) and value[0] == "status"):
                raise unsupported(value_token, "status compared with something other than error, ok, unset")
            if field == "kind" and not (isinstance(value, tuple) and value[0] == "kind"):
                raise unsupported(value_token, "kind compared with something other than a kind")
            if op_token[1] in ("=~", "!~") and not isinstance(value, str):
                raise unexpected(value_token)
            conditions.append((field, op_token[1], value))
            separator = take()
            if separator[1] == "}":
                break
            if separator[1] == "&&":
                continue
            if separator[1] in ("||",):
                raise unsupported(separator, "||")
            raise unexpected(separator)
    end = take()
    if end[0] != "end":
        if end[1] in ("|", "&&", "||", ">>", "<<", ">", "<", "~", "!~"):
            raise unsupported(end, "a pipeline or structural operator")
        raise unexpected(end)
    return conditions


def compare(actual, op, expected):
    if actual is None:
        return op == "!=" and False
    if op in ("=~", "!~"):
        if not isinstance(actual, str):
            return False
        matched = re.fullmatch(expected, actual) is not None
        return matched if op == "=~" else not matched
    if isinstance(expected, bool) or isinstance(actual, bool):
        if not (isinstance(expected, bool) and isinstance(actual, bool)):
            return False
    elif isinstance(expected, str) != isinstance(actual, str):
        return False
    try:
        return {"=": actual == expected, "!=": actual != expected, ">": actual > expected,
                ">=": actual >= expected, "<": actual < expected, "<=": actual <= expected}[op]
    except TypeError:
        return False


def span_field(resource, span, field):
    """The span's value for a condition's field, and the attribute name shown in search results."""
    if field == "name":
        return span.get("name", ""), None
    if field == "status":
        return ("status", int(span.get("status", {}).get("code", 0))), "status"
    if field == "kind":
        return ("kind", int(span.get("kind", 0))), "kind"
    if field == "duration":
        return ("duration", int(span.get("endTimeUnixNano", 0)) - int(span.get("startTimeUnixNano", 0))), None
    scope, name = field.split(".", 1)
    if scope == "resource":
        return any_value_python(attribute(resource.get("attributes"), name)), name
    value = attribute(span.get("attributes"), name)
    if value is None and scope == "":
        value = attribute(resource.get("attributes"), name)
    return any_value_python(value), name


def span_matches(resource, span, conditions):
    for field, op, expected in conditions:
        actual, _ = span_field(resource, span, field)
        if isinstance(expected, tuple):
            if not isinstance(actual, tuple) or actual[0] != expected[0]:
                return False
            if not compare(actual[1], op, expected[1]):
                return False
        elif not compare(actual, op, expected):
            return False
    return True


def shown_value(value):
    """A matched span's attribute as Tempo's search results show it (an OTLP AnyValue)."""
    if isinstance(value, tuple):
        names = STATUS_CODES if value[0] == "status" else KINDS
        return {"stringValue": next(k for k, v in names.items() if v == value[1])}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}


# ---------------------------------------------------------------------------------------------
# Small parsers for Go-formatted parameters

RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
GO_RFC3339NANO = "2006-01-02T15:04:05.999999999Z07:00"
GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")
GO_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def parse_rfc3339_ns(text):
    match = RFC3339.fullmatch(text)
    if not match:
        raise ValueError('parsing time "%s" as "%s": cannot parse "%s" as "2006"' % (text, GO_RFC3339NANO, text))
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    seconds = calendar.timegm((year, month, day, hour, minute, second))
    fraction = match.group(7) or ""
    nanos = int((fraction[1:] + "000000000")[:9]) if fraction else 0
    zone = match.group(8)
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return seconds * 1_000_000_000 + nanos


def parse_go_duration_ns(text):
    if re.fullmatch(r"[+-]?(?:[0-9]*\.?[0-9]+(?:ns|us|µs|ms|s|m|h))+|0", text) is None:
        raise ValueError('time: invalid duration "%s"' % text)
    sign = -1 if text.startswith("-") else 1
    total = 0.0
    for number, unit in re.findall(r"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)", text):
        total += float(number) * DURATION_UNITS[unit]
    return sign * int(total)


def go_parse_uint_error(function, text):
    return 'strconv.%s: parsing "%s": invalid syntax' % (function, text)


def tempo_trace_id(text):
    """Tempo's util.HexStringToTraceID: hex only, left-padded to 16 bytes; the error text."""
    for index, char in enumerate(text):
        if char not in "0123456789abcdefABCDEF":
            raise ValueError("trace IDs can only contain hex characters: invalid character '%s' at position %d" % (char, index + 1))
    if len(text) % 2 == 1:
        text = "0" + text
    raw = bytes.fromhex(text)
    if len(raw) > 16:
        raise ValueError("trace IDs can't be larger than 128 bits")
    return raw.rjust(16, b"\0")


def jaeger_trace_id(text):
    """Jaeger's apiv3.TraceIDFromString: hex (up to 32 digits), else base64 (std or URL, padded
    or not) of 8 or 16 bytes; the error text of the hex attempt."""
    def hex_part(part):
        if part == "" or any(c not in "0123456789abcdefABCDEF" for c in part):
            raise ValueError(go_parse_uint_error("ParseUint", part))
        return int(part, 16)
    try:
        if len(text) > 32:
            raise ValueError("TraceID cannot be longer than 32 hex characters: %s" % text)
        if len(text) > 16:
            high = hex_part(text[:-16])
            low = hex_part(text[-16:])
        else:
            high, low = 0, hex_part(text)
        return ((high << 64) | low).to_bytes(16, "big")
    except ValueError as hex_error:
        if len(text) > 24:
            raise
        for alphabet in (None, b"-_"):
            try:
                padded = text + "=" * (-len(text) % 4)
                raw = base64.b64decode(padded, altchars=alphabet, validate=True)
            except (ValueError, base64.binascii.Error):
                continue
            if len(raw) in (8, 16):
                return raw.rjust(16, b"\0")
            raise ValueError("invalid length for TraceID")
        raise hex_error


# ---------------------------------------------------------------------------------------------
# HTTP

class Reply:
    def __init__(self, status, body=b"", content_type=None, headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.headers = list(headers or [])
        if content_type:
            self.headers.insert(0, ("Content-Type", content_type))


def go_http_error(status, text, extra_headers=()):
    """What Go's http.Error writes."""
    return Reply(status, text + "\n", "text/plain; charset=utf-8",
                 [("X-Content-Type-Options", "nosniff")] + list(extra_headers))


def json_reply(obj, status=200):
    return Reply(status, dumps(obj), "application/json")


GARBAGE = (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n"
           b"<body><h1>Sign in to continue</h1><form method=\"post\" action=\"/login\">"
           b"<input name=\"user\"><input name=\"password\" type=\"password\"></form></body></html>\n")

REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 408: "Request Timeout",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}


class Backend:
    """Answers for one role: route(method, path, query, headers) -> Reply."""

    def __init__(self, args, store):
        self.args = args
        self.store = store
        self.lock = threading.Lock()
        self.failures_left = args.fail_times
        self.partial = {pad_trace_id(i) for i in args.partial}

    def take_failure(self):
        with self.lock:
            if self.failures_left is None:
                return True
            if self.failures_left > 0:
                self.failures_left -= 1
                return True
            return False

    def unauthorized(self, headers):
        for required in self.args.require_header:
            name, _, value = required.partition(":")
            if headers.get(name.strip().lower()) != value.strip():
                if self.args.role == "tempo":
                    return go_http_error(401, "no org id")  # dskit's AuthenticateUser middleware
                return Reply(401)  # jaeger internal/tenancy: 401, no body
        if self.args.require_token is not None:
            scheme, _, token = headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or token.strip() != self.args.require_token:
                return go_http_error(401, "Unauthorized", [("WWW-Authenticate", 'Bearer realm="backend-double"')])
        return None

    # -- Tempo ---------------------------------------------------------------------------------

    def tempo(self, path, query):
        def one(name):
            values = query.get(name)
            return values[-1] if values else None

        match = re.fullmatch(r"/api/(v2/)?traces/([^/]+)", path)
        if match:
            v2 = match.group(1) is not None
            if v2 and (self.args.no_v2 or self.args.legacy):
                return go_http_error(404, "404 page not found")
            try:
                trace_id = tempo_trace_id(urllib.parse.unquote(match.group(2)))
            except ValueError as error:
                return Reply(400, str(error), "text/plain; charset=utf-8")
            start, end = one("start"), one("end")
            window = [None, None]
            for index, (name, text) in enumerate((("start", start), ("end", end))):
                if text is not None:
                    if not re.fullmatch(r"[+-]?[0-9]+", text):
                        return Reply(400, "invalid %s: %s" % (name, go_parse_uint_error("ParseInt", text)), "text/plain; charset=utf-8")
                    window[index] = int(text) * 1_000_000_000
            if window[0] is not None and window[1] is not None and window[1] <= window[0]:
                return Reply(400, "http parameter start must be before end. received start=%s end=%s" % (start, end),
                             "text/plain; charset=utf-8")
            trace = self.store.get(trace_id)
            if trace is not None and window[0] is not None and trace.end_ns < window[0]:
                trace = None
            if trace is not None and window[1] is not None and trace.start_ns > window[1]:
                trace = None
            if not v2:
                if trace is None:
                    return Reply(404)  # the frontend's trace-by-ID combiner: 404, empty body
                body = tempo_jsonpb(trace.resource_spans)
                body = {self.args.v1_key: body.get("resourceSpans", [])}
                return json_reply(body)
            if trace is None:
                if self.args.v2_not_found_404:
                    return Reply(404)
                return json_reply({"trace": {}, "metrics": {}})
            response = {}
            message = None
            if trace.id in self.partial:
                trace = trace.truncated((trace.span_count() + 1) // 2)
                message = "Trace exceeds maximum size of %d bytes, a partial trace is returned" % self.args.max_bytes
            response["trace"] = tempo_jsonpb(trace.resource_spans)
            response["metrics"] = {"inspectedBytes": str(traces_message(trace.resource_spans).ByteSize())}
            if message:
                response["status"] = "PARTIAL"
                response["message"] = message
            return json_reply(response)

        if path == "/api/search":
            return self.tempo_search(query, one)
        return go_http_error(404, "404 page not found")

    def tempo_search(self, query, one):
        def bad(text):
            return Reply(400, text, "text/plain; charset=utf-8")

        bounds = {}
        for name in ("start", "end"):
            text = one(name)
            if text is not None:
                if not re.fullmatch(r"[0-9]+", text) or int(text) >= 1 << 32:
                    return bad("invalid %s: %s" % (name, go_parse_uint_error("ParseUint", text)))
                bounds[name] = int(text)
        if bounds and bounds.get("end", 0) <= bounds.get("start", 0):
            return bad("http parameter start must be before end. received start=%d end=%d" % (bounds.get("start", 0), bounds.get("end", 0)))
        q, tags = one("q"), one("tags")
        if q is not None and tags is not None:
            return bad("invalid request: can't specify tags and q in the same query")
        if tags:
            return bad("backend-double.py answers TraceQL searches (q) only, not tag searches")
        limit = 20
        if one("limit") is not None:
            text = one("limit")
            if not re.fullmatch(r"[0-9]+", text):
                return bad("invalid limit: %s" % go_parse_uint_error("ParseUint", text))
            limit = int(text)
            if limit == 0:
                return bad("invalid limit: must be a positive number")
        spss = 3
        if one("spss") is not None:
            text = one("spss")
            if not re.fullmatch(r"[0-9]+", text):
                return bad("invalid spss: %s" % go_parse_uint_error("ParseUint", text))
            spss = int(text) or 3
        try:
            conditions = parse_traceql(q if q else "{}")
        except TraceQLError as error:
            return bad("invalid TraceQL query: %s" % error)

        results = []
        inspected = 0
        for trace in self.store.newest_first():
            start_s = trace.start_ns // 1_000_000_000
            if "start" in bounds and start_s < bounds["start"]:
                continue
            if "end" in bounds and start_s > bounds["end"]:
                continue
            inspected += 1
            matched = [(resource, span) for resource, _, span in trace.spans() if span_matches(resource, span, conditions)]
            if not matched:
                continue
            root_resource, root = trace.root()
            stats = {}
            for resource, _, span in trace.spans():
                service = any_value_python(attribute(resource.get("attributes"), "service.name")) or ""
                entry = stats.setdefault(service, {"spanCount": 0})
                entry["spanCount"] += 1
                if int(span.get("status", {}).get("code", 0)) == 2:
                    entry["errorCount"] = entry.get("errorCount", 0) + 1
            shown = []
            for resource, span in matched[:spss]:
                item = {"spanID": span.get("spanId", "").rjust(16, "0"), "name": span.get("name", ""),
                        "startTimeUnixNano": str(int(span.get("startTimeUnixNano", 0))),
                        "durationNanos": str(int(span.get("endTimeUnixNano", 0)) - int(span.get("startTimeUnixNano", 0)))}
                attributes = []
                for field, _, _ in conditions:
                    value, name = span_field(resource, span, field)
                    if name is not None and value is not None and all(a["key"] != name for a in attributes):
                        attributes.append({"key": name, "value": shown_value(value)})
                if attributes:
                    item["attributes"] = attributes
                shown.append(item)
            span_set = {"spans": shown, "matched": len(matched)}
            # Field order and omitted zero values as gogo jsonpb writes tempopb.TraceSearchMetadata.
            entry = {"traceID": trace.id.lstrip("0")}
            if root:
                entry["rootServiceName"] = any_value_python(attribute(root_resource.get("attributes"), "service.name")) or ""
                entry["rootTraceName"] = root.get("name", "")
            else:
                entry["rootServiceName"] = "<root span not yet received>"
            entry["startTimeUnixNano"] = str(trace.start_ns)
            if trace.end_ns - trace.start_ns >= 1_000_000:
                entry["durationMs"] = (trace.end_ns - trace.start_ns) // 1_000_000
            entry["spanSet"] = span_set
            entry["spanSets"] = [span_set]
            entry["serviceStats"] = stats
            results.append(entry)
            if len(results) == limit:
                break
        return json_reply({"traces": results, "metrics": {"inspectedTraces": inspected, "inspectedBytes": "0",
                                                          "completedJobs": 1, "totalJobs": 1}})

    # -- Jaeger --------------------------------------------------------------------------------

    @staticmethod
    def jaeger_error(status, message):
        """apiv3 HTTPGateway.tryHandleError: a GRPCGatewayError in the body of http.Error."""
        return go_http_error(status, json.dumps({"error": {"httpCode": status, "message": message}}, separators=(",", ":")))

    @staticmethod
    def jaeger_v1_error(status, message):
        """query APIHandler.handleError: a structuredResponse in the body of http.Error."""
        body = {"data": None, "total": 0, "limit": 0, "offset": 0, "errors": [{"code": status, "msg": message}]}
        return go_http_error(status, json.dumps(body, separators=(",", ":")))

    def jaeger(self, path, query):
        def param(canonical, deprecated=None):
            for name in (canonical, deprecated):
                if name and query.get(name) and query[name][0] != "":
                    return query[name][0], name
            return "", deprecated or canonical

        if path.startswith("/api/v3/") and self.args.no_v3:
            return go_http_error(404, "404 page not found")

        match = re.fullmatch(r"/api/v3/traces/([^/]+)", path)
        if match:
            try:
                trace_id = jaeger_trace_id(urllib.parse.unquote(match.group(1)))
            except ValueError as error:
                return self.jaeger_error(400, "malformed parameter trace_id: %s" % error)
            window = [None, None]
            for index, (canonical, deprecated) in enumerate((("startTime", "start_time"), ("endTime", "end_time"))):
                text, name = param(canonical, deprecated)
                if text:
                    try:
                        window[index] = parse_rfc3339_ns(text)
                    except ValueError as error:
                        return self.jaeger_error(400, "malformed parameter %s: %s" % (name, error))
            text, name = param("rawTraces", "raw_traces")
            if text and text not in GO_TRUE + GO_FALSE:
                return self.jaeger_error(400, 'malformed parameter %s: strconv.ParseBool: parsing "%s": invalid syntax' % (name, text))
            trace = self.store.get(trace_id)
            if trace is not None and window[0] is not None and trace.end_ns < window[0]:
                trace = None
            if trace is not None and window[1] is not None and trace.start_ns > window[1]:
                trace = None
            if trace is None:
                return self.jaeger_error(404, "No traces found")
            return json_reply({"result": otlp_json(trace.resource_spans)})

        if path == "/api/v3/traces":
            return self.jaeger_find(query, param)

        if path == "/api/v3/services":
            services = sorted({any_value_python(attribute(r.get("attributes"), "service.name")) or ""
                               for t in self.store.traces.values() for r, _, _ in t.spans()} - {""})
            return json_reply({"services": services})

        if path == "/api/v3/operations":
            service = query.get("service", [""])[0]
            kind_filter, _ = param("spanKind", "span_kind")
            operations = {}
            for trace in self.store.traces.values():
                for resource, _, span in trace.spans():
                    if any_value_python(attribute(resource.get("attributes"), "service.name")) != service:
                        continue
                    kind = SPAN_KIND_TAG.get(int(span.get("kind", 0)), "")
                    if kind_filter and kind != kind_filter:
                        continue
                    operations[(span.get("name", ""), kind or "internal")] = True
            return json_reply({"operations": [{"name": n, "spanKind": k} for n, k in sorted(operations)]})

        match = re.fullmatch(r"/api/traces/([^/]+)", path)
        if match:
            try:
                trace_id = jaeger_trace_id(urllib.parse.unquote(match.group(1)))
            except ValueError as error:
                return self.jaeger_v1_error(400, str(error))
            window = [None, None]
            for index, name in enumerate(("start", "end")):
                text = query.get(name, [""])[0]
                if text:
                    if not re.fullmatch(r"[+-]?[0-9]+", text):
                        return self.jaeger_v1_error(400, 'unable to parse param \'%s\': %s' % (name, go_parse_uint_error("ParseInt", text)))
                    window[index] = int(text) * 1000
            trace = self.store.get(trace_id)
            if trace is not None and window[0] is not None and trace.end_ns < window[0]:
                trace = None
            if trace is not None and window[1] is not None and trace.start_ns > window[1]:
                trace = None
            if trace is None:
                return self.jaeger_v1_error(404, "trace not found")
            return json_reply({"data": [jaeger_trace(trace)], "total": 0, "limit": 0, "offset": 0, "errors": None})

        return go_http_error(404, "404 page not found")

    def jaeger_find(self, query, param):
        service, _ = param("query.serviceName", "query.service_name")
        operation, _ = param("query.operationName", "query.operation_name")
        attributes = {}
        if query.get("query.attributes", [""])[0]:
            try:
                attributes = json.loads(query["query.attributes"][0])
                if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
                    raise ValueError("json: cannot unmarshal into Go value of type map[string]string")
            except ValueError as error:
                return self.jaeger_error(400, "malformed parameter query.attributes: %s" % error)
        time_min, time_min_name = param("query.startTimeMin", "query.start_time_min")
        time_max, time_max_name = param("query.startTimeMax", "query.start_time_max")
        if not time_min or not time_max:
            return self.jaeger_error(400, "query.startTimeMin and query.startTimeMax are required")
        try:
            time_min = parse_rfc3339_ns(time_min)
        except ValueError as error:
            return self.jaeger_error(400, "malformed parameter %s: %s" % (time_min_name, error))
        try:
            time_max = parse_rfc3339_ns(time_max)
        except ValueError as error:
            return self.jaeger_error(400, "malformed parameter %s: %s" % (time_max_name, error))
        if not time_min < time_max:
            return self.jaeger_error(400, "query.startTimeMin must be before query.startTimeMax")
        depth_text, depth_name = param("query.searchDepth", "query.search_depth")
        if not depth_text:
            depth_text, depth_name = query.get("query.num_traces", [""])[0], "query.num_traces"
        depth = 100
        if depth_text:
            if not re.fullmatch(r"[+-]?[0-9]+", depth_text):
                return self.jaeger_error(400, "malformed parameter %s: %s" % (depth_name, go_parse_uint_error("Atoi", depth_text)))
            depth = int(depth_text)
        durations = {}
        for key, canonical, deprecated in (("min", "query.durationMin", "query.duration_min"), ("max", "query.durationMax", "query.duration_max")):
            text, name = param(canonical, deprecated)
            if text:
                try:
                    durations[key] = parse_go_duration_ns(text)
                except ValueError as error:
                    return self.jaeger_error(400, "malformed parameter %s: %s" % (name, error))
        text, name = param("query.rawTraces", "query.raw_traces")
        if text and text not in GO_TRUE + GO_FALSE:
            return self.jaeger_error(400, 'malformed parameter %s: strconv.ParseBool: parsing "%s": invalid syntax' % (name, text))
        if self.args.require_service and not service:
            return self.jaeger_error(500, "service Name must be set")
        if depth <= 0 or depth > 100_000:
            return self.jaeger_error(500, "search depth must be greater than 0 and less than max traces")

        def span_matches_query(resource, scope, span):
            resource_attributes = resource.get("attributes", [])
            if service and any_value_python(attribute(resource_attributes, "service.name")) != service:
                return False
            if operation and span.get("name") != operation:
                return False
            start = int(span.get("startTimeUnixNano", 0))
            if start < time_min or start > time_max:
                return False
            duration = int(span.get("endTimeUnixNano", 0)) - start
            if "min" in durations and duration < durations["min"]:
                return False
            if "max" in durations and duration > durations["max"]:
                return False
            code = int(span.get("status", {}).get("code", 0))
            for key, wanted in attributes.items():
                if key == "error":  # strconv.ParseBool; true: status ERROR, false: status OK
                    if wanted not in GO_TRUE + GO_FALSE:
                        return False
                    if code != (2 if wanted in GO_TRUE else 1):
                        return False
                    continue
                if key == "span.status":
                    if {"OK": 1, "ERROR": 2}.get(wanted.upper(), 0) != code:
                        return False
                    continue
                if key == "span.kind":
                    if KINDS.get(wanted.lower(), 0) != int(span.get("kind", 0)):
                        return False
                    continue
                if key in ("scope.name", "scope.version"):
                    if scope.get(key.split(".")[1], "") != wanted:
                        return False
                    continue
                places = [resource_attributes] if key.startswith("resource.") else \
                    [span.get("attributes"), scope.get("attributes"), resource_attributes] + \
                    [e.get("attributes") for e in span.get("events", [])] + [l.get("attributes") for l in span.get("links", [])]
                name = key[len("resource."):] if key.startswith("resource.") else key
                if not any(value_as_string(attribute(p, name)) == wanted for p in places):
                    return False
            return True

        found = []
        for trace in self.store.newest_first():
            if len(found) == depth:
                break
            if any(span_matches_query(r, s, sp) for r, s, sp in trace.spans()):
                found.append(trace)
        if not found:
            return self.jaeger_error(404, "No traces found")
        return json_reply({"result": otlp_json([rs for t in found for rs in t.resource_spans])})

    # -- both ----------------------------------------------------------------------------------

    def route(self, method, path, query, headers):
        if method not in ("GET", "HEAD"):
            return go_http_error(405, "Method Not Allowed")
        if self.args.role == "tempo" and path == "/api/echo":
            return go_http_error(200, "echo")  # Tempo's echoHandler, outside the auth middleware
        refusal = self.unauthorized(headers)
        if refusal is not None:
            return refusal
        if self.args.role == "tempo":
            return self.tempo(path, query)
        return self.jaeger(path, query)


def value_as_string(any_value):
    """pcommon.Value.AsString(), which Jaeger's memory storage compares attributes with."""
    value = any_value_python(any_value)
    if any_value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value).rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, (list, dict)):
        return go_value_string(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


def accepts_gzip(header):
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            match = re.search(r"q\s*=\s*([0-9.]+)", params)
            return not match or float(match.group(1)) > 0
    return False


def make_handler(backend, log_file):
    log_lock = threading.Lock()
    args = backend.args

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def version_string(self):
            return "backend-double"

        def log_message(self, format, *arguments):
            if args.verbose:
                sys.stderr.write("%s %s\n" % (self.address_string(), format % arguments))

        def handle_request(self):
            parts = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
            headers = {}
            for name, value in self.headers.items():
                name = name.lower()
                headers[name] = headers[name] + ", " + value if name in headers else value
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            if log_file:
                line = {"method": self.command, "path": parts.path, "target": self.path,
                        "query": {k: v[0] if len(v) == 1 else v for k, v in query.items()}, "headers": headers}
                with log_lock, open(log_file, "a", encoding="utf-8") as out:
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")

            failing = (args.delay or args.status or args.garbage or args.broken) and backend.take_failure()
            if failing and args.delay:
                time.sleep(args.delay)
            if failing and args.status:
                extra = []
                retry_after = args.retry_after if args.retry_after is not None else (1 if args.status in (429, 503) else None)
                if retry_after is not None:
                    extra.append(("Retry-After", str(retry_after)))
                reply = go_http_error(args.status, REASONS.get(args.status, "status %d" % args.status), extra)
            elif failing and args.garbage:
                reply = Reply(200, GARBAGE, "text/html; charset=utf-8")
            else:
                reply = backend.route(self.command, parts.path, query, headers)
            self.send(reply, headers, broken=failing and args.broken)

        def send(self, reply, request_headers, broken):
            body = reply.body
            headers = list(reply.headers)
            if args.gzip and body and accepts_gzip(request_headers.get("accept-encoding", "")):
                body = gzip.compress(body, mtime=0)
                headers.append(("Content-Encoding", "gzip"))
                headers.append(("Vary", "Accept-Encoding"))
            self.send_response(reply.status)
            for name, value in headers:
                self.send_header(name, value)
            if broken:
                self.send_header("Content-Length", str(len(body) + 1024))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = handle_request

    return Handler


def start(args, store, port=None):
    backend = Backend(args, store)
    server = ThreadingHTTPServer((args.host, args.port if port is None else port), make_handler(backend, args.log))
    server.daemon_threads = True
    return server


# ---------------------------------------------------------------------------------------------
# Built-in traces (also what --self-test serves)

BUILTIN_BASE_NS = calendar.timegm((2026, 12, 1, 10, 0, 0)) * 1_000_000_000
TRACE_A = "5b8efff798038103d269b633813fc60c"   # order-service -> inventory-service, two resources
TRACE_B = "0af7651916cd43dd8448eb211c80319c"   # payment-api, errors, newest
TRACE_C = "00000000000000004bf92f3577b34da6"   # email-worker, 64-bit ID, a link to TRACE_A


def builtin_lines():
    def at(ms):
        return str(BUILTIN_BASE_NS + int(ms * 1_000_000))

    def kv(key, value):
        if isinstance(value, bool):
            return {"key": key, "value": {"boolValue": value}}
        if isinstance(value, int):
            return {"key": key, "value": {"intValue": str(value)}}
        if isinstance(value, float):
            return {"key": key, "value": {"doubleValue": value}}
        return {"key": key, "value": {"stringValue": value}}

    def span(trace, span_id, parent, name, kind, start, end, attributes, status=None, **extra):
        out = {"traceId": trace, "spanId": span_id, "parentSpanId": parent or "", "name": name, "kind": kind,
               "startTimeUnixNano": at(start), "endTimeUnixNano": at(end),
               "attributes": [kv(k, v) for k, v in attributes.items()], "status": status or {}}
        out.update(extra)
        return out

    def line(service, spans):
        return {"resourceSpans": [{"resource": {"attributes": [kv("service.name", service)]},
                                   "scopeSpans": [{"scope": {"name": "backend-double", "version": "1"}, "spans": spans}]}]}

    return [
        line("order-service", [
            span(TRACE_A, "eee19b7ec3c1b174", None, "GET /api/orders/{id}", 2, 0, 180,
                 {"http.request.method": "GET", "http.response.status_code": 200}, traceState="vendor=abc"),
            span(TRACE_A, "1a2b3c4d5e6f7081", "eee19b7ec3c1b174", "SELECT orders", 3, 5, 40, {"db.system": "postgresql", "db.rows": 3}),
            span(TRACE_A, "3c4d5e6f708192a3", "eee19b7ec3c1b174", "GET /inventory", 3, 45, 170, {"http.request.method": "GET"}),
        ]),
        line("inventory-service", [
            span(TRACE_A, "4d5e6f708192a3b4", "3c4d5e6f708192a3", "GET /inventory", 2, 50, 165,
                 {"cache.hit": False, "stock.ratio": 0.75},
                 events=[{"timeUnixNano": at(60), "name": "cache miss", "attributes": [kv("cache.key", "sku:1042")]}]),
        ]),
        line("payment-api", [
            span(TRACE_B, "b7ad6b7169203331", None, "POST /api/payments", 2, 60000, 60250,
                 {"http.response.status_code": 504}, {"message": "fraud check timed out", "code": 2}),
            span(TRACE_B, "d9cf8d938b425553", "b7ad6b7169203331", "POST fraud-check", 3, 60012, 60245,
                 {"retry.count": 2}, {"code": 2}),
        ]),
        line("email-worker", [
            span(TRACE_C, "00f067aa0ba902b7", None, "process email", 5, 5000, 5420, {"messaging.system": "rabbitmq"},
                 links=[{"traceId": TRACE_A, "spanId": "eee19b7ec3c1b174"}]),
        ]),
    ]


# ---------------------------------------------------------------------------------------------
# Self-test

def self_test(parser):
    import urllib.error
    import urllib.request
    import tempfile
    import os
    import http.client

    store = Store()
    for obj in builtin_lines():
        store.add_object(obj)
    failures = []
    servers = []

    def serve(*argv):
        args = parser.parse_args(list(argv))
        server = start(args, store, port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return "http://127.0.0.1:%d" % server.server_address[1]

    def get(url, headers=None):
        request = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def check(name, condition, detail=""):
        if not condition:
            failures.append("%s: %s" % (name, detail))

    def check_json(name, url, status, headers=None):
        code, response_headers, body = get(url, headers)
        check(name + " status", code == status, "got %d, body %r" % (code, body[:300]))
        try:
            return json.loads(body), response_headers
        except ValueError:
            check(name + " JSON", False, "body %r" % body[:300])
            return {}, response_headers

    b64 = lambda h: base64.b64encode(bytes.fromhex(h)).decode()

    # Tempo
    tempo = serve("--role", "tempo", "--partial", TRACE_A)
    body, headers = check_json("tempo v2", tempo + "/api/v2/traces/" + TRACE_B, 200)
    spans = [s for rs in body.get("trace", {}).get("resourceSpans", []) for ss in rs["scopeSpans"] for s in ss["spans"]]
    check("tempo v2 spans", len(spans) == 2, body)
    check("tempo v2 content type", headers.get("Content-Type") == "application/json", headers)
    if spans:
        check("tempo v2 base64 traceId", spans[0]["traceId"] == b64(TRACE_B), spans[0])
        check("tempo v2 base64 parentSpanId", spans[1].get("parentSpanId") == b64("b7ad6b7169203331"), spans[1])
        check("tempo v2 kind name", spans[0]["kind"] == "SPAN_KIND_SERVER", spans[0])
        check("tempo v2 status name", spans[0]["status"] == {"message": "fraud check timed out", "code": "STATUS_CODE_ERROR"}, spans[0])
        check("tempo v2 int64 as string", spans[0]["startTimeUnixNano"] == str(BUILTIN_BASE_NS + 60_000_000_000), spans[0])
        check("tempo v2 int attribute", {"key": "http.response.status_code", "value": {"intValue": "504"}} in spans[0]["attributes"], spans[0])
    check("tempo v2 complete has no status", "status" not in body, body)
    body, _ = check_json("tempo v2 short ID", tempo + "/api/v2/traces/4bf92f3577b34da6", 200)
    check("tempo v2 short ID found", len(body.get("trace", {}).get("resourceSpans", [])) == 1, body)
    body, _ = check_json("tempo v2 link", tempo + "/api/v2/traces/" + TRACE_C, 200)
    link = body["trace"]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["links"][0]
    check("tempo v2 link IDs base64", link == {"traceId": b64(TRACE_A), "spanId": b64("eee19b7ec3c1b174")}, link)
    body, _ = check_json("tempo v2 partial", tempo + "/api/v2/traces/" + TRACE_A, 200)
    spans = [s for rs in body["trace"]["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]]
    check("tempo v2 partial half", len(spans) == 2, len(spans))
    check("tempo v2 partial status", body.get("status") == "PARTIAL" and "5000000 bytes" in body.get("message", ""), body)
    body, _ = check_json("tempo v2 missing", tempo + "/api/v2/traces/0123456789abcdef0123456789abcdef", 200)
    check("tempo v2 missing: empty trace", body.get("trace") == {}, body)
    code, _, text = get(tempo + "/api/v2/traces/xyz")
    check("tempo bad ID", code == 400 and text == b"trace IDs can only contain hex characters: invalid character 'x' at position 1", (code, text))
    code, _, text = get(tempo + "/api/v2/traces/" + "ab" * 17)
    check("tempo long ID", code == 400 and b"can't be larger than 128 bits" in text, (code, text))
    body, _ = check_json("tempo v1", tempo + "/api/traces/" + TRACE_A, 200)
    check("tempo v1 batches", len(body.get("batches", [])) == 2 and "resourceSpans" not in body, list(body))
    code, _, text = get(tempo + "/api/traces/0123456789abcdef0123456789abcdef")
    check("tempo v1 missing", code == 404 and text == b"", (code, text))
    start_s = BUILTIN_BASE_NS // 1_000_000_000
    code, _, _ = get(tempo + "/api/traces/%s?start=%d&end=%d" % (TRACE_B, start_s - 100, start_s + 10))
    check("tempo v1 outside start/end", code == 404, code)
    code, _, _ = get(tempo + "/api/traces/%s?start=%d&end=%d" % (TRACE_B, start_s, start_s + 100))
    check("tempo v1 inside start/end", code == 200, code)
    code, _, text = get(tempo + "/api/traces/%s?start=x" % TRACE_B)
    check("tempo v1 bad start", code == 400 and text.startswith(b"invalid start: "), (code, text))
    code, _, text = get(tempo + "/api/echo")
    check("tempo echo", code == 200 and text == b"echo\n", (code, text))
    body, _ = check_json("tempo search all", tempo + "/api/search?q=" + urllib.parse.quote("{}"), 200)
    ids = [t["traceID"] for t in body.get("traces", [])]
    check("tempo search newest first, zeros stripped", ids == [TRACE_B.lstrip("0"), TRACE_C.lstrip("0"), TRACE_A], ids)
    if body.get("traces"):
        first = body["traces"][0]
        check("tempo search root", first["rootServiceName"] == "payment-api" and first["rootTraceName"] == "POST /api/payments", first)
        check("tempo search fields", first["startTimeUnixNano"] == str(BUILTIN_BASE_NS + 60_000_000_000) and first["durationMs"] == 250, first)
        check("tempo search spanSets", first["spanSets"][0]["matched"] == 2 and len(first["spanSets"][0]["spans"]) == 2, first)
    body, _ = check_json("tempo search limit", tempo + "/api/search?limit=1&q=" + urllib.parse.quote("{ }"), 200)
    check("tempo search limit 1", len(body.get("traces", [])) == 1, body)
    for query, expected in (('{ resource.service.name = "inventory-service" }', [TRACE_A]),
                            ('{ name = "process email" }', [TRACE_C.lstrip("0")]),
                            ('{ span:name = "process email" }', [TRACE_C.lstrip("0")]),
                            ("{ status = error }", [TRACE_B.lstrip("0")]),
                            ("{ span.http.response.status_code >= 500 }", [TRACE_B.lstrip("0")]),
                            ("{ span.db.rows = 3 && span.db.system = \"postgresql\" }", [TRACE_A]),
                            ("{ span.db.rows = 4 }", []),
                            ("{ .service.name = \"email-worker\" && kind = consumer }", [TRACE_C.lstrip("0")]),
                            ("{ span.cache.hit = false && duration > 100ms }", [TRACE_A])):
        body, _ = check_json("tempo search " + query, tempo + "/api/search?q=" + urllib.parse.quote(query), 200)
        ids = [t["traceID"] for t in body.get("traces", [])]
        check("tempo search " + query, ids == expected, ids)
    body, _ = check_json("tempo search attributes", tempo + "/api/search?q=" + urllib.parse.quote('{ resource.service.name = "payment-api" }'), 200)
    span0 = body["traces"][0]["spanSets"][0]["spans"][0]
    check("tempo search span attributes", span0.get("attributes") == [{"key": "service.name", "value": {"stringValue": "payment-api"}}], span0)
    code, _, text = get(tempo + "/api/search?q=" + urllib.parse.quote("{ name = }"))
    check("tempo search parse error", code == 400 and text.startswith(b"invalid TraceQL query: parse error at line 1, col 10"), (code, text))
    code, _, text = get(tempo + "/api/search?q=" + urllib.parse.quote("{} | count() > 1"))
    check("tempo search unsupported", code == 400 and text.startswith(b"invalid TraceQL query: "), (code, text))
    code, _, text = get(tempo + "/api/search?limit=0")
    check("tempo search limit 0", code == 400 and text == b"invalid limit: must be a positive number", (code, text))
    body, _ = check_json("tempo search start/end", tempo + "/api/search?start=%d&end=%d" % (start_s + 30, start_s + 90), 200)
    check("tempo search start/end window", [t["traceID"] for t in body.get("traces", [])] == [TRACE_B.lstrip("0")], body)
    code, _, text = get(tempo + "/api/nothing")
    check("tempo unknown path", code == 404 and text == b"404 page not found\n", (code, text))

    for flags, v1_key in ((("--no-v2",), "batches"), (("--legacy",), "batches"), (("--v1-key", "resourceSpans"), "resourceSpans")):
        url = serve("--role", "tempo", *flags)
        code, _, text = get(url + "/api/v2/traces/" + TRACE_A)
        if "--v1-key" in flags:
            check("tempo %s v2 still there" % (flags,), code == 200, code)
        else:
            check("tempo %s v2 gone" % (flags,), code == 404 and text == b"404 page not found\n", (code, text))
        body, _ = check_json("tempo %s v1" % (flags,), url + "/api/traces/" + TRACE_A, 200)
        check("tempo %s v1 key" % (flags,), list(body) == [v1_key], list(body))
    url = serve("--role", "tempo", "--v2-not-found-404")
    code, _, text = get(url + "/api/v2/traces/0123456789abcdef0123456789abcdef")
    check("tempo --v2-not-found-404", code == 404 and text == b"", (code, text))

    # Jaeger
    jaeger = serve("--role", "jaeger")
    body, headers = check_json("jaeger v3", jaeger + "/api/v3/traces/" + TRACE_A, 200)
    rss = body.get("result", {}).get("resourceSpans", [])
    check("jaeger v3 two resources", len(rss) == 2, body)
    if rss:
        span0 = rss[0]["scopeSpans"][0]["spans"][0]
        check("jaeger v3 hex IDs", span0["traceId"] == TRACE_A and span0["spanId"] == "eee19b7ec3c1b174", span0)
        check("jaeger v3 integer kind", span0["kind"] == 2, span0)
        check("jaeger v3 int64 as string", span0["startTimeUnixNano"] == str(BUILTIN_BASE_NS), span0)
    body, _ = check_json("jaeger v3 short ID", jaeger + "/api/v3/traces/4bf92f3577b34da6", 200)
    body, _ = check_json("jaeger v3 base64 ID", jaeger + "/api/v3/traces/" + urllib.parse.quote(b64(TRACE_B)), 200)
    code, headers, text = get(jaeger + "/api/v3/traces/0123456789abcdef0123456789abcdef")
    check("jaeger v3 missing", code == 404 and text == b'{"error":{"httpCode":404,"message":"No traces found"}}\n', (code, text))
    check("jaeger v3 missing content type", headers.get("Content-Type") == "text/plain; charset=utf-8", headers)
    code, _, text = get(jaeger + "/api/v3/traces/" + "x" * 30)
    check("jaeger v3 bad ID", code == 400 and b"malformed parameter trace_id: strconv.ParseUint" in text, (code, text))
    code, _, text = get(jaeger + "/api/v3/traces/%s?startTime=%s" % (TRACE_A, "2027-01-01T00:00:00Z"))
    check("jaeger v3 after startTime", code == 404, (code, text))
    code, _, text = get(jaeger + "/api/v3/traces/%s?startTime=yesterday" % TRACE_A)
    check("jaeger v3 bad startTime", code == 400 and b"malformed parameter startTime" in text, (code, text))
    body, _ = check_json("jaeger v1", jaeger + "/api/traces/" + TRACE_A, 200)
    trace = (body.get("data") or [{}])[0]
    check("jaeger v1 envelope", body.get("total") == 0 and body.get("errors") is None and trace.get("traceID") == TRACE_A, body)
    check("jaeger v1 processes", trace.get("processes") == {"p1": {"serviceName": "order-service", "tags": []},
                                                           "p2": {"serviceName": "inventory-service", "tags": []}}, trace.get("processes"))
    spans = {s["spanID"]: s for s in trace.get("spans", [])}
    inventory = spans.get("4d5e6f708192a3b4", {})
    check("jaeger v1 reference", inventory.get("references") == [{"refType": "CHILD_OF", "traceID": TRACE_A, "spanID": "3c4d5e6f708192a3"}], inventory)
    check("jaeger v1 times", inventory.get("startTime") == BUILTIN_BASE_NS // 1000 + 50_000 and inventory.get("duration") == 115_000, inventory)
    check("jaeger v1 tags", {"key": "span.kind", "type": "string", "value": "server"} in inventory.get("tags", []) and
          {"key": "cache.hit", "type": "bool", "value": False} in inventory.get("tags", []), inventory.get("tags"))
    check("jaeger v1 logs", inventory.get("logs") == [{"timestamp": BUILTIN_BASE_NS // 1000 + 60_000, "fields": [
        {"key": "event", "type": "string", "value": "cache miss"}, {"key": "cache.key", "type": "string", "value": "sku:1042"}]}], inventory.get("logs"))
    body, _ = check_json("jaeger v1 64-bit", jaeger + "/api/traces/" + TRACE_C, 200)
    email = body["data"][0]
    check("jaeger v1 64-bit ID printed short", email["traceID"] == "4bf92f3577b34da6", email["traceID"])
    check("jaeger v1 link", email["spans"][0]["references"] == [{"refType": "FOLLOWS_FROM", "traceID": TRACE_A, "spanID": "eee19b7ec3c1b174"}], email["spans"][0])
    body, _ = check_json("jaeger v1 error tags", jaeger + "/api/traces/" + TRACE_B, 200)
    tags = body["data"][0]["spans"][0]["tags"]
    check("jaeger v1 error tags", tags[-3:] == [{"key": "otel.status_code", "type": "string", "value": "ERROR"},
                                                {"key": "error", "type": "bool", "value": True},
                                                {"key": "otel.status_description", "type": "string", "value": "fraud check timed out"}], tags)
    code, _, text = get(jaeger + "/api/traces/0123456789abcdef0123456789abcdef")
    check("jaeger v1 missing", code == 404 and json.loads(text) == {"data": None, "total": 0, "limit": 0, "offset": 0,
                                                                     "errors": [{"code": 404, "msg": "trace not found"}]}, (code, text))
    window = "query.startTimeMin=2026-12-01T09:00:00Z&query.startTimeMax=2026-12-01T11:00:00.000000001Z"
    code, _, text = get(jaeger + "/api/v3/traces?query.serviceName=payment-api")
    check("jaeger find needs times", code == 400 and json.loads(text) == {"error": {"httpCode": 400,
          "message": "query.startTimeMin and query.startTimeMax are required"}}, (code, text))
    for query, expected in (("query.serviceName=payment-api", [TRACE_B]),
                            ("query.serviceName=inventory-service&query.operationName=" + urllib.parse.quote("GET /inventory"), [TRACE_A]),
                            ("query.attributes=" + urllib.parse.quote('{"db.system":"postgresql"}'), [TRACE_A]),
                            ("query.attributes=" + urllib.parse.quote('{"error":"true"}'), [TRACE_B]),
                            ("query.durationMin=400ms", [TRACE_C]),
                            ("", [TRACE_B, TRACE_C, TRACE_A]),
                            ("query.searchDepth=1", [TRACE_B])):
        body, _ = check_json("jaeger find " + query, jaeger + "/api/v3/traces?" + window + "&" + query, 200)
        ids = []
        for rs in body.get("result", {}).get("resourceSpans", []):
            trace_id = rs["scopeSpans"][0]["spans"][0]["traceId"]
            if trace_id not in ids:
                ids.append(trace_id)
        check("jaeger find " + query, ids == expected, ids)
    code, _, text = get(jaeger + "/api/v3/traces?" + window + "&query.serviceName=nobody")
    check("jaeger find nothing", code == 404 and b"No traces found" in text, (code, text))
    code, _, text = get(jaeger + "/api/v3/traces?" + window + "&query.durationMin=fast")
    check("jaeger find bad duration", code == 400 and b'malformed parameter query.durationMin: time: invalid duration \\"fast\\"' in text, (code, text))
    body, _ = check_json("jaeger services", jaeger + "/api/v3/services", 200)
    check("jaeger services", body == {"services": ["email-worker", "inventory-service", "order-service", "payment-api"]}, body)
    body, _ = check_json("jaeger operations", jaeger + "/api/v3/operations?service=payment-api", 200)
    check("jaeger operations", body == {"operations": [{"name": "POST /api/payments", "spanKind": "server"},
                                                       {"name": "POST fraud-check", "spanKind": "client"}]}, body)
    url = serve("--role", "jaeger", "--no-v3")
    code, _, text = get(url + "/api/v3/traces/" + TRACE_A)
    check("jaeger --no-v3", code == 404 and text == b"404 page not found\n", (code, text))
    check_json("jaeger --no-v3 v1", url + "/api/traces/" + TRACE_A, 200)
    url = serve("--role", "jaeger", "--require-service")
    code, _, text = get(url + "/api/v3/traces?" + window)
    check("jaeger --require-service", code == 500 and b"service Name must be set" in text, (code, text))

    # Failure modes
    log = tempfile.NamedTemporaryFile(prefix="backend-double-", suffix=".jsonl", delete=False).name
    try:
        url = serve("--role", "tempo", "--require-header", "X-Scope-OrgID: team-a", "--log", log)
        code, _, text = get(url + "/api/v2/traces/" + TRACE_A)
        check("--require-header missing", code == 401 and text == b"no org id\n", (code, text))
        code, _, _ = get(url + "/api/v2/traces/" + TRACE_A, {"X-Scope-OrgID": "team-b"})
        check("--require-header wrong", code == 401, code)
        code, _, _ = get(url + "/api/v2/traces/" + TRACE_A + "?start=1&end=2000000000", {"X-Scope-OrgID": "team-a"})
        check("--require-header given", code == 200, code)
        code, _, _ = get(url + "/api/echo")
        check("echo needs no tenant", code == 200, code)
        with open(log, encoding="utf-8") as f:
            lines = [json.loads(l) for l in f]
        check("--log lines", len(lines) == 4, lines)
        if len(lines) == 4:
            check("--log header", lines[2]["headers"].get("x-scope-orgid") == "team-a", lines[2])
            check("--log query", lines[2]["query"] == {"start": "1", "end": "2000000000"} and lines[2]["path"] == "/api/v2/traces/" + TRACE_A, lines[2])
            check("--log method", lines[2]["method"] == "GET", lines[2])
    finally:
        os.unlink(log)
    url = serve("--role", "jaeger", "--require-header", "x-tenant: team-a")
    code, _, text = get(url + "/api/v3/traces/" + TRACE_A)
    check("jaeger --require-header", code == 401 and text == b"", (code, text))
    url = serve("--role", "jaeger", "--require-token", "s3cret")
    code, headers, _ = get(url + "/api/v3/services")
    check("--require-token missing", code == 401 and headers.get("WWW-Authenticate", "").startswith("Bearer"), (code, headers))
    code, _, _ = get(url + "/api/v3/services", {"Authorization": "Bearer wrong"})
    check("--require-token wrong", code == 401, code)
    code, _, _ = get(url + "/api/v3/services", {"Authorization": "Bearer s3cret"})
    check("--require-token right", code == 200, code)
    url = serve("--role", "tempo", "--delay", "0.3")
    began = time.monotonic()
    code, _, _ = get(url + "/api/echo")
    check("--delay", code == 200 and time.monotonic() - began >= 0.3, time.monotonic() - began)
    url = serve("--role", "jaeger", "--status", "503")
    code, headers, text = get(url + "/api/v3/services")
    check("--status 503", code == 503 and headers.get("Retry-After") == "1" and text == b"Service Unavailable\n", (code, headers, text))
    url = serve("--role", "tempo", "--status", "500", "--fail-times", "1")
    code, headers, _ = get(url + "/api/v2/traces/" + TRACE_A)
    check("--status 500 first", code == 500 and "Retry-After" not in headers, (code, headers))
    code, _, _ = get(url + "/api/v2/traces/" + TRACE_A)
    check("--fail-times 1 then normal", code == 200, code)
    url = serve("--role", "jaeger", "--garbage")
    code, headers, text = get(url + "/api/v3/traces/" + TRACE_A)
    check("--garbage", code == 200 and text.startswith(b"<!DOCTYPE html>") and headers.get("Content-Type", "").startswith("text/html"), (code, headers))
    url = serve("--role", "tempo", "--broken")
    port = int(url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/api/v2/traces/" + TRACE_A)
    response = connection.getresponse()
    declared = int(response.getheader("Content-Length"))
    try:
        response.read()
        check("--broken", False, "the whole body arrived")
    except http.client.IncompleteRead as error:
        check("--broken", 0 < len(error.partial) < declared, (len(error.partial), declared))
    connection.close()
    url = serve("--role", "tempo", "--gzip")
    code, headers, raw = get(url + "/api/v2/traces/" + TRACE_A, {"Accept-Encoding": "gzip"})
    check("--gzip encoded", code == 200 and headers.get("Content-Encoding") == "gzip", headers)
    try:
        check("--gzip body", "trace" in json.loads(gzip.decompress(raw)), raw[:50])
    except (OSError, ValueError) as error:
        check("--gzip body", False, error)
    code, headers, raw = get(url + "/api/v2/traces/" + TRACE_A)
    check("--gzip only when asked", code == 200 and "Content-Encoding" not in headers and json.loads(raw).get("trace"), headers)

    stoppers = [threading.Thread(target=server.shutdown) for server in servers]
    for stopper in stoppers:
        stopper.start()
    for stopper in stoppers:
        stopper.join()
    for server in servers:
        server.server_close()
    if failures:
        for failure in failures:
            print("FAIL " + failure, file=sys.stderr)
        return 1
    print("ok")
    return 0


# ---------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description="Tempo and Jaeger query API test double (see docs/backend-double.md)")
    parser.add_argument("--role", choices=("tempo", "jaeger"))
    parser.add_argument("--traces", nargs="+", default=[], metavar="FILE", help="OTLP/JSON files (default: built-in traces)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--legacy", action="store_true", help="tempo: before 2.6, no /api/v2/traces")
    parser.add_argument("--no-v2", action="store_true", help="tempo: /api/v2/traces answers 404")
    parser.add_argument("--v2-not-found-404", action="store_true", help="tempo: a missing trace is a 404 on v2 too")
    parser.add_argument("--v1-key", choices=("batches", "resourceSpans"), default="batches", help="tempo: /api/traces/<id> key")
    parser.add_argument("--partial", action="append", default=[], metavar="ID", help="tempo: v2 answers half of this trace, PARTIAL")
    parser.add_argument("--max-bytes", type=int, default=5_000_000, help="tempo: the size named in the PARTIAL message")
    parser.add_argument("--no-v3", action="store_true", help="jaeger: /api/v3 answers 404")
    parser.add_argument("--require-service", action="store_true", help="jaeger: find without a service fails (500)")
    parser.add_argument("--require-header", action="append", default=[], metavar="'NAME: VALUE'")
    parser.add_argument("--require-token", metavar="TOKEN")
    parser.add_argument("--delay", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--status", type=int, metavar="CODE")
    parser.add_argument("--retry-after", type=int, metavar="SECONDS")
    parser.add_argument("--garbage", action="store_true")
    parser.add_argument("--broken", action="store_true")
    parser.add_argument("--fail-times", type=int, metavar="N")
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument("--log", metavar="FILE")
    parser.add_argument("--verbose", action="store_true", help="log each request to standard error")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()

    if args.self_test:
        sys.exit(self_test(parser))
    if not args.role:
        parser.error("--role is required")
    for header in args.require_header:
        if ":" not in header:
            parser.error("--require-header takes 'Name: value'")
    store = Store()
    if args.traces:
        for path in args.traces:
            with open(path, encoding="utf-8") as f:
                store.load_text(f.read())
    else:
        for obj in builtin_lines():
            store.add_object(obj)
    server = start(args, store)
    print("listening on %s:%d" % server.server_address[:2], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
