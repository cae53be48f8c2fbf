import Foundation
import SpanModel

/// How the SDK is set up: in code, or from the standard `OTEL_*` environment variables
/// (`fromEnvironment`). Values that cannot be used are listed in `warnings` and left at their
/// defaults, never printed: the SDK must not write over a program's terminal.
public struct TracingConfiguration: Sendable {
    /// `OTEL_SDK_DISABLED=true`: no spans at all.
    public var disabled = false
    /// `OTEL_SERVICE_NAME`, else `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, else the default given.
    public var serviceName: String
    /// `OTEL_RESOURCE_ATTRIBUTES`: `key=value,key=value` (values percent-decoded).
    public var resourceAttributes: [Attribute] = []
    /// `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` (default: parent-based, always on).
    public var sampler: any Sampler = ParentBasedSampler(root: AlwaysOnSampler())
    /// `OTEL_BSP_SCHEDULE_DELAY` (ms), `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`.
    public var batch = BatchSpanProcessor.Configuration()
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as it is, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`.
    public var otlpEndpoint: String?
    /// `OTEL_EXPORTER_OTLP_HEADERS` (and `..._TRACES_HEADERS`): `key=value,key=value`.
    public var otlpHeaders: [(String, String)] = []
    /// `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` or `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf`
    /// (the default, as the specification asks) or `http/json`. `grpc` is not offered.
    public var otlpEncoding = OTLPHTTPExporter.Encoding.protobuf
    /// `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` or `OTEL_EXPORTER_OTLP_TIMEOUT` (ms): the longest
    /// wait for one export request (default 10 s).
    public var otlpTimeout: Double = 10
    /// What could not be used, in words.
    public var warnings: [String] = []

    public init(serviceName: String) {
        self.serviceName = serviceName
    }

    /// Reads the standard variables; `serviceName` is used when they name none.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       serviceName: String) -> TracingConfiguration {
        var c = TracingConfiguration(serviceName: serviceName)
        func value(_ name: String) -> String? {
            guard let v = environment[name]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        if let v = value("OTEL_SDK_DISABLED") { c.disabled = v.lowercased() == "true" }
        if let v = value("OTEL_RESOURCE_ATTRIBUTES") {
            for (key, text) in keyValues(v, name: "OTEL_RESOURCE_ATTRIBUTES", warnings: &c.warnings) {
                if key == "service.name" { c.serviceName = text } else { c.resourceAttributes.append(Attribute(key, .string(text))) }
            }
        }
        if let v = value("OTEL_SERVICE_NAME") { c.serviceName = v }

        let argument = value("OTEL_TRACES_SAMPLER_ARG")
        func ratio() -> Double {
            guard let argument else { return 1 }
            guard let r = Double(argument), r >= 0, r <= 1 else {
                c.warnings.append("OTEL_TRACES_SAMPLER_ARG: '\(argument)' is not a ratio from 0 to 1; using 1")
                return 1
            }
            return r
        }
        if let v = value("OTEL_TRACES_SAMPLER") {
            switch v.lowercased() {
            case "always_on": c.sampler = AlwaysOnSampler()
            case "always_off": c.sampler = AlwaysOffSampler()
            case "traceidratio": c.sampler = TraceIDRatioSampler(ratio: ratio())
            case "parentbased_always_on": c.sampler = ParentBasedSampler(root: AlwaysOnSampler())
            case "parentbased_always_off": c.sampler = ParentBasedSampler(root: AlwaysOffSampler())
            case "parentbased_traceidratio": c.sampler = ParentBasedSampler(root: TraceIDRatioSampler(ratio: ratio()))
            default: c.warnings.append("OTEL_TRACES_SAMPLER: '\(v)' is not a sampler this SDK has; using parentbased_always_on")
            }
        }

        func integer(_ name: String) -> Int? {
            guard let v = value(name) else { return nil }
            guard let n = Int(v), n > 0 else {
                c.warnings.append("\(name): '\(v)' is not a positive integer; using the default")
                return nil
            }
            return n
        }
        let delay = integer("OTEL_BSP_SCHEDULE_DELAY").map { Double($0) / 1000 } ?? c.batch.scheduledDelay
        let queue = integer("OTEL_BSP_MAX_QUEUE_SIZE") ?? c.batch.maxQueueSize
        let size = integer("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") ?? c.batch.maxExportBatchSize
        c.batch = BatchSpanProcessor.Configuration(maxQueueSize: queue, scheduledDelay: delay, maxExportBatchSize: size)

        if let v = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            c.otlpEndpoint = v
        } else if let v = value("OTEL_EXPORTER_OTLP_ENDPOINT") {
            c.otlpEndpoint = (v.hasSuffix("/") ? String(v.dropLast()) : v) + "/v1/traces"
        }
        for name in ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"] {
            if let v = value(name) { c.otlpHeaders += keyValues(v, name: name, warnings: &c.warnings) }
        }
        for name in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            guard let v = value(name) else { continue }
            switch v.lowercased() {
            case "http/protobuf": c.otlpEncoding = .protobuf
            case "http/json": c.otlpEncoding = .json
            default: c.warnings.append("\(name): '\(v)' is not offered (http/protobuf or http/json); http/protobuf used")
            }
            break
        }
        for name in ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"] {
            guard let v = value(name) else { continue }
            if let ms = Double(v), ms > 0, ms.isFinite {
                c.otlpTimeout = ms / 1000
            } else {
                c.warnings.append("\(name): '\(v)' is not a positive number of milliseconds; 10000 used")
            }
            break
        }
        return c
    }

    /// `key=value,key=value` as the OpenTelemetry specification writes lists (W3C baggage
    /// syntax, values percent-encoded).
    static func keyValues(_ text: String, name: String, warnings: inout [String]) -> [(String, String)] {
        var out: [(String, String)] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            let key = parts.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard parts.count == 2, !key.isEmpty else {
                warnings.append("\(name): '\(item)' is not key=value; left out")
                continue
            }
            let raw = parts[1].trimmingCharacters(in: .whitespaces)
            out.append((key, raw.removingPercentEncoding ?? raw))
        }
        return out
    }

    /// A tracer as configured, exporting through `processor`; nil when disabled.
    public func makeTracer(processor: any SpanProcessor, scope: InstrumentationScope? = nil) -> SpanviewTracer? {
        guard !disabled else { return nil }
        return SpanviewTracer(serviceName: serviceName, resourceAttributes: resourceAttributes,
                              scope: scope ?? InstrumentationScope(name: "spanview-tracing", version: "0.1.0"),
                              sampler: sampler, processor: processor)
    }
}
