#!/usr/bin/env python3
"""A hostile OTLP/HTTP client, for checking that a receiver stays up and keeps every good span.

    scripts/otlp-hostile.py --port PORT [--host 127.0.0.1] [--phase flood|abuse|all]

flood: 1,000 connections opened at once and held for --hold seconds (more than the receiver
admits), then closed. abuse, all at once on threads: slowloris heads (a byte every half
second), garbage bodies (protobuf and JSON), a protobuf request of three spans cut short
inside the third, a gzip bomb (1 GiB of zeros as 1 MB of gzip), a 1 GB body (Content-Length
said, bytes streamed until the receiver closes), a 100 KB header. Prints one line per attack
with what the receiver answered, and last `kept N` (the spans of the cut request the receiver
should keep: those whole before the cut, in a trace of their own, service `hostile`).
Needs opentelemetry-proto (installed with opentelemetry-exporter-otlp-proto-http).
"""
import argparse
import os
import resource
import socket
import threading
import time
import zlib

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

TRACE = bytes.fromhex("0badc0de0badc0de0badc0de0badc0de")


def answer_of(sock, timeout=10):
    """The status code of the first response on the socket, or what happened instead."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            piece = sock.recv(4096)
            if not piece:
                return "closed" if not data else data.decode("latin-1")
            data += piece
    except socket.timeout:
        return "no answer"
    except OSError as e:
        return f"error {e.errno}"
    return data.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)[1]


def connect(args):
    return socket.create_connection((args.host, args.port), timeout=10)


def post(args, body, content_type="application/x-protobuf", extra=""):
    sock = connect(args)
    head = (f"POST /v1/traces HTTP/1.1\r\nHost: {args.host}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n").encode()
    sock.sendall(head + body)
    status = answer_of(sock)
    sock.close()
    return status


def cut_request():
    """Three spans of one trace as an ExportTraceServiceRequest, cut inside the third."""
    request = ExportTraceServiceRequest()
    rs = request.resource_spans.add()
    attribute = rs.resource.attributes.add()
    attribute.key = "service.name"
    attribute.value.string_value = "hostile"
    scope = rs.scope_spans.add()
    scope.scope.name = "otlp-hostile"
    for i in range(3):
        span = scope.spans.add()
        span.trace_id = TRACE
        span.span_id = bytes([0, 0, 0, 0, 0, 0, 0, i + 1])
        if i:
            span.parent_span_id = bytes([0, 0, 0, 0, 0, 0, 0, 1])
        span.name = f"hostile {i}"
        span.start_time_unix_nano = 1_700_000_000_000_000_000 + i * 1_000_000
        span.end_time_unix_nano = 1_700_000_000_000_000_000 + (i + 1) * 1_000_000
    whole = request.SerializeToString()
    return whole[:-5], 2   # the third span's last bytes: the spans before it are whole


def flood(args, report):
    opened = []
    for _ in range(1000):
        try:
            opened.append(connect(args))
        except OSError:
            break
    time.sleep(args.hold)
    # Those over the receiver's limit were closed by it: a read sees the end at once.
    closed = 0
    for sock in opened:
        sock.settimeout(0.01)
        try:
            if sock.recv(1) == b"":
                closed += 1
        except (socket.timeout, OSError):
            pass
        sock.close()
    report(f"flood: {len(opened)} connections opened, {closed} closed by the receiver")


def slowloris(args, report, seconds):
    socks = []
    for _ in range(20):
        try:
            socks.append(connect(args))
        except OSError:
            pass
    head = b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nX-Slow: "
    end = time.time() + seconds
    sent, broken = 0, 0
    while time.time() < end and socks:
        for sock in list(socks):
            try:
                sock.send(head[sent % len(head):sent % len(head) + 1])
            except OSError:
                socks.remove(sock)
                broken += 1
        sent += 1
        time.sleep(0.5)
    for sock in socks:
        sock.close()
    report(f"slowloris: {broken} of 20 connections closed by the receiver")


def garbage(args, report):
    statuses = [post(args, os.urandom(200)) for _ in range(10)]
    statuses += [post(args, b"{\"resourceSpans\": [{\"oops\"", "application/json") for _ in range(10)]
    report("garbage: " + " ".join(sorted(set(statuses))))


def bomb(args, report):
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    body = b"".join(compressor.compress(zeros) for _ in range(1024)) + compressor.flush()
    report(f"gzip bomb ({len(body)} bytes): " + post(args, body, extra="Content-Encoding: gzip\r\n"))


def huge(args, report):
    sock = connect(args)
    sock.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
                 b"Content-Length: 1073741824\r\n\r\n")
    chunk = bytes(1 << 16)
    sent = 0
    try:
        sock.settimeout(5)
        while sent < (1 << 30):
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    report(f"1 GB body: {answer_of(sock, 5)} after {sent >> 20} MiB sent")
    sock.close()


def big_header(args, report):
    sock = connect(args)
    sock.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
    report(f"100 KB header: {answer_of(sock)}")
    sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--phase", choices=["flood", "abuse", "all"], default="all")
    parser.add_argument("--hold", type=float, default=3, help="seconds the flood's connections are held")
    parser.add_argument("--seconds", type=float, default=4, help="seconds the slowloris connections trickle")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 2048)), hard))

    lock = threading.Lock()

    def report(line):
        with lock:
            print(line, flush=True)

    if args.phase in ("flood", "all"):
        flood(args, report)
    if args.phase in ("abuse", "all"):
        body, kept = cut_request()
        threads = [threading.Thread(target=f, args=a) for f, a in [
            (slowloris, (args, report, args.seconds)), (garbage, (args, report)), (bomb, (args, report)),
            (huge, (args, report)), (big_header, (args, report)),
        ]]
        for t in threads:
            t.start()
        report(f"cut protobuf: {post(args, body)}")
        for t in threads:
            t.join()
        report(f"kept {kept}")


if __name__ == "__main__":
    main()
