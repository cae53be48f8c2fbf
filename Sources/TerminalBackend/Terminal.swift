#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNCursesW
import CellGrid
import TerminalInput

/// The real terminal, through ncurses: the only place the program talks to it.
///
/// It opens `/dev/tty` rather than stdin/stdout, so `cat trace.json | spanview` works:
/// stdin carries the data while keys come from the terminal (tig's pager mode). It puts
/// the terminal in raw mode, so Ctrl-C and Ctrl-Z arrive as keys. ncurses is not
/// thread-safe: create, draw, read and restore on one thread.
public final class Terminal {
    /// The colours in use: what was asked for, lowered to what the terminal can show.
    public let palette: Palette

    private var tty: UnsafeMutablePointer<FILE>?
    private var screen: OpaquePointer?
    var window: UnsafeMutablePointer<WINDOW>?
    private var styles: CellStyles
    /// What is on the screen now, as far as we know; nil: unknown, draw everything.
    private var shown: Grid?
    /// Set on resize and by `invalidate()`: the next `draw` writes every cell.
    var needsFullRedraw = true
    private var lastSize: (width: Int, height: Int) = (0, 0)
    private let replacement: wchar_t

    /// Opens the terminal.
    /// - Parameter colorDepth: the colours to use; nil detects them: none if `NO_COLOR` is
    ///   set or the terminal has none, eight if it has fewer than 256, else full.
    /// - Throws: `TerminalError` when there is no terminal (`/dev/tty` cannot be opened,
    ///   say under a pipe-only job or `setsid`) or `TERM` is unknown.
    public init(colorDepth: Palette.Depth? = nil) throws {
        guard TerminalRestoration.activeScreen == nil else { throw TerminalError.alreadyOpen }
        Terminal.useUTF8Locale()
        guard let tty = fopen("/dev/tty", "r+") else {
            throw TerminalError.noTerminal(reason: String(cString: strerror(errno)))
        }
        // Before newterm: the guard saves the modes to go back to, and ncurses, seeing
        // SIGINT and SIGTERM handled, leaves them to it.
        TerminalRestoration.install(ttyDescriptor: fileno(tty))
        // newterm does not exit on an unknown TERM (initscr would); it returns NULL.
        guard let screen = newterm(nil, tty, tty) else {
            TerminalRestoration.uninstall()
            fclose(tty)
            throw TerminalError.unknownTerminalType(getenv("TERM").map { String(cString: $0) })
        }
        _ = set_term(screen)
        // newterm has entered the alternate screen already: from here a fatal signal restores.
        TerminalRestoration.arm(screen, mouse: false)
        let window = cn_stdscr()!
        _ = raw()
        _ = noecho()
        _ = nonl()
        _ = keypad(window, true)
        _ = nodelay(window, true)
        _ = curs_set(0)
        _ = set_escdelay(25)
        // Report presses and releases at once, without waiting to tell clicks from them.
        // A press and release read together still come as a click (see mouseKey()).
        _ = mouseinterval(0)
        _ = mousemask(cn_button1_pressed() | cn_button1_released() | cn_button1_clicked()
            | cn_button4_pressed() | cn_button5_pressed(), nil)
        Terminal.defineHomeEndSequences()
        TerminalRestoration.arm(screen, mouse: has_mouse())

        let hasColors = has_colors()
        // COLORS is only set by start_color(), which waits until colours are wanted.
        let colors = hasColors ? max(0, Int(tigetnum("colors"))) : 0
        let noColor = getenv("NO_COLOR").map { String(cString: $0) }
        let depth = (colorDepth ?? .detect(noColor: noColor, hasColors: hasColors, colors: colors))
            .clamped(hasColors: hasColors, colors: colors)
        var defaultColors = false
        if depth != .none {
            _ = start_color()  // before any alloc_pair, which crashes without it
            defaultColors = use_default_colors() == OK
        }

        self.tty = tty
        self.screen = screen
        self.window = window
        palette = Palette(depth: depth)
        styles = CellStyles(palette: palette, defaultColors: defaultColors)
        replacement = cn_wcwidth(0xFFFD) == 1 ? 0xFFFD : wchar_t(UInt8(ascii: "?"))
        lastSize = size
    }

    deinit { restore() }

    /// The user's locale (ncursesw needs it to encode and decode wide characters). Under
    /// LANG=C, which is common in containers and over ssh, CJK would come out as "?" and
    /// typed "é" would never arrive, so character handling falls back to C.UTF-8: the
    /// grid draws block bars and box lines, which need a UTF-8 terminal in any case.
    private static func useUTF8Locale() {
        setlocale(LC_ALL, "")
        if !isUTF8(nl_langinfo(nl_item(CODESET))) {
            for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, name) != nil {
                break
            }
        }
    }

    private static func isUTF8(_ codeset: UnsafePointer<CChar>?) -> Bool {
        guard let codeset else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    // MARK: - Facts

    /// Columns and rows of the terminal now (as of the last resize ncurses has seen).
    public var size: (width: Int, height: Int) {
        guard let window else { return lastSize }
        var rows: Int32 = 0, cols: Int32 = 0
        cn_getmaxyx(window, &rows, &cols)
        return (Int(cols), Int(rows))
    }

    /// The terminal's file descriptor, to `poll()` for key presses alongside other sources.
    /// -1 after `restore()`.
    public var ttyFileDescriptor: Int32 {
        guard let tty else { return -1 }
        return fileno(tty)
    }

    /// Whether the terminal is still in curses mode (not yet restored).
    public var isOpen: Bool { screen != nil }

    // MARK: - Restoring

    /// Gives the terminal back as it was: cooked mode, echo, the normal screen, a visible
    /// cursor, mouse reporting off; then shows what was written to standard error meanwhile.
    /// Safe to call more than once. Fatal signals and `exit()` restore the terminal too
    /// (see `TerminalRestoration`).
    public func restore() {
        guard let screen else { return }
        lastSize = size
        TerminalRestoration.leaveCursesMode()
        delscreen(screen)
        if let tty { fclose(tty) }
        self.screen = nil
        self.tty = nil
        window = nil
        shown = nil
    }

    // MARK: - Drawing

    /// Forgets what is on the screen: the next `draw` clears it and writes every cell
    /// (for Ctrl-L, or after something else wrote to the terminal).
    public func invalidate() {
        needsFullRedraw = true
        if let window { _ = clearok(window, true) }
    }

    /// Shows `grid`, writing only the cells that differ from the last grid drawn. The first
    /// frame, a new grid size or a resize writes everything. Cells beyond the terminal's
    /// edge are clipped.
    public func draw(_ grid: Grid) {
        guard let window else { return }
        let previous: Grid? = needsFullRedraw ? nil : shown.flatMap {
            $0.width == grid.width && $0.height == grid.height ? $0 : nil
        }
        if previous == nil { _ = werase(window) }
        let (columns, rows) = size
        let width = min(grid.width, columns)
        for y in 0..<min(grid.height, rows) {
            var lastWritten = -1
            for x in 0..<width {
                let cell = grid[x, y]
                if let previous, previous[x, y] == cell { continue }
                if cell.isContinuation {
                    // The wide character before it covers it; if only this half changed,
                    // write the character again.
                    if x > 0, lastWritten != x - 1, !grid[x - 1, y].isContinuation {
                        write(grid, x - 1, y, width: width, into: window)
                    }
                    continue
                }
                write(grid, x, y, width: width, into: window)
                lastWritten = x
            }
        }
        _ = wnoutrefresh(window)
        _ = doupdate()
        shown = grid
        needsFullRedraw = false
    }

    /// Writes the cell at (x, y), which is not a continuation.
    private func write(_ grid: Grid, _ x: Int, _ y: Int, width: Int, into window: UnsafeMutablePointer<WINDOW>) {
        let cell = grid[x, y]
        let rendition = styles.rendition(cell.style)
        let isWide = x + 1 < grid.width && grid[x + 1, y].isContinuation
        var scalars = cell.text.unicodeScalars.prefix(Int(CCHARW_MAX)).map { wchar_t(bitPattern: $0.value) }
        if isWide && x + 1 >= width { scalars = [] }  // clipped in half: show a blank
        if scalars.isEmpty { scalars = [wchar_t(UInt8(ascii: " "))] }
        let baseWidth = cn_wcwidth(scalars[0])
        if baseWidth < 0 {
            scalars = [replacement]  // unprintable for the C library: never send it
        } else if baseWidth == 0 {
            scalars.insert(wchar_t(UInt8(ascii: " ")), at: 0)  // a mark needs something to sit on
            if scalars.count > Int(CCHARW_MAX) { scalars.removeLast() }
        }
        _ = scalars.withUnsafeBufferPointer {
            cn_put_cluster(window, Int32(y), Int32(x), $0.baseAddress, Int32($0.count), rendition.attributes, rendition.pair)
        }
        // The grid's own width table says two columns; if the C library says one, ncurses
        // would leave the second column alone, so blank it.
        if isWide && x + 1 < width && cn_wcwidth(scalars[0]) < 2 {
            _ = cn_put_cell(window, Int32(y), Int32(x + 1), wchar_t(UInt8(ascii: " ")), 0, rendition.attributes, rendition.pair)
        }
    }
}
