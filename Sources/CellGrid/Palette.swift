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
            // No blue: it is the selection's background (and dark blue text is hard to read).
            case .service0: return 2
            case .service1: return 6
            case .service2: return 5
            case .service3: return 3
            case .service4: return 2
            case .service5: return 6
            case .service6: return 5
            case .service7: return 3
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

extension Palette {
    /// How a style is drawn at this depth: colour indices (nil: the terminal's own) and
    /// attributes. The one place both outputs (ncurses and `print --color`) ask, so they agree:
    /// - no colour (NO_COLOR): the selection's background is reverse video, muted text is dim;
    /// - 8 colours: muted text is dim (there is no grey), and on the selection's background a
    ///   foreground that would not stand out (a service, the accent) is bold white;
    /// - 256 colours: as the palette says.
    public func rendition(_ style: Style) -> (foreground: Int?, background: Int?, attributes: TextAttributes) {
        var attributes = style.attributes
        switch depth {
        case .none:
            if style.foreground == .muted { attributes.insert(.dim) }
            if style.background == .selection {
                if attributes.contains(.reverse) { attributes.remove(.reverse) } else { attributes.insert(.reverse) }
            }
            return (nil, nil, attributes)
        case .eight:
            if style.foreground == .muted { attributes.insert(.dim) }
            var fg = colorIndex(style.foreground)
            let bg = colorIndex(style.background)
            if style.background == .selection && !attributes.contains(.reverse) {
                switch style.foreground {
                case .error, .warning, .ok, .default: break
                case .muted: fg = 7
                default: fg = 7; attributes.insert(.bold)
                }
            }
            return (fg, bg, attributes)
        case .full:
            return (colorIndex(style.foreground), colorIndex(style.background), attributes)
        }
    }
}

