#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CellGrid

/// Buffered writes to a file descriptor (stdout by default) with `write(2)`.
public final class StandardOutput {
    private let fd: Int32
    private var pending: [UInt8] = []

    public init(fd: Int32 = 1) {
        self.fd = fd
        pending.reserveCapacity(1 << 16)
    }

    deinit { flush() }

    public var isTerminal: Bool { isatty(fd) == 1 }

    /// Columns of the terminal this writes to, if it is one.
    public var terminalWidth: Int? {
        var size = winsize()
        guard isatty(fd) == 1, ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    public func write(_ text: String) {
        pending.append(contentsOf: text.utf8)
        if pending.count >= 1 << 16 { flush() }
    }

    public func flush() {
        var offset = 0
        while offset < pending.count {
            let n = pending.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        pending.removeAll(keepingCapacity: true)
    }
}

/// Unbuffered standard error.
public struct StandardError {
    public init() {}
    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress!, $0.count) }
    }
}

/// What the environment says about colour.
public enum TerminalEnvironment {
    /// An environment variable's value, if it is set.
    public static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// NO_COLOR (https://no-color.org) is set to anything non-empty.
    public static var noColor: Bool {
        guard let value = getenv("NO_COLOR") else { return false }
        return value.pointee != 0
    }

    /// 256 colours when TERM or COLORTERM says so, else 8.
    public static func palette() -> Palette {
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        let colorterm = getenv("COLORTERM").map { String(cString: $0) } ?? ""
        if term.contains("256") || colorterm == "truecolor" || colorterm == "24bit" { return Palette(depth: .full) }
        return Palette(depth: .eight)
    }
}

public enum SpanviewVersion {
    public static let current = "0.1.0"
}
