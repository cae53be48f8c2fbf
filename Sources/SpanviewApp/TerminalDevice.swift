import CellGrid
import TerminalInput

/// What the run loop needs of a terminal: a descriptor to wait on for keys, the keys, and a
/// place to draw frames. The real one is ncurses on /dev/tty (TerminalBackend); tests use
/// `TestTerminal`, so the real loop runs without a terminal.
public protocol TerminalDevice: AnyObject {
    /// Readable when a key (or a resize) may be waiting.
    var inputFileDescriptor: Int32 { get }
    /// The next key, resize or mouse event, or nil when none is waiting. Never blocks.
    func readKey() -> Key?
    /// Shows a frame.
    func draw(_ grid: Grid)
}
