/// One input event from the terminal: a key, a mouse event, or a new size. Pure values: the
/// ncurses backend produces them, the app consumes them, tests script them.
public enum Key: Hashable, Sendable {
    /// A printable character (including space). Never a control character.
    case character(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, backspace, tab, backTab, delete
    /// F1, F2, ...
    case function(Int)
    /// Ctrl with a letter, lowercased: Ctrl-C is `.control("c")`. Tab (Ctrl-I) and
    /// Enter (Ctrl-M, Ctrl-J) come as `.tab` and `.enter`, Ctrl-H and DEL as `.backspace`,
    /// Ctrl-[ as `.escape`. Ctrl-@, Ctrl-\, Ctrl-], Ctrl-^ and Ctrl-_ use those symbols.
    case control(Character)
    case mouse(MouseEvent)
    /// The terminal changed size; the next frame should be laid out for it.
    case resize(width: Int, height: Int)
}

/// A mouse click or wheel step at a cell (0-based column `x`, row `y`).
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case press, release, wheelUp, wheelDown }
    public var kind: Kind
    public var x: Int
    public var y: Int

    public init(kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}

// MARK: - Decoding raw key codes

extension Key {
    /// The key for a character code read from the terminal in raw mode (no keypad
    /// translation involved): control codes become the named keys or `.control`.
    public init(code: UInt32) {
        switch code {
        case 0x0D, 0x0A: self = .enter
        case 0x09: self = .tab
        case 0x1B: self = .escape
        case 0x08, 0x7F: self = .backspace
        case 0x00: self = .control("@")
        case 0x01...0x1A:
            self = .control(Character(Unicode.Scalar(UInt8(0x60 + code))))
        case 0x1C...0x1F:
            self = .control(Character(Unicode.Scalar(UInt8(0x40 + code))))
        default:
            if let scalar = Unicode.Scalar(code) {
                self = .character(Character(scalar))
            } else {
                self = .character("\u{FFFD}")
            }
        }
    }
}

// MARK: - Names for help screens

extension Key: CustomStringConvertible {
    /// A short name for help screens and status lines: "q", "Space", "Ctrl-C", "PgDn", "↑", "F5".
    public var displayName: String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Backspace"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .delete: return "Del"
        case .function(let n): return "F\(n)"
        case .control(let c): return "Ctrl-" + c.uppercased()
        case .mouse(let event):
            switch event.kind {
            case .press: return "Click \(event.x),\(event.y)"
            case .release: return "Release \(event.x),\(event.y)"
            case .wheelUp: return "Wheel↑ \(event.x),\(event.y)"
            case .wheelDown: return "Wheel↓ \(event.x),\(event.y)"
            }
        case .resize(let width, let height): return "Resize \(width)x\(height)"
        }
    }

    public var description: String { displayName }
}
