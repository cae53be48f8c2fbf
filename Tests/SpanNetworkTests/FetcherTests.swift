#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SpanFormats
import SpanIngest
import SpanModel
@testable import SpanNetwork
import Testing

/// A Python HTTP server on 127.0.0.1 with the answers the fetcher must survive: a body bigger
/// than the limit, a gzip bomb, a slow answer, a redirect to another host, a `.gz` file served
/// as bytes, protobuf. It logs what each request carried, one JSON line each.
final class EdgeServer {
    let process = Process()
    let port: Int
    let log: URL

    static let script = #"""
    import gzip, http.server, json, sys, time
    log = open(sys.argv[2], "a")
    samples = sys.argv[3]
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *a): pass
        def send(self, status, body, headers=()):
            self.send_response(status)
            for k, v in headers: self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def do_GET(self):
            log.write(json.dumps({"path": self.path, "host": self.headers.get("Host"),
                "authorization": self.headers.get("Authorization"), "org": self.headers.get("X-Scope-OrgID"),
                "agent": self.headers.get("User-Agent")}) + "\n"); log.flush()
            p = self.path
            if p == "/big": self.send(200, b"x" * (3 << 20))
            elif p == "/bomb": self.send(200, gzip.compress(b"\0" * (64 << 20)), [("Content-Encoding", "gzip")])
            elif p == "/slow": time.sleep(3); self.send(200, b"{}")
            elif p == "/redirect-away": self.send(302, b"", [("Location", "http://localhost:%d/sample.json" % self.server.server_port)])
            elif p == "/redirect-here": self.send(302, b"", [("Location", "/sample.json")])
            elif p == "/sample.json": self.send(200, open(samples + "/payment-timeout.json", "rb").read())
            elif p == "/sample.json.gz": self.send(200, gzip.compress(open(samples + "/payment-timeout.json", "rb").read()), [("Content-Type", "application/octet-stream")])
            elif p == "/sample.gzip-encoded": self.send(200, gzip.compress(open(samples + "/payment-timeout.json", "rb").read()), [("Content-Encoding", "gzip")])
            elif p == "/damaged.gz":
                whole = gzip.compress(open(samples + "/payment-timeout.json", "rb").read())
                self.send(200, whole[:len(whole) * 3 // 4])
            elif p == "/protobuf": self.send(200, open(sys.argv[4], "rb").read(), [("Content-Type", "application/x-protobuf")])
            else: self.send(404, b"404 page not found\n")
    s = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H)
    print("listening on 127.0.0.1:%d" % s.server_port, flush=True)
    s.serve_forever()
    """#

    init() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-edge-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let scriptURL = dir.appendingPathComponent("edge.py")
        try Self.script.write(to: scriptURL, atomically: true, encoding: .utf8)
        log = dir.appendingPathComponent("requests.jsonl")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        // One trace in OTLP protobuf, written by spanview's own writer.
        let protobufURL = dir.appendingPathComponent("trace.pb")
        var protobuf: [UInt8] = []
        OTLPProtobufWriter.write(try Self.sampleSpans(), into: &protobuf)
        try Data(protobuf).write(to: protobufURL)

        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path, "0", log.path, Self.samples.path, protobufURL.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard let portText = line.split(separator: ":").last?.trimmingCharacters(in: .whitespacesAndNewlines), let port = Int(portText) else {
            kill(process.processIdentifier, SIGKILL)
            throw EdgeServerError(text: "the edge server did not start: '\(line)'")
        }
        self.port = port
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func url(_ path: String, host: String = "127.0.0.1") -> URL { URL(string: "http://\(host):\(port)\(path)")! }

    /// What each request carried, oldest first.
    func requests() -> [[String: String]] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
                ?? ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?.compactMapValues { $0 as? String }
        }
    }

    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples")

    static func sampleSpans() throws -> [Span] {
        let loaded = try InputLoader.load([samples.appendingPathComponent("payment-timeout.json").path])
        return loaded.store.traces.flatMap(\.spans)
    }
}

struct EdgeServerError: Error { var text: String }

/// Reads a source to its end, as the inbox would.
func readAll(_ source: any SpanSource) -> (spans: [Span], status: InputStatus) {
    var status = InputStatus(name: source.name)
    var spans: [Span] = []
    source.read { batch in
        spans += batch.spans
        status.take(batch)
        return true
    }
    return (spans, status)
}

@Suite(.serialized) struct FetcherTests {
    let server: EdgeServer

    init() throws { server = try EdgeServer() }

    @Test func aURLIsReadLikeTheFile() throws {
        let expected = try EdgeServer.sampleSpans()
        for path in ["/sample.json", "/sample.json.gz", "/sample.gzip-encoded", "/redirect-here", "/protobuf"] {
            let (spans, status) = readAll(URLSource(url: server.url(path), fetcher: HTTPFetcher()))
            #expect(status.end == .complete, "\(path): \(status.end?.failure ?? "")")
            #expect(spans.count == expected.count, "\(path)")
            #expect(Set(spans.map(\.spanID)) == Set(expected.map(\.spanID)), "\(path)")
            #expect(status.problems.isEmpty, "\(path): \(status.problems.map(\.message))")
        }
    }

    @Test func aBodyOverTheLimitIsRefused() {
        let fetcher = HTTPFetcher(.init(maxBodyBytes: 1 << 20))
        guard case .failure(let error) = fetcher.get(server.url("/big")) else {
            Issue.record("a 3 MiB body passed a 1 MiB limit")
            return
        }
        #expect(error == .tooLarge(server.url("/big"), limit: 1 << 20))
        #expect(error.reason == "the answer is over 1 MiB (--max-fetch-mib)")
    }

    @Test func aGzipBombStopsAtTheLimitAfterDecompression() {
        // 64 MiB of zeros arrive as 64 KiB; the limit counts what they decompress to.
        let fetcher = HTTPFetcher(.init(maxBodyBytes: 8 << 20))
        let result = fetcher.get(server.url("/bomb"))
        guard case .failure(.tooLarge) = result else {
            Issue.record("expected tooLarge, got \(result)")
            return
        }
    }

    @Test func aSlowAnswerTimesOutWithOneLine() {
        let started = Date()
        let result = HTTPFetcher(.init(timeout: 0.5)).get(server.url("/slow"))
        guard case .failure(let error) = result else {
            Issue.record("a 3 s answer beat a 0.5 s timeout")
            return
        }
        #expect(Date().timeIntervalSince(started) < 2.5)
        #expect(error.reason == "no answer within 0.5 s (--timeout)")
    }

    @Test func nothingListeningIsSaidAsSuch() {
        // A port just used and closed: nothing listens there.
        let result = HTTPFetcher().get(URL(string: "http://127.0.0.1:1/x")!)
        guard case .failure(.unreachable(_, let reason)) = result else {
            Issue.record("expected unreachable, got \(result)")
            return
        }
        #expect(reason.contains("onnect"))
    }

    @Test func tlsToAPlainServerIsATLSError() {
        // https:// to a port that answers plain HTTP: the handshake fails, said as TLS.
        let result = HTTPFetcher(.init(timeout: 5)).get(URL(string: "https://127.0.0.1:\(server.port)/sample.json")!)
        guard case .failure(let error) = result, case .tls = error else {
            Issue.record("expected a TLS failure, got \(result)")
            return
        }
        #expect(error.reason.hasPrefix("TLS failed ("), "\(error.reason)")
    }

    @Test func headersGoAlongButNotToAnotherHost() throws {
        let fetcher = HTTPFetcher(.init(headers: [("Authorization", "Bearer s3cret"), ("X-Scope-OrgID", "team-a")]))
        let same = fetcher.get(server.url("/sample.json"))
        #expect((try? same.get().status) == 200)
        let away = fetcher.get(server.url("/redirect-away"))
        #expect((try? away.get().status) == 200)
        let requests = server.requests()
        #expect(requests.count == 3)
        #expect(requests[0]["authorization"] == "Bearer s3cret")
        #expect(requests[0]["org"] == "team-a")
        #expect(requests[0]["agent"]?.hasPrefix("spanview") == true)
        #expect(requests[1]["authorization"] == "Bearer s3cret")   // the redirecting host itself
        #expect(requests[2]["host"]?.hasPrefix("localhost") == true)
        #expect(requests[2]["authorization"] == nil)
        #expect(requests[2]["org"] == nil)
    }

    @Test func notFoundAndDamageEndTheInputWithOneLine() {
        let (_, missing) = readAll(URLSource(url: server.url("/nothing-here"), fetcher: HTTPFetcher()))
        #expect(missing.end?.failure == "HTTP 404 Not Found: 404 page not found")
        // Cut inside the gzip stream: the spans before the cut are kept, the cut is reported.
        let (spans, damaged) = readAll(URLSource(url: server.url("/damaged.gz"), fetcher: HTTPFetcher()))
        let whole = (try? EdgeServer.sampleSpans().count) ?? 0
        #expect(spans.count > 0 && spans.count < whole, "\(spans.count) of \(whole)")
        #expect(damaged.end == .complete)
        #expect(damaged.problems.last?.reason.hasSuffix("nothing after it was read") == true, "\(damaged.problems.map(\.reason))")
    }
}

/// HTTPS with a certificate nobody vouches for: the fetch fails as a TLS error naming the
/// certificate problem, not as a hang or an unreadable answer.
@Suite struct UntrustedCertificateTests {
    @Test func aSelfSignedCertificateIsRefusedInOneLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("key.pem").path, cert = dir.appendingPathComponent("cert.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                             "-days", "1", "-subj", "/CN=127.0.0.1"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a certificate")

        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", """
            import http.server, ssl, sys
            s = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(sys.argv[1], sys.argv[2])
            s.socket = c.wrap_socket(s.socket, server_side=True)
            print(s.server_port, flush=True); s.serve_forever()
            """, cert, key]
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let port = try #require(Int(String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let result = HTTPFetcher(.init(timeout: 5)).get(URL(string: "https://127.0.0.1:\(port)/")!)
        guard case .failure(let error) = result, case .tls = error else {
            Issue.record("expected a TLS failure, got \(result)")
            return
        }
        #expect(error.description.hasPrefix("https://127.0.0.1:\(port)/: TLS failed ("), "\(error.description)")
        #expect(error.reason.lowercased().contains("certificate"), "\(error.reason)")
    }
}

/// An answer's body read as spans: one last batch, whatever the body (fuzz-response found two).
struct ResponseBodyTests {
    static func read(_ body: [UInt8], type: String) -> (spans: Int, ends: Int, counted: Int) {
        var spans = 0, ends = 0, counted = 0
        ResponseBody.decode(HTTPFetcher.Response(status: 200, headers: ["content-type": type], body: body), source: "t") { batch in
            spans += batch.spans.count
            if batch.end != nil { ends += 1 }
            counted = batch.stats.spans
            return true
        }
        return (spans, ends, counted)
    }

    @Test(arguments: ["application/json", "application/x-protobuf", "text/html"])
    func oneEndWhateverTheBody(type: String) throws {
        let sample = try [UInt8](Data(contentsOf: EdgeServer.samples.appendingPathComponent("payment-timeout.json")))
        var protobuf: [UInt8] = []
        OTLPProtobufWriter.write(try EdgeServer.sampleSpans(), into: &protobuf)
        for body in [[], sample, protobuf, Array("<html>sign in</html>".utf8)] {
            let result = Self.read(body, type: type)
            #expect(result.ends == 1)
            #expect(result.spans == result.counted)
        }
        #expect(Self.read(sample, type: "application/json").spans == 7)
        #expect(Self.read(protobuf, type: "application/x-protobuf").spans == 7)
    }
}
