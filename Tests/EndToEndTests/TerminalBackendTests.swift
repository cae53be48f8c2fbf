import Foundation
import Testing

/// The ncurses backend, through `spanview-termdemo` in a real terminal (tmux): what it
/// draws, the names it gives keys, resizes, and the terminal it leaves behind.
///
/// The demo's screen: row 0 its name, row 1 "size: WxH  colours: D  frame: N", row 2 CJK,
/// row 3 styles, row 4 a bar, row 6 "key: <name of the last key>", the last row "q or Ctrl-C quits".
@Suite("Terminal backend, driven in tmux")
struct TerminalBackendTests {
    static let footer = "q or Ctrl-C quits"

    // MARK: - Drawing

    @Test("starts, draws its text with colours and attributes", .enabled(if: tmuxAvailable))
    func startsAndDraws() throws {
        let session = try startDemo()
        let lines = session.lines()
        #expect(lines.count == 24)
        #expect(lines.first == "spanview-termdemo")
        #expect(lines[1].hasPrefix("size: 80x24  colours: full"))
        #expect(lines[3] == "styles: bold dim under reverse error ok")
        #expect(lines.last == Self.footer)
        let escapes = session.capture(escapes: true)
        #expect(escapes.contains("\u{1B}[1m"), "bold")
        #expect(escapes.contains("38;5;39"), "the accent colour (256-colour palette)")
        #expect(escapes.contains("38;5;196"), "the error colour")
        #expect(escapes.contains("\u{1B}[7m"), "reverse")
        #expect(session.paneFormat("#{alternate_on}") == "1", "draws on the alternate screen")
        #expect(session.paneFormat("#{cursor_flag}") == "0", "hides the cursor")
    }

    @Test("draws CJK two columns wide and block bars", .enabled(if: tmuxAvailable))
    func drawsWideCharacters() throws {
        let session = try startDemo()
        let lines = session.lines()
        // Had ncurses and the grid disagreed on widths, "|end" would be shifted or eaten.
        #expect(lines[2] == "CJK: 日本語のテキスト|end")
        #expect(lines[4] == "bar: " + String(repeating: "█", count: 24) + "▌|")
    }

    @Test("NO_COLOR turns colours off but keeps attributes", .enabled(if: tmuxAvailable))
    func noColor() throws {
        let session = try startDemo(environment: ["NO_COLOR": "1"])
        #expect(session.lines()[1].hasPrefix("size: 80x24  colours: none"))
        let escapes = session.capture(escapes: true)
        #expect(!escapes.contains("38;5;"))
        #expect(escapes.contains("\u{1B}[1m"))
    }

    @Test("under LANG=C, CJK and typed accents still work (UTF-8 character handling)", .enabled(if: tmuxAvailable))
    func asciiLocale() throws {
        let session = try startDemo(environment: ["LANG": "C", "LC_ALL": "C"])
        #expect(session.lines()[2] == "CJK: 日本語のテキスト|end")
        try press(session, text: "é", expect: "é")
    }

    // MARK: - Keys

    @Test("names letters and typed text", .enabled(if: tmuxAvailable))
    func lettersAndText() throws {
        let session = try startDemo()
        try press(session, text: "a", expect: "a")
        try press(session, text: "Z", expect: "Z")
        try press(session, keys: "Space", expect: "Space")
        try press(session, text: "é", expect: "é")
        try press(session, text: "日", expect: "日")
    }

    @Test("names arrows and paging keys", .enabled(if: tmuxAvailable))
    func navigationKeys() throws {
        let session = try startDemo()
        try press(session, keys: "Up", expect: "↑")
        try press(session, keys: "Down", expect: "↓")
        try press(session, keys: "Left", expect: "←")
        try press(session, keys: "Right", expect: "→")
        try press(session, keys: "PageDown", expect: "PgDn")
        try press(session, keys: "PageUp", expect: "PgUp")
        try press(session, keys: "Home", expect: "Home")
        try press(session, keys: "End", expect: "End")
    }

    @Test("names Enter, Escape, Tab, Ctrl keys and function keys", .enabled(if: tmuxAvailable))
    func editingAndControlKeys() throws {
        let session = try startDemo()
        try press(session, keys: "Enter", expect: "Enter")
        try press(session, keys: "Escape", expect: "Esc")
        try press(session, keys: "Tab", expect: "Tab")
        try press(session, keys: "BTab", expect: "Shift-Tab")
        try press(session, keys: "BSpace", expect: "Backspace")
        try press(session, keys: "DC", expect: "Del")
        try press(session, keys: "F5", expect: "F5")
        try press(session, keys: "C-a", expect: "Ctrl-A")
        try press(session, keys: "C-z", expect: "Ctrl-Z")  // raw mode: not a suspend
        #expect(session.isAlive)
    }

    @Test("reports mouse clicks and wheel steps", .enabled(if: tmuxAvailable))
    func mouse() throws {
        let session = try startDemo()
        // SGR mouse reports (ESC [ < button ; column ; row M), 1-based, as xterm sends them.
        try press(session, text: "\u{1B}[<0;5;3M", expect: "Click 4,2")
        try press(session, text: "\u{1B}[<0;5;3m", expect: "Release 4,2")
        try press(session, text: "\u{1B}[<65;10;4M", expect: "Wheel↓ 9,3")
        try press(session, text: "\u{1B}[<64;10;4M", expect: "Wheel↑ 9,3")
    }

    // MARK: - Resizing

    @Test("redraws at the new size after a resize", .enabled(if: tmuxAvailable))
    func resize() throws {
        let session = try startDemo()
        session.resize(width: 50, height: 12)
        #expect(session.waitFor(text: "key: Resize 50x12"), "\(session.capture())")
        var lines = session.lines()
        #expect(lines.count == 12)
        #expect(lines[1].hasPrefix("size: 50x12"))
        #expect(lines.last == Self.footer)

        session.resize(width: 100, height: 30)
        #expect(session.waitFor(text: "key: Resize 100x30"), "\(session.capture())")
        lines = session.lines()
        #expect(lines.count == 30)
        #expect(lines[1].hasPrefix("size: 100x30"))
        #expect(lines.last == Self.footer)
        #expect(lines.filter { $0 == Self.footer }.count == 1, "the old footer was cleared")
        #expect(lines[2] == "CJK: 日本語のテキスト|end")
    }

    // MARK: - Leaving

    @Test("q quits and gives the terminal back", .enabled(if: tmuxAvailable))
    func quitRestoresTerminal() throws {
        let session = try startDemo()
        session.send(keys: "q")
        #expect(session.waitForExit() == 0)
        expectRestored(session)
        #expect(session.waitFor(text: "spanview-termdemo: bye"))
    }

    @Test("Ctrl-C arrives as a key, quits and gives the terminal back", .enabled(if: tmuxAvailable))
    func controlCQuits() throws {
        let session = try startDemo()
        session.send(keys: "C-c")
        #expect(session.waitForExit() == 0, "exit 0 means the demo read Ctrl-C as a key, not SIGINT")
        expectRestored(session)
    }

    @Test("SIGTERM restores the terminal and exits 128+15", .enabled(if: tmuxAvailable))
    func sigtermRestores() throws {
        let session = try startDemo()
        session.signal(SIGTERM)
        #expect(session.waitForExit() == 128 + SIGTERM)
        expectRestored(session)
    }

    // MARK: - No terminal

    @Test("an unknown TERM is a clear error", .enabled(if: tmuxAvailable))
    func unknownTerm() throws {
        let demo = try #require(TmuxSession.product("spanview-termdemo"))
        let session = try TmuxSession(command: TmuxSession.quote(demo.path), environment: ["TERM": "nonesuch"])
        #expect(session.waitForExit() == 2)
        #expect(session.waitFor(text: "unknown terminal type TERM=nonesuch"))
    }

    @Test("without a terminal it says so and exits 2",
          .enabled(if: TmuxSession.findExecutable("setsid") != nil))
    func noTerminal() throws {
        let demo = try #require(TmuxSession.product("spanview-termdemo"))
        // setsid: a new session has no controlling terminal, so /dev/tty cannot be opened.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(TmuxSession.findExecutable("setsid")))
        process.arguments = ["-w", demo.path]
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(message.contains("cannot open the terminal /dev/tty"), "\(message)")
    }

    // MARK: - Helpers

    private func startDemo(width: Int = 80, height: Int = 24, environment: [String: String] = [:]) throws -> TmuxSession {
        let demo = try #require(TmuxSession.product("spanview-termdemo"), "spanview-termdemo is not built")
        let session = try TmuxSession(command: TmuxSession.quote(demo.path), width: width, height: height,
                                      environment: environment)
        try #require(session.waitFor(text: Self.footer), "the demo did not start:\n\(session.capture())")
        return session
    }

    /// Sends key names (or literal text) and waits until the demo shows `expect` as the last key.
    private func press(_ session: TmuxSession, keys: String? = nil, text: String? = nil, expect name: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        if let keys { session.send(keys: keys) }
        if let text { session.send(text: text) }
        let shown = session.waitUntil(timeout: 3) { screen in
            screen.split(separator: "\n").contains { $0 == "key: \(name)" }
        }
        try #require(shown, "expected \"key: \(name)\" on screen:\n\(session.capture())", sourceLocation: sourceLocation)
    }

    /// The terminal as the program found it: cooked mode with echo, the normal screen, a cursor.
    private func expectRestored(_ session: TmuxSession, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(session.ttyFlagAfterExit("echo") == true, "\(session.terminalModesAfterExit ?? "no stty")",
                sourceLocation: sourceLocation)
        #expect(session.ttyFlagAfterExit("icanon") == true, sourceLocation: sourceLocation)
        #expect(session.ttyFlagAfterExit("isig") == true, sourceLocation: sourceLocation)
        #expect(session.paneFormat("#{alternate_on}") == "0", "left the alternate screen", sourceLocation: sourceLocation)
        #expect(session.paneFormat("#{cursor_flag}") == "1", "cursor visible again", sourceLocation: sourceLocation)
        #expect(!session.capture().contains(Self.footer), "the demo's screen is gone", sourceLocation: sourceLocation)
    }
}
