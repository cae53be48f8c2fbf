// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for spanview, one executable per entry point. A package of its own so
// that the main package stays free of fuzzer flags: scripts/fuzz.sh builds these with
// `--sanitize=fuzzer --sanitize=address` (libFuzzer supplies `main`) and runs one.
// docs/fuzzing.md says what each checks.
let harnesses: [(name: String, job: String)] = [
    ("fuzz-go", "Go stdouttrace decoder through the stream reader, whole and in pieces"),
    ("fuzz-otlp", "OTLP/JSON decoder through the stream reader, whole and in pieces; Tempo's status and search answers"),
    ("fuzz-jaeger", "Jaeger JSON decoder through the stream reader, whole and in pieces"),
    ("fuzz-zipkin", "Zipkin v2 decoder through the stream reader, whole and in pieces"),
    ("fuzz-python", "Python console decoder through the stream reader, whole and in pieces"),
    ("fuzz-split", "two-thread split of a file against one thread"),
    ("fuzz-pipe", "the pipe decoder fed through a real pipe in random pieces against one reader"),
    ("fuzz-packed", "packed span details: model values round trip, any bytes decode without trapping"),
    ("fuzz-render", "the viewer's screens (list, waterfall, every detail tab), print and summary of any loaded span"),
    ("fuzz-time-id", "RFC 3339 times, trace and span IDs, trace ID prefixes"),
    ("fuzz-gzip", "gzip decompression of any bytes, whole and in two pieces"),
    ("fuzz-source", "a file through InputSource, memory-mapped on one thread and piped on two, against one reader"),
    ("fuzz-write", "each span read, written by every span writer and read back: the same span"),
    ("fuzz-protobuf", "OTLP protobuf decoder on any bytes; what it keeps, written and decoded again, the same"),
    ("fuzz-query", "the span search and trace filter languages on any text: parse, read back, evaluate"),
]

/// Harnesses that need the network target (its answers' decoding and search), kept apart so
/// the others do not build SwiftNIO under the sanitizers.
let networkHarnesses: [(name: String, job: String)] = [
    ("fuzz-response", "a URL's or backend's answer as JSON, protobuf or other text, gzip or not; its spans as search hits; a typed backend query"),
]

let package = Package(
    name: "spanview-fuzz",
    dependencies: [.package(name: "spanview", path: "..")],
    targets: [
        // What every harness shares: reading an input every way, the invariants checked.
        .target(name: "FuzzSupport", dependencies: [
            .product(name: "SpanModel", package: "spanview"),
            .product(name: "SpanFormats", package: "spanview"),
            .product(name: "SpanStore", package: "spanview"),
            .product(name: "SpanQuery", package: "spanview"),
            .product(name: "SpanIngest", package: "spanview"),
            .product(name: "CellGrid", package: "spanview"),
            .product(name: "SpanWidgets", package: "spanview"),
            .product(name: "SpanviewKit", package: "spanview"),
            .product(name: "SpanviewApp", package: "spanview"),
            .product(name: "TerminalInput", package: "spanview"),
        ]),
    ] + harnesses.map { .executableTarget(name: $0.name, dependencies: ["FuzzSupport"]) }
      + networkHarnesses.map { .executableTarget(name: $0.name, dependencies: [
            .product(name: "SpanModel", package: "spanview"),
            .product(name: "SpanFormats", package: "spanview"),
            .product(name: "SpanNetwork", package: "spanview"),
        ]) }
)
