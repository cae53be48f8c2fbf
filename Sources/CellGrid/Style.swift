/// Colours by meaning; a `Palette` maps them to terminal colours once (htop's way).
public enum ColorRole: UInt8, Hashable, Sendable, CaseIterable {
    case `default`
    case muted
    case accent
    case error
    case warning
    case ok
    case selection
    case service0, service1, service2, service3, service4, service5, service6, service7

    public static let services: [ColorRole] = [.service0, .service1, .service2, .service3, .service4, .service5, .service6, .service7]

    /// A stable colour for a service name (FNV-1a of its bytes).
    public static func service(_ name: String) -> ColorRole {
        var h: UInt32 = 2_166_136_261
        for b in name.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return services[Int(h % UInt32(services.count))]
    }
}

/// Text attributes.
public struct TextAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = TextAttributes(rawValue: 1)
    public static let dim = TextAttributes(rawValue: 2)
    public static let reverse = TextAttributes(rawValue: 4)
    public static let underline = TextAttributes(rawValue: 8)
}

/// How a cell looks.
public struct Style: Hashable, Sendable {
    public var foreground: ColorRole
    public var background: ColorRole
    public var attributes: TextAttributes

    public init(_ foreground: ColorRole = .default, background: ColorRole = .default, _ attributes: TextAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let plain = Style()
    public static let bold = Style(.default, [.bold])
    public static let muted = Style(.muted)
    public static let error = Style(.error, [.bold])
}
