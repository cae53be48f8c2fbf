#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpanFormats
import SpanModel
import Synchronization

/// Writes spans to a file or a descriptor (standard output) in a format spanview and other
/// tools read: the Go SDK's stdouttrace layout (one object per span, compact or
/// pretty-printed), or OTLP/JSON lines as the Collector's file exporter writes them (one
/// `resourceSpans` object per export).
public final class StreamSpanExporter: SpanExporter {
    public enum Format: Sendable, Equatable {
        case stdouttrace(pretty: Bool)
        case otlpJSON
    }

    public let format: Format
    private let fd: Int32
    private let ownsDescriptor: Bool
    private let state = Mutex<(failed: String?, shutDown: Bool)>((nil, false))

    /// Writes to `fd` (1: standard output), which stays open.
    public init(fd: Int32, format: Format = .stdouttrace(pretty: false)) {
        self.fd = fd
        self.format = format
        ownsDescriptor = false
    }

    /// Creates or empties the file at `path`; throws the reason it cannot.
    public init(path: String, format: Format = .stdouttrace(pretty: false)) throws(ExportError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportError(description: "'\(path)': \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.format = format
        ownsDescriptor = true
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// Why the last write failed, if it did.
    public var failure: String? { state.withLock { $0.failed } }

    public func export(_ spans: [SpanModel.Span]) -> Bool {
        guard !spans.isEmpty else { return true }
        var bytes: [UInt8] = []
        switch format {
        case .stdouttrace(let pretty): StdouttraceWriter.write(spans, pretty: pretty, into: &bytes)
        case .otlpJSON: OTLPJSONWriter.write(spans, into: &bytes)
        }
        return state.withLock { s in
            guard !s.shutDown else { return false }
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    s.failed = String(cString: strerror(errno))
                    return false
                }
                done += n
            }
            return true
        }
    }

    public func shutdown() {
        state.withLock { $0.shutDown = true }
    }
}

/// An exporter that could not be made or could not write.
public struct ExportError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(description: String) { self.description = description }
}
