import NIOCore
import NIOHTTP1
import SpanFormats
import SpanIngest

/// The two OTLP/HTTP body encodings; a response uses the request's.
public enum OTLPEncoding: Sendable, Equatable {
    case protobuf, json

    /// From a `Content-Type` header (parameters such as `charset` ignored); nil for others.
    public init?(contentType: String) {
        let media = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        switch media {
        case "application/x-protobuf", "application/protobuf": self = .protobuf
        case "application/json": self = .json
        default: return nil
        }
    }

    public var contentType: String {
        switch self {
        case .protobuf: "application/x-protobuf"
        case .json: "application/json"
        }
    }
}

/// `google.rpc.Code` values used in error bodies.
enum RPCCode {
    static let invalidArgument = 3
    static let notFound = 5
    static let resourceExhausted = 8
    static let unimplemented = 12
    static let unauthenticated = 16
}

/// An answer: status, body in the request's encoding, extra headers.
struct OTLPResponse: Sendable {
    var status: HTTPResponseStatus
    var encoding: OTLPEncoding
    var body: [UInt8]
    var headers: [(String, String)] = []
    /// A failure's message, as its body says it.
    var message = ""

    /// 200 with an `ExportTraceServiceResponse`: empty, or a partial success.
    static func success(rejected: Int, message: String, encoding: OTLPEncoding) -> OTLPResponse {
        guard rejected > 0 || !message.isEmpty else {
            return OTLPResponse(status: .ok, encoding: encoding, body: encoding == .json ? Array("{}".utf8) : [])
        }
        switch encoding {
        case .protobuf:
            // ExportTraceServiceResponse { 1: ExportTracePartialSuccess { 1: rejected_spans int64, 2: error_message } }
            var inner: [UInt8] = []
            if rejected > 0 {
                inner.append(0x08)
                Protobuf.varint(UInt64(rejected), into: &inner)
            }
            Protobuf.string(2, message, into: &inner)
            var body: [UInt8] = [0x0A]
            Protobuf.varint(UInt64(inner.count), into: &body)
            body += inner
            return OTLPResponse(status: .ok, encoding: encoding, body: body)
        case .json:
            let text = "{\"partialSuccess\":{\"rejectedSpans\":\"\(rejected)\",\"errorMessage\":\(JSONText.quoted(message))}}"
            return OTLPResponse(status: .ok, encoding: encoding, body: Array(text.utf8))
        }
    }

    /// A failure with a `google.rpc.Status` body.
    static func status(_ status: HTTPResponseStatus, code: Int, message: String, encoding: OTLPEncoding,
                       headers: [(String, String)] = []) -> OTLPResponse {
        switch encoding {
        case .protobuf:
            var body: [UInt8] = [0x08]
            Protobuf.varint(UInt64(code), into: &body)
            Protobuf.string(2, message, into: &body)
            return OTLPResponse(status: status, encoding: encoding, body: body, headers: headers, message: message)
        case .json:
            let text = "{\"code\":\(code),\"message\":\(JSONText.quoted(message))}"
            return OTLPResponse(status: status, encoding: encoding, body: Array(text.utf8), headers: headers, message: message)
        }
    }
}

enum Protobuf {
    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func string(_ field: UInt64, _ text: String, into out: inout [UInt8]) {
        guard !text.isEmpty else { return }
        varint(field << 3 | 2, into: &out)
        varint(UInt64(text.utf8.count), into: &out)
        out += text.utf8
    }
}

enum JSONText {
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A request body to spans, and the answer to give.
enum OTLPRequestDecoder {
    /// Most problems named in a partial success's or a 400's message.
    static let namedProblems = 3

    static func answer(body: ByteBuffer, encoding: OTLPEncoding, gzip: Bool, receiver: OTLPReceiver) -> OTLPResponse {
        let wireBytes = body.readableBytes
        func fail(_ status: HTTPResponseStatus, _ code: Int, _ message: String) -> OTLPResponse {
            let response = OTLPResponse.status(status, code: code, message: message, encoding: encoding)
            receiver.countFailure(bytes: wireBytes, response)
            return response
        }
        // Before decoding: when the queue is full, decoding would be wasted.
        switch receiver.refusal() {
        case nil: break
        case .queueFull: return throttled(encoding)
        case .overRate(let rate):
            return throttled(encoding, "over the receiver's limit of \(rate) requests a second: retry later")
        }
        var bytes: [UInt8]
        if gzip {
            switch inflate(body, limit: receiver.configuration.maxBodyBytes) {
            case .success(let inflated): bytes = inflated
            case .failure(.tooLarge):
                return fail(.payloadTooLarge, RPCCode.resourceExhausted,
                            "decompressed body over the limit of \(receiver.configuration.maxBodyBytes) bytes")
            case .failure(.damaged(let reason)):
                return fail(.badRequest, RPCCode.invalidArgument, "bad gzip body: \(reason)")
            }
        } else {
            bytes = Array(body.readableBytesView)
        }
        var batch = decode(bytes, encoding: encoding, source: receiver.name)
        batch.stats.bytes = Int64(wireBytes)
        let problems = batch.problems.count
        let message = batch.problems.prefix(namedProblems).map(\.reason).joined(separator: "; ")
            + (problems > namedProblems ? "; and \(problems - namedProblems) more" : "")
        if batch.spans.isEmpty && (problems > 0 || batch.stats.nonJSONLines > batch.stats.otherValues) {
            let reason = problems > 0 ? message : "the body is not an OTLP \(encoding == .json ? "JSON" : "protobuf") ExportTraceServiceRequest"
            return fail(.badRequest, RPCCode.invalidArgument, "no span could be read: \(reason)")
        }
        if batch.spans.isEmpty && problems == 0 {
            // An empty request succeeds; nothing to queue.
            return .success(rejected: 0, message: "", encoding: encoding)
        }
        guard receiver.offer(batch, rejected: problems) else { return throttled(encoding) }
        return .success(rejected: problems, message: message, encoding: encoding)
    }

    static func throttled(_ encoding: OTLPEncoding, _ message: String = "the receiver's queue is full: retry later") -> OTLPResponse {
        .status(.tooManyRequests, code: RPCCode.resourceExhausted,
                message: message, encoding: encoding,
                headers: [("Retry-After", "1")])
    }

    /// The spans of one request body.
    static func decode(_ bytes: [UInt8], encoding: OTLPEncoding, source: String) -> ReadBatch {
        switch encoding {
        case .protobuf:
            return OTLPProtobufDecoder.decode(bytes, source: source)
        case .json:
            let reader = SpanStreamReader(source: source)
            var batch = reader.feed(bytes)
            batch.absorb(reader.finish())
            batch.end = nil
            return batch
        }
    }

    enum InflateError: Error { case tooLarge, damaged(String) }

    /// Decompresses a gzip body, giving up as soon as the output passes `limit` (a gzip bomb
    /// costs at most `limit` bytes and the work to produce them).
    static func inflate(_ body: ByteBuffer, limit: Int) -> Result<[UInt8], InflateError> {
        let inflated = body.withUnsafeReadableBytes { GzipStream.decompressed($0, limit: limit) }
        switch inflated.stop {
        case nil: return .success(inflated.bytes)
        case .overLimit: return .failure(.tooLarge)
        case .damaged(let error): return .failure(.damaged(error.reason))
        }
    }
}
