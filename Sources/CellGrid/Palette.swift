/// Terminal colour for each role: 256-colour, 8-colour, or none (NO_COLOR).
public struct Palette: Sendable {
    public enum Depth: Sendable { case none, eight, full }
    public let depth: Depth

    public init(depth: Depth) { self.depth = depth }

    /// An ANSI colour index for a role (nil: the terminal's default).
    public func colorIndex(_ role: ColorRole) -> Int? {
        switch depth {
        case .none: return nil
        case .eight:
            switch role {
            case .default: return nil
            case .muted: return nil
            case .accent: return 6
            case .error: return 1
            case .warning: return 3
            case .ok: return 2
            case .selection: return 4
            case .service0: return 4
            case .service1: return 2
            case .service2: return 6
            case .service3: return 5
            case .service4: return 3
            case .service5: return 4
            case .service6: return 2
            case .service7: return 5
            }
        case .full:
            switch role {
            case .default: return nil
            case .muted: return 244
            case .accent: return 39
            case .error: return 196
            case .warning: return 214
            case .ok: return 35
            case .selection: return 24
            case .service0: return 33
            case .service1: return 41
            case .service2: return 172
            case .service3: return 141
            case .service4: return 37
            case .service5: return 170
            case .service6: return 106
            case .service7: return 75
            }
        }
    }
}
