// swift-tools-version:6.0
import PackageDescription

// Layers, lowest first; imports only point down this list (docs/architecture.md).
let package = Package(
    name: "spanview",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "spanview", targets: ["spanview"]),
        .executable(name: "spanview-bench", targets: ["spanview-bench"]),
        .executable(name: "spanview-termdemo", targets: ["spanview-termdemo"]),
        .library(name: "SpanModel", targets: ["SpanModel"]),
        .library(name: "SpanFormats", targets: ["SpanFormats"]),
        .library(name: "SpanStore", targets: ["SpanStore"]),
        .library(name: "SpanQuery", targets: ["SpanQuery"]),
        .library(name: "SpanIngest", targets: ["SpanIngest"]),
        .library(name: "CellGrid", targets: ["CellGrid"]),
        .library(name: "SpanWidgets", targets: ["SpanWidgets"]),
        .library(name: "SpanviewKit", targets: ["SpanviewKit"]),
        .library(name: "TerminalInput", targets: ["TerminalInput"]),
        .library(name: "SpanviewApp", targets: ["SpanviewApp"]),
        .library(name: "SpanviewTracing", targets: ["SpanviewTracing"]),
        .library(name: "SpanAnalysis", targets: ["SpanAnalysis"]),
        .library(name: "SpanNetwork", targets: ["SpanNetwork"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // The span model: IDs as fixed-size integers, times as Int64 nanoseconds. Depends on nothing.
        .target(name: "SpanModel"),
        // Streaming JSON value splitter, byte scanner, one decoder per format, problem reports.
        .target(name: "SpanFormats", dependencies: ["SpanModel"]),
        // Order-free trace store, tree builder, per-trace figures and flags.
        .target(name: "SpanStore", dependencies: ["SpanModel"]),
        // Span search and the trace filter language: parsed once, tested per span or trace in place.
        .target(name: "SpanQuery", dependencies: ["SpanModel", "SpanStore"]),
        // zlib, for gzip input. Imported only by SpanIngest.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Sources (memory-mapped files, pipes, followed files, gzip) behind one protocol, each
        // publishing batches into one bounded inbox; the two-thread decoding of big inputs.
        .target(name: "SpanIngest", dependencies: [
            "SpanModel", "SpanFormats", "SpanStore", "CZlib",
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]),
        // network: the OTLP/HTTP receiver (SwiftNIO), and the clients: URLs as inputs, Tempo and
        // Jaeger (URLSession), each a source into the inbox. The only target that imports NIO.
        .target(name: "SpanNetwork", dependencies: [
            "SpanModel", "SpanFormats", "SpanIngest", "SpanStore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // A tracing SDK on swift-distributed-tracing's API: a Tracer whose finished spans are
        // spanview's own model spans, samplers, processors (simple, batch) and exporters.
        .target(name: "SpanviewTracing", dependencies: [
            "SpanModel", "SpanFormats",
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]),
        // Where a trace's time went: self times, critical path (Jaeger UI's), statistics, flame graph.
        .target(name: "SpanAnalysis", dependencies: ["SpanModel", "SpanStore"]),
        // Pure geometry: tree + collapsed set + time window + width -> rows and bar columns.
        .target(name: "TraceLayout", dependencies: ["SpanModel", "SpanStore"]),
        // Cells, styles, display widths, text and ANSI dumps. Knows nothing about traces.
        .target(name: "CellGrid"),
        // Things drawn into a grid: the waterfall, headers, axis, the statistics and spans tables, the flame graph.
        .target(name: "SpanWidgets", dependencies: ["SpanModel", "SpanStore", "TraceLayout", "CellGrid", "SpanAnalysis"]),
        // The headless commands' reports: summaries (text and JSON), printed waterfalls.
        .target(name: "SpanviewKit", dependencies: [
            "SpanModel", "SpanFormats", "SpanIngest", "SpanStore", "TraceLayout", "CellGrid", "SpanWidgets", "SpanAnalysis",
        ]),
        // Keys and mouse events as values: what the backend reads and the app acts on.
        .target(name: "TerminalInput"),
        // The viewer: state, actions, the key table, screens drawn into a grid, and the run loop
        // (inbox, keys, frames) behind a terminal-device protocol. No terminal code.
        .target(name: "SpanviewApp", dependencies: [
            "SpanModel", "SpanFormats", "SpanIngest", "SpanStore", "TraceLayout", "CellGrid", "SpanWidgets", "SpanviewKit", "TerminalInput", "SpanAnalysis", "SpanQuery",
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]),
        .executableTarget(name: "spanview", dependencies: [
            "SpanIngest", "SpanQuery", "SpanviewKit", "SpanAnalysis", "SpanviewTracing", "SpanModel", "SpanviewApp", "TerminalBackend", "TerminalInput", "CellGrid", "SpanStore", "SpanNetwork", "SpanFormats",
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // ncursesw, wrapped for Swift 6 (shim.h). Imported only by TerminalBackend.
        .systemLibrary(name: "CNCursesW", providers: [.apt(["libncurses-dev"])]),
        // Gives the terminal back on every fatal signal and on exit(): an async-signal-safe C
        // handler that writes bytes prepared in advance, then lets the process die as it would have.
        .target(name: "CTerminalRestore"),
        // The real terminal: newterm on /dev/tty, changed cells out, keys and resizes in.
        .target(name: "TerminalBackend", dependencies: ["CNCursesW", "CTerminalRestore", "CellGrid", "TerminalInput"]),
        // Tries the backend by hand or in tmux: styled text, CJK, a bar, key names.
        .executableTarget(name: "spanview-termdemo", dependencies: ["TerminalBackend", "TerminalInput", "CellGrid"]),
        // glibc heap figures for the benchmark.
        .target(name: "CMallocInfo"),
        .executableTarget(name: "spanview-bench", dependencies: [
            "SpanModel", "SpanFormats", "SpanIngest", "SpanviewTracing",
            .product(name: "Tracing", package: "swift-distributed-tracing"), "SpanStore", "SpanQuery", "CMallocInfo", "SpanviewApp", "SpanviewKit", "TerminalInput", "SpanAnalysis", "SpanNetwork",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "SpanModelTests", dependencies: ["SpanModel"]),
        .testTarget(name: "SpanFormatsTests", dependencies: ["SpanFormats", "SpanIngest", "SpanModel"], exclude: ["FuzzRegressions"]),
        .testTarget(name: "SpanIngestTests", dependencies: ["SpanIngest", "SpanFormats", "SpanModel", "CZlib"]),
        .testTarget(name: "SpanviewTracingTests", dependencies: [
            "SpanviewTracing", "SpanModel", "SpanFormats",
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]),
        .testTarget(name: "SpanNetworkTests", dependencies: ["SpanNetwork", "SpanIngest", "SpanFormats", "SpanModel"]),
        .testTarget(name: "SpanStoreTests", dependencies: ["SpanStore", "SpanModel"]),
        .testTarget(name: "SpanAnalysisTests", dependencies: ["SpanAnalysis", "SpanStore", "SpanModel", "SpanFormats"]),
        .testTarget(name: "SpanQueryTests", dependencies: ["SpanQuery", "SpanStore", "SpanModel"]),
        .testTarget(name: "TraceLayoutTests", dependencies: ["TraceLayout", "SpanStore", "SpanModel"]),
        .testTarget(name: "CellGridTests", dependencies: ["CellGrid"]),
        .testTarget(name: "SpanWidgetsTests", dependencies: ["SpanWidgets", "CellGrid", "SpanStore", "SpanModel", "TraceLayout", "SpanAnalysis"]),
        .testTarget(name: "SpanviewKitTests", dependencies: ["SpanviewKit", "SpanIngest", "SpanFormats", "SpanStore", "SpanModel", "SpanAnalysis"]),
        .testTarget(name: "SpanviewAppTests", dependencies: ["SpanviewApp", "SpanIngest", "SpanviewKit", "SpanWidgets", "SpanFormats", "TerminalInput", "CellGrid", "SpanStore", "SpanModel"]),
        .testTarget(name: "TerminalRestoreTests", dependencies: ["TerminalBackend", "CTerminalRestore"]),
        // The built binaries driven as a user would (tmux, pipes, loopback), and the backend
        // clients against the Tempo/Jaeger double (scripts/backend-double.py).
        .testTarget(name: "EndToEndTests", dependencies: ["spanview", "spanview-termdemo", "SpanNetwork", "SpanIngest", "SpanFormats", "SpanModel"],
                    exclude: ["Fixtures"]),
    ]
)
