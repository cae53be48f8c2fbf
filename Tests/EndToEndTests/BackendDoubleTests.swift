import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The launcher of `scripts/backend-double.py` (the Tempo/Jaeger stand-in for the query
/// clients' tests): it starts in each role, answers over HTTP, logs what it was sent, stops.
/// The script checks every endpoint and failure mode itself (`--self-test`).
@Suite("Backend double: the Tempo and Jaeger test server")
struct BackendDoubleTests {
    static let orderTrace = "5b8efff798038103d269b633813fc60c"
    static let missingTrace = "0123456789abcdef0123456789abcdef"

    struct Answer {
        var status: Int
        var body: Data
        var headers: HTTPURLResponse

        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any], "not a JSON object: \(String(decoding: body, as: UTF8.self))")
        }
    }

    static func get(_ url: String, headers: [String: String] = [:]) async throws -> Answer {
        var request = URLRequest(url: try #require(URL(string: url)))
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        return try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else if let response = response as? HTTPURLResponse {
                    continuation.resume(returning: Answer(status: response.statusCode, body: data ?? Data(), headers: response))
                } else {
                    continuation.resume(throwing: URLError(.badServerResponse))
                }
            }.resume()
        }
    }

    static func spans(_ resourceSpans: Any?) -> [[String: Any]] {
        ((resourceSpans as? [[String: Any]]) ?? []).flatMap { resource in
            ((resource["scopeSpans"] as? [[String: Any]]) ?? []).flatMap { ($0["spans"] as? [[String: Any]]) ?? [] }
        }
    }

    @Test("Tempo: v2 trace with base64 IDs and enum names, v1 404, the tenant header required and logged")
    func tempo() async throws {
        let double = try BackendDouble(role: .tempo, arguments: ["--require-header", "X-Scope-OrgID: team-a"])
        let tenant = ["X-Scope-OrgID": "team-a"]

        let found = try await Self.get(double.baseURL + "/api/v2/traces/\(Self.orderTrace)", headers: tenant)
        #expect(found.status == 200)
        let trace = try #require(try found.json()["trace"] as? [String: Any])
        let spans = Self.spans(trace["resourceSpans"])
        #expect(spans.count == 5)
        let root = try #require(spans.first)
        #expect(root["traceId"] as? String == Data(hex: Self.orderTrace).base64EncodedString())
        #expect(root["kind"] as? String == "SPAN_KIND_SERVER")
        #expect(root["startTimeUnixNano"] is String)

        let missing = try await Self.get(double.baseURL + "/api/traces/\(Self.missingTrace)", headers: tenant)
        #expect(missing.status == 404)
        #expect(missing.body.isEmpty)

        let refused = try await Self.get(double.baseURL + "/api/v2/traces/\(Self.orderTrace)")
        #expect(refused.status == 401)
        #expect(String(decoding: refused.body, as: UTF8.self) == "no org id\n")

        let requests = double.requests()
        #expect(requests.count == 3)
        let first = try #require(requests.first)
        #expect(first["method"] as? String == "GET")
        #expect(first["path"] as? String == "/api/v2/traces/\(Self.orderTrace)")
        #expect((first["headers"] as? [String: Any])?["x-scope-orgid"] as? String == "team-a")
        #expect((requests.last?["headers"] as? [String: Any])?["x-scope-orgid"] == nil)
    }

    @Test("Jaeger: api_v3 trace with hex IDs, internal JSON, 404 bodies, the token logged; stop ends it")
    func jaeger() async throws {
        let double = try BackendDouble(role: .jaeger, arguments: ["--require-token", "s3cret"])
        let token = ["Authorization": "Bearer s3cret"]

        let found = try await Self.get(double.baseURL + "/api/v3/traces/\(Self.orderTrace)", headers: token)
        #expect(found.status == 200)
        let result = try #require(try found.json()["result"] as? [String: Any])
        let spans = Self.spans(result["resourceSpans"])
        #expect(spans.count == 5)
        #expect(spans.first?["traceId"] as? String == Self.orderTrace)
        #expect(spans.first?["kind"] as? Int == 2)

        let missing = try await Self.get(double.baseURL + "/api/v3/traces/\(Self.missingTrace)", headers: token)
        #expect(missing.status == 404)
        let error = try #require(try missing.json()["error"] as? [String: Any])
        #expect(error["httpCode"] as? Int == 404)
        #expect(error["message"] as? String == "No traces found")

        let legacy = try await Self.get(double.baseURL + "/api/traces/\(Self.orderTrace)", headers: token)
        #expect(legacy.status == 200)
        let data = try #require(try legacy.json()["data"] as? [[String: Any]])
        #expect(data.first?["traceID"] as? String == Self.orderTrace)
        #expect((data.first?["processes"] as? [String: Any])?.count == 2)

        let legacyMissing = try await Self.get(double.baseURL + "/api/traces/\(Self.missingTrace)", headers: token)
        #expect(legacyMissing.status == 404)
        let errors = try #require(try legacyMissing.json()["errors"] as? [[String: Any]])
        #expect(errors.first?["msg"] as? String == "trace not found")

        let requests = double.requests()
        #expect(requests.count == 4)
        #expect(requests.allSatisfy { ($0["headers"] as? [String: Any])?["authorization"] as? String == "Bearer s3cret" })

        double.stop()
        #expect(!double.isRunning)
        await #expect(throws: (any Error).self) { _ = try await Self.get(double.baseURL + "/api/v3/services", headers: token) }
    }

    @Test("a failure mode: --status 503 with Retry-After for the first request, then the real answer")
    func failureMode() async throws {
        let double = try BackendDouble(role: .tempo, traces: [], arguments: ["--status", "503", "--fail-times", "1"])
        let unavailable = try await Self.get(double.baseURL + "/api/v2/traces/\(Self.orderTrace)")
        #expect(unavailable.status == 503)
        #expect(unavailable.headers.value(forHTTPHeaderField: "Retry-After") == "1")
        let answered = try await Self.get(double.baseURL + "/api/v2/traces/\(Self.orderTrace)")
        #expect(answered.status == 200)
    }
}

extension Data {
    /// Bytes from hex digits (test IDs only: assumes an even count of valid digits).
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        self.init(bytes)
    }
}
