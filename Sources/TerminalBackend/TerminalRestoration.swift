#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNCursesW
import CTerminalRestore

/// Puts the terminal back however the process ends while a `Terminal` is open, through the
/// C guard in `CTerminalRestore`:
///
/// - On every signal whose default action ends the process (SIGKILL aside, which nothing
///   can catch): those that dump core, crashes (SIGSEGV, SIGBUS, SIGILL and SIGTRAP, which
///   Swift runtime traps raise, SIGFPE, SIGABRT, SIGSYS, SIGQUIT, SIGXCPU, SIGXFSZ), and those that
///   only terminate (SIGTERM, SIGHUP, SIGINT, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2,
///   SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSTKFLT, the real-time signals). The handler,
///   on an alternate signal stack so a stack overflow reaches it too, points ncurses'
///   descriptor at /dev/null (so no other thread draws any more), writes bytes prepared
///   here when the screen opened (`restoreSequence`) and sets the terminal modes saved
///   before ncurses changed them; nothing else. Then a crash goes on to the handler
///   that was there before (the Swift runtime's backtracer, whose report so lands on the
///   normal screen), and the process dies of the same signal with its default action, so
///   its exit status still tells the signal.
/// - SIGPIPE is treated like the other terminating signals (restore, then die of it) rather
///   than ignored: the viewer writes only to its terminal and its own wake pipe, so one can
///   only come from `kill` or a bug, and dying of it is what a program without a handler does.
/// - On `exit()` from anywhere, from an `atexit` hook.
/// - Standard error, when it is the viewer's terminal, is captured while the screen is open
///   and replayed once the terminal is back, so "Fatal error: ..." (printed by the runtime
///   just before it traps) and any warning end up on the normal screen, not wiped with the
///   alternate one.
/// - The Swift runtime's backtracer is interactive when standard input and output are a
///   terminal: after its report it would wait 30 s for a key. Unless `SWIFT_BACKTRACE`
///   asks for `interactive=yes`, the handler first gives it, as standard input, a pipe
///   that holds a newline ("any other key to quit"), so it ends at once and the shell
///   comes back.
///
/// Signals that are ignored when the screen opens stay ignored, and a terminating signal
/// that already has a handler keeps it. SIGWINCH and SIGTSTP are left to ncurses. Closing
/// the terminal puts back the handlers that were there before.
enum TerminalRestoration {
    /// The screen currently open. Written and read only on the UI thread.
    nonisolated(unsafe) static var activeScreen: OpaquePointer?

    /// Installs the guard over `ttyDescriptor`. Call before `newterm`: it saves the
    /// terminal's modes as they are now, and ncurses then leaves SIGINT and SIGTERM to it.
    /// - Returns: false if the guard could not be installed (the viewer then runs without).
    @discardableResult
    static func install(ttyDescriptor: Int32,
                        backtraceSetting: String? = getenv("SWIFT_BACKTRACE").map { String(cString: $0) }) -> Bool {
        var flags = STV_GUARD_CAPTURE_STDERR
        if !backtracerAskedToInteract(backtraceSetting) { flags |= STV_GUARD_QUIET_BACKTRACER }
        return stv_guard_install(ttyDescriptor, flags) == 0
    }

    /// Hands the guard the bytes that undo what the viewer turns on. Call right after
    /// `newterm` and `set_term`, which is when terminfo can be asked.
    static func arm(_ screen: OpaquePointer, mouse: Bool) {
        activeScreen = screen
        let bytes = restoreSequence(capability: { name in cn_tigetstr(name).map { String(cString: $0) } },
                                    mouseOff: mouse ? (cn_tparm1("XM", 0).map { String(cString: $0) } ?? "\u{1B}[?1000l") : nil)
        _ = bytes.withUnsafeBufferPointer { stv_guard_arm($0.baseAddress, $0.count) }
    }

    /// Leaves curses mode the ordinary way (`endwin`: the saved modes, the normal screen, a
    /// visible cursor), then takes the guard down: standard error back, with what it
    /// received replayed, and the previous signal handlers. Safe to call more than once.
    static func leaveCursesMode() {
        if activeScreen != nil {
            activeScreen = nil
            _ = curs_set(1)
            _ = endwin()
        }
        stv_guard_uninstall()
    }

    /// Takes the guard down without ncurses (when opening failed half way).
    static func uninstall() {
        activeScreen = nil
        stv_guard_uninstall()
    }

    // MARK: - Pure parts

    /// The bytes that give the terminal back, from its terminfo capabilities (`capability`
    /// returns nil for one it lacks): CAN first, which abandons an escape sequence that a
    /// crash cut in half, then attributes reset (`sgr0`), mouse reporting off
    /// (`mouseOff`, nil if it was never turned on), keypad transmit mode off (`rmkx`), the
    /// normal screen (`rmcup`) and the cursor shown (`cnorm`) last, since leaving the
    /// alternate screen can bring back the cursor state saved with it.
    static func restoreSequence(capability: (String) -> String?, mouseOff: String?) -> [CChar] {
        var text = "\u{18}"
        text += capability("sgr0") ?? ""
        text += mouseOff ?? ""
        text += capability("rmkx") ?? ""
        text += capability("rmcup") ?? ""
        text += capability("cnorm") ?? ""
        return text.utf8.map { CChar(bitPattern: $0) }
    }

    /// Whether a `SWIFT_BACKTRACE` setting asks the backtracer to be interactive on
    /// purpose (`interactive=yes`, or `on`, `true`, `1`), in which case it keeps the
    /// terminal as its standard input and may wait for a key after the report.
    static func backtracerAskedToInteract(_ setting: String?) -> Bool {
        guard let setting else { return false }
        var interactive = false  // the runtime's default, tty, counts as not asked for
        for item in setting.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " ").lowercased() }
            if parts.count == 2, parts[0] == "interactive" {
                interactive = ["yes", "y", "on", "true", "t", "1"].contains(parts[1])
            }
        }
        return interactive
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var text = self
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}
