/// A span's outcome.
public struct SpanStatus: Hashable, Sendable {
    public enum Code: UInt8, Sendable {
        case unset = 0
        case ok = 1
        case error = 2

        public var name: String {
            switch self {
            case .unset: "Unset"
            case .ok: "Ok"
            case .error: "Error"
            }
        }
    }

    public var code: Code
    public var description: String

    public init(code: Code = .unset, description: String = "") {
        self.code = code
        self.description = description
    }

    public static let unset = SpanStatus()

    public var isError: Bool { code == .error }
}
