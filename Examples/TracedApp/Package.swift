// swift-tools-version:6.0
import PackageDescription

// A small program traced with spanview's SDK: `swift run --package-path Examples/TracedApp | spanview`
let package = Package(
    name: "TracedApp",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "spanview", path: "../.."),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
    ],
    targets: [
        .executableTarget(name: "TracedApp", dependencies: [
            .product(name: "SpanviewTracing", package: "spanview"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ]),
    ]
)
