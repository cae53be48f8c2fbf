import Foundation
import Testing

/// However the viewer dies (a Swift runtime trap, a bad pointer, a stack overflow, abort,
/// exit, or any signal whose default action ends a process), the terminal it leaves is
/// the one it found: the normal screen, a visible cursor, mouse reporting and keypad mode
/// off, cooked mode with echo; a crash report is on that normal screen, and the exit
/// status still names the signal.
///
/// Crashes come from the viewer's test hook, `SPANVIEW_TEST_CRASH` (see `TestCrashHook`),
/// which fails right after the first frame; signals are sent with kill(2).
@Suite("The terminal survives the viewer's death", .serialized)
struct FatalExitTests {
    static let statusMarker = "? keys"

    /// Long enough for the Swift runtime's backtracer on a loaded machine; a backtracer
    /// left waiting for a key would take 30 s.
    static let crashTimeout = 20.0

    /// The signal a Swift runtime trap raises: ud2 on x86-64, brk on arm64.
    static let trapSignal: Int32 = {
        #if arch(x86_64) || arch(i386)
        return SIGILL
        #else
        return SIGTRAP
        #endif
    }()

    /// Starts the viewer on a sample in a tall pane (the crash report must fit: tmux keeps
    /// no history here) and, unless it is to crash at its first frame, waits for it to draw.
    /// `SWIFT_BACKTRACE` is cleared so the runtime's defaults apply, whatever the machine
    /// running the tests has set.
    func start(crash: String? = nil, environment: [String: String] = [:]) throws -> TmuxSession {
        let binary = try #require(TmuxSession.product("spanview"), "spanview is not built")
        let command = TmuxSession.quote(binary.path) + " " + TmuxSession.quote(CLI.sample("payment-timeout.json"))
        var variables = ["SWIFT_BACKTRACE": ""].merging(environment) { $1 }
        if let crash { variables["SPANVIEW_TEST_CRASH"] = crash }
        // Wide enough that the report's source paths do not wrap in a checkout with a longer
        // path (a worktree), which would push the message above the report off the pane.
        let session = try TmuxSession(command: command, width: 160, height: 100, environment: variables)
        if crash == nil {
            try #require(session.waitFor(text: Self.statusMarker, timeout: 10), "the viewer did not start:\n\(session.capture())")
        }
        return session
    }

    /// The terminal as the viewer found it.
    func expectRestored(_ session: TmuxSession, sourceLocation: SourceLocation = #_sourceLocation) {
        let modes = session.terminalModesAfterExit ?? "no stty"
        #expect(session.ttyFlagAfterExit("icanon") == true, "cooked mode: \(modes)", sourceLocation: sourceLocation)
        #expect(session.ttyFlagAfterExit("echo") == true, "echo: \(modes)", sourceLocation: sourceLocation)
        #expect(session.ttyFlagAfterExit("isig") == true, "signals from keys: \(modes)", sourceLocation: sourceLocation)
        #expect(session.paneFormat("#{alternate_on}") == "0", "left the alternate screen", sourceLocation: sourceLocation)
        #expect(session.paneFormat("#{cursor_flag}") == "1", "cursor visible", sourceLocation: sourceLocation)
        let mouse = session.paneFormat("#{mouse_any_flag}#{mouse_standard_flag}#{mouse_button_flag}#{mouse_all_flag}#{mouse_sgr_flag}")
        #expect(mouse == "00000", "mouse reporting off (any, standard, button, all, SGR)", sourceLocation: sourceLocation)
        let keypad = session.paneFormat("#{keypad_cursor_flag}#{keypad_flag}")
        #expect(keypad == "00", "keypad transmit mode off", sourceLocation: sourceLocation)
        #expect(!session.capture().contains(Self.statusMarker), "the viewer's screen is gone", sourceLocation: sourceLocation)
    }

    /// The row index of the first line containing `text`, if any.
    func row(of text: String, in lines: [String]) -> Int? {
        lines.firstIndex { $0.contains(text) }
    }

    // MARK: - Crashes

    struct Crash: CustomTestStringConvertible, Sendable {
        var mode: String
        var signal: Int32
        /// What the normal screen shows above the backtracer's report, if anything.
        var message: String?
        var testDescription: String { mode }
    }

    static let crashes: [Crash] = [
        Crash(mode: "trap", signal: trapSignal, message: "Fatal error: SPANVIEW_TEST_CRASH=trap"),
        Crash(mode: "unwrap", signal: trapSignal, message: "Fatal error: Unexpectedly found nil while unwrapping an Optional value"),
        Crash(mode: "thread", signal: trapSignal, message: "Fatal error: SPANVIEW_TEST_CRASH=thread"),
        Crash(mode: "segv", signal: SIGSEGV, message: "Program crashed: Bad pointer dereference"),
        Crash(mode: "overflow", signal: SIGSEGV, message: nil),  // its report is longer than the pane
        Crash(mode: "abort", signal: SIGABRT, message: "Program crashed: Aborted"),
    ]

    @Test("a crash restores the terminal first, then the crash report shows on the normal screen",
          .enabled(if: tmuxAvailable), arguments: crashes)
    func crash(_ crash: Crash) throws {
        let session = try start(crash: crash.mode)
        let status = session.waitForExit(timeout: Self.crashTimeout)
        #expect(status == 128 + crash.signal, "died of signal \(crash.signal):\n\(session.capture())")
        expectRestored(session)
        // The backtracer ran to its end, on the normal screen, and was not left waiting for a key.
        let lines = session.lines()
        let end = row(of: "Backtrace took", in: lines)
        #expect(end != nil, "the crash report:\n\(session.capture())")
        #expect(row(of: "Press space to interact", in: lines) == nil)
        if let message = crash.message {
            let at = row(of: message, in: lines)
            #expect(at != nil, "\(message):\n\(session.capture())")
            if let at, let end { #expect(at < end, "the message comes before the end of the report") }
        }
    }

    @Test("a Swift runtime failure's message is printed on the normal screen before the backtrace",
          .enabled(if: tmuxAvailable))
    func fatalErrorMessageFirst() throws {
        let session = try start(crash: "trap")
        #expect(session.waitForExit(timeout: Self.crashTimeout) == 128 + Self.trapSignal)
        let lines = session.lines()
        let message = try #require(row(of: "Fatal error: SPANVIEW_TEST_CRASH=trap", in: lines), "\(session.capture())")
        let report = try #require(row(of: "Program crashed", in: lines), "\(session.capture())")
        #expect(message < report)
        #expect(row(of: "TestCrashHook.fireIfAsked", in: lines) != nil, "the backtrace names the crashing function")
    }

    @Test("SWIFT_BACKTRACE=interactive=yes keeps the backtracer's prompt, on a restored terminal",
          .enabled(if: tmuxAvailable))
    func interactiveBacktracerOnRequest() throws {
        let session = try start(crash: "trap", environment: ["SWIFT_BACKTRACE": "interactive=yes"])
        #expect(session.waitFor(text: "Press space to interact", timeout: Self.crashTimeout), "\(session.capture())")
        #expect(session.paneFormat("#{alternate_on}") == "0", "restored before the backtracer asks")
        #expect(session.paneFormat("#{cursor_flag}") == "1")
        session.send(text: "q")
        #expect(session.waitForExit(timeout: 10) == 128 + Self.trapSignal)
        expectRestored(session)
    }

    @Test("exit() while the viewer is open restores the terminal and shows what went to standard error",
          .enabled(if: tmuxAvailable))
    func exitWhileOpen() throws {
        let session = try start(crash: "exit")
        #expect(session.waitForExit(timeout: 10) == 3)
        expectRestored(session)
        #expect(session.waitFor(text: "spanview: SPANVIEW_TEST_CRASH=exit", timeout: 2), "\(session.capture())")
    }

    // MARK: - Signals

    struct Kill: CustomTestStringConvertible, Sendable {
        var signal: Int32
        var name: String
        /// Crash signals go on to the Swift runtime's backtracer, which reports.
        var reports: Bool
        var testDescription: String { name }
    }

    static let kills: [Kill] = [
        Kill(signal: SIGTERM, name: "SIGTERM", reports: false),
        Kill(signal: SIGINT, name: "SIGINT", reports: false),
        Kill(signal: SIGUSR1, name: "SIGUSR1", reports: false),
        Kill(signal: SIGUSR2, name: "SIGUSR2", reports: false),
        Kill(signal: SIGALRM, name: "SIGALRM", reports: false),
        Kill(signal: SIGPIPE, name: "SIGPIPE", reports: false),
        Kill(signal: SIGXCPU, name: "SIGXCPU", reports: false),
        Kill(signal: SIGQUIT, name: "SIGQUIT", reports: true),
        Kill(signal: SIGBUS, name: "SIGBUS", reports: true),
    ]

    @Test("a fatal signal restores the terminal and the process still dies of it",
          .enabled(if: tmuxAvailable), arguments: kills)
    func signal(_ kill: Kill) throws {
        let session = try start()
        session.signal(kill.signal)
        #expect(session.waitForExit(timeout: kill.reports ? Self.crashTimeout : 5) == 128 + kill.signal,
                "\(session.capture())")
        expectRestored(session)
        if kill.reports {
            #expect(session.capture().contains("Backtrace took"), "\(session.capture())")
        }
    }

    @Test("q still quits cleanly: exit status 0 and the terminal restored", .enabled(if: tmuxAvailable))
    func quit() throws {
        let session = try start()
        session.send(keys: "q", "q")  // a lone trace opens at once: the first q goes back to the list
        #expect(session.waitForExit() == 0)
        expectRestored(session)
    }
}
