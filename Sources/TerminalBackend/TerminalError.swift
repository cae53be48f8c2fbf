/// Why the interactive terminal could not be opened.
public enum TerminalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `/dev/tty` could not be opened (no controlling terminal: a pipe, cron, CI, `setsid`).
    case noTerminal(reason: String)
    /// The terminal type in `TERM` is unknown to terminfo, or `TERM` is not set.
    case unknownTerminalType(String?)
    /// A `Terminal` is already open in this process; ncurses drives one screen here.
    case alreadyOpen

    public var description: String {
        switch self {
        case .noTerminal(let reason):
            return "cannot open the terminal /dev/tty (\(reason))"
        case .unknownTerminalType(let term?):
            return "unknown terminal type TERM=\(term)"
        case .unknownTerminalType(nil):
            return "TERM is not set"
        case .alreadyOpen:
            return "the terminal is already open"
        }
    }
}
