#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNCursesW

/// Puts the terminal back if the process ends while a `Terminal` is open: on SIGTERM,
/// SIGHUP, SIGQUIT and SIGINT (raw mode turns Ctrl-C into a key, but `kill -INT` still
/// arrives), and from an `atexit` hook for `exit()` calls anywhere.
///
/// SIGWINCH is left alone on purpose: ncurses installs its own handler in `newterm`
/// and reports the new size as KEY_RESIZE.
enum TerminalRestoration {
    /// The screen currently open, read by the signal handlers. Written only on the UI
    /// thread, with signals handled on any thread, so this is a plain word, not a lock.
    nonisolated(unsafe) static var activeScreen: OpaquePointer?
    nonisolated(unsafe) private static var atexitInstalled = false

    static let signals: [Int32] = [SIGTERM, SIGHUP, SIGQUIT, SIGINT]

    static func activate(_ screen: OpaquePointer) {
        activeScreen = screen
        if !atexitInstalled {
            atexitInstalled = true
            atexit(restoreAtExit)
        }
        for signo in signals { _ = signal(signo, restoreOnSignal) }
    }

    static func deactivate() {
        activeScreen = nil
        for signo in signals { _ = signal(signo, SIG_DFL) }
    }

    /// Leaves curses mode: the tty's saved modes, the normal screen and a visible cursor.
    /// Safe to call more than once; the first call wins.
    static func leaveCursesMode() {
        guard activeScreen != nil else { return }
        activeScreen = nil
        _ = curs_set(1)
        _ = endwin()
    }
}

private func restoreOnSignal(_ signo: Int32) {
    TerminalRestoration.leaveCursesMode()
    _exit(128 + signo)
}

private func restoreAtExit() {
    TerminalRestoration.leaveCursesMode()
}
