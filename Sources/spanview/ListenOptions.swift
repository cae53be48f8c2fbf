import ArgumentParser
import Foundation
import SpanNetwork
import SpanviewKit

/// `--listen [HOST:]PORT` and its limits, for the viewer and `record`.
struct ListenOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Receive spans over OTLP/HTTP (POST /v1/traces, protobuf or JSON, gzip or not) on [HOST:]PORT; the host is 127.0.0.1 unless given; --listen alone is 127.0.0.1:4318, OTLP's port.", valueName: "[host:]port"))
    var listen: String?

    @Option(name: .long, help: ArgumentHelp("The most a request body may be, in bytes, after decompression too (413 over it).", valueName: "bytes"))
    var listenMaxBody = OTLPReceiver.Configuration.defaultMaxBodyBytes

    @Option(name: .long, help: ArgumentHelp("The most requests a second; faster ones get 429 with Retry-After, which exporters retry (0: no limit).", valueName: "n"))
    var listenMaxRate = OTLPReceiver.Configuration.defaultMaxRequestsPerSecond

    @Option(name: .long, help: ArgumentHelp("Require Authorization: Bearer TOKEN on every request (401 otherwise); also SPANVIEW_LISTEN_TOKEN.", valueName: "token"))
    var listenToken: String?

    func validate() throws {
        if let listen, ListenAddress.parse(listen) == nil {
            throw ValidationError("--listen takes [HOST:]PORT, a port 0-65535 (e.g. 4318 or 0.0.0.0:4318), not '\(listen)'")
        }
        if listenMaxBody < 1 { throw ValidationError("--listen-max-body must be at least 1") }
        if listenMaxRate < 0 { throw ValidationError("--listen-max-rate must be 0 (no limit) or more") }
    }

    /// The receiver's settings, when `--listen` was given.
    var configuration: OTLPReceiver.Configuration? {
        guard let listen, let address = ListenAddress.parse(listen) else { return nil }
        let token = listenToken ?? ProcessInfo.processInfo.environment["SPANVIEW_LISTEN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        var configuration = OTLPReceiver.Configuration(host: address.host, port: address.port, maxBodyBytes: listenMaxBody, token: token)
        configuration.maxRequestsPerSecond = listenMaxRate == 0 ? nil : listenMaxRate
        return configuration
    }

    /// Starts a receiver, or says why it could not and exits.
    func startReceiver() -> OTLPReceiver? {
        guard let configuration else { return nil }
        if configuration.token == nil && !ListenAddress.isLoopback(configuration.host) {
            StandardError().write("spanview: warning: receiving on \(configuration.host) without --listen-token: anyone who can reach this port can send spans\n")
        }
        let receiver = OTLPReceiver(configuration)
        do {
            try receiver.start()
        } catch {
            CommandSupport.fail("cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        return receiver
    }
}

/// `PORT`, `HOST:PORT` or `[V6]:PORT`.
enum ListenAddress {
    /// Where `--listen` alone listens: OTLP/HTTP's own port on the loopback.
    static let standard = "127.0.0.1:4318"

    /// `arguments` with `standard` after each `--listen` that is not followed by an address
    /// (it is last, or what follows is an option or a file), up to a `--`.
    static func withDefault(_ arguments: [String]) -> [String] {
        var out: [String] = []
        out.reserveCapacity(arguments.count + 1)
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            out.append(argument)
            i += 1
            if argument == "--" {
                out.append(contentsOf: arguments[i...])
                break
            }
            if argument == "--listen" && (i == arguments.count || !meantAsAddress(arguments[i])) {
                out.append(standard)
            }
        }
        return out
    }

    /// Whether the argument after `--listen` is its address: one that parses, or one that was
    /// meant as one (digits, or a colon in what is not a file), so a bad one is said as such.
    static func meantAsAddress(_ text: String) -> Bool {
        if parse(text) != nil { return true }
        if !text.isEmpty && text.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        return text.contains(":") && !text.hasPrefix("-") && !FileManager.default.fileExists(atPath: text)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    static func parse(_ text: String) -> (host: String, port: Int)? {
        var host = "127.0.0.1"
        var portText = Substring(text)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        return (host, port)
    }
}
