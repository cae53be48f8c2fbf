// Linux only: it reads sigaction through glibc's field names.
#if os(Linux)
import Glibc
import CTerminalRestore
import Testing
@testable import TerminalBackend

/// The C guard's bookkeeping, in this process, on a pseudo-terminal of its own (no real
/// terminal needed): which signals it takes, which it leaves, and that taking it down puts
/// every handler back. What it does when a signal arrives is tested end to end, in tmux
/// (EndToEndTests/FatalExitTests).
@Suite("The terminal guard", .serialized)
struct TerminalGuardTests {
    /// A pty's two ends, closed on deinit.
    final class PseudoTerminal {
        let primary: Int32
        let secondary: Int32

        init() throws {
            primary = c_posix_openpt(O_RDWR | O_NOCTTY)
            try #require(primary >= 0)
            try #require(c_grantpt(primary) == 0 && c_unlockpt(primary) == 0)
            let name = try #require(c_ptsname(primary))
            secondary = open(name, O_RDWR | O_NOCTTY)
            try #require(secondary >= 0)
        }

        deinit {
            close(secondary)
            close(primary)
        }
    }

    /// The handler now installed for `signo`, as an address (0 for SIG_DFL, 1 for SIG_IGN).
    func disposition(_ signo: Int32) -> UInt {
        var current = sigaction()
        sigaction(signo, nil, &current)
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: UInt.self)
    }

    func set(_ signo: Int32, to handler: __sighandler_t?) -> sigaction {
        var new = sigaction()
        new.__sigaction_handler.sa_handler = handler
        var old = sigaction()
        sigaction(signo, &new, &old)
        return old
    }

    @Test("takes every fatal signal left at its default, leaves ignored and handled ones, and puts all back")
    func installAndUninstall() throws {
        let pty = try PseudoTerminal()
        let fatal = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT, SIGSYS, SIGQUIT, SIGXCPU, SIGXFSZ,
                     SIGTERM, SIGHUP, SIGINT, SIGUSR1, SIGPIPE, SIGALRM, SIGVTALRM, SIGRTMIN_value + 1]
        // SIGUSR2 ignored and SIGPROF handled (say, by a profiler) before the guard.
        var before = set(SIGUSR2, to: SIG_IGN)
        let profiler: @convention(c) (Int32) -> Void = { _ in }
        var beforeProf = set(SIGPROF, to: profiler)
        defer {
            sigaction(SIGUSR2, &before, nil)
            sigaction(SIGPROF, &beforeProf, nil)
        }
        // Each at its default to begin with: other tests in this process may have changed one
        // (SwiftNIO ignores SIGPIPE process-wide once a network test has run).
        var saved: [Int32: sigaction] = [:]
        for signo in fatal { saved[signo] = set(signo, to: SIG_DFL) }
        defer { for (signo, old) in saved { var old = old; sigaction(signo, &old, nil) } }
        let original = Dictionary(uniqueKeysWithValues: fatal.map { ($0, disposition($0)) })

        #expect(stv_guard_install(pty.secondary, 0) == 0)
        #expect(stv_guard_install(pty.secondary, 0) == EBUSY, "one guard at a time")
        #expect(stv_guard_is_installed() == 1)
        #expect(stv_guard_handled_signal_count() >= 30, "the fixed signals and the real-time ones")
        for signo in fatal {
            let now = disposition(signo)
            #expect(now != 0 && now != 1, "signal \(signo) is handled")
        }
        let guardHandler = disposition(SIGTERM)
        #expect(disposition(SIGUSR2) == 1, "an ignored signal stays ignored")
        #expect(disposition(SIGPROF) == unsafeBitCast(profiler, to: UInt.self), "a terminating signal's own handler stays")
        #expect(disposition(SIGWINCH) != guardHandler, "SIGWINCH is ncurses' business")
        #expect(disposition(SIGTSTP) != guardHandler, "SIGTSTP is ncurses' business")

        var stack = stack_t()
        sigaltstack(nil, &stack)
        #expect(stack.ss_flags & Int32(SS_DISABLE) == 0 && stack.ss_size >= 128 * 1024, "a roomy alternate signal stack")

        stv_guard_uninstall()
        #expect(stv_guard_is_installed() == 0)
        for signo in fatal {
            #expect(disposition(signo) == original[signo], "signal \(signo) as it was")
        }
        stv_guard_uninstall()  // harmless twice
    }

    @Test("restores the saved terminal modes, and writes the prepared bytes once")
    func restoreWritesOnce() throws {
        let pty = try PseudoTerminal()
        var cooked = termios()
        tcgetattr(pty.secondary, &cooked)
        #expect(stv_guard_install(pty.secondary, 0) == 0)
        defer { stv_guard_uninstall() }
        var raw = cooked
        cfmakeraw(&raw)
        tcsetattr(pty.secondary, TCSANOW, &raw)
        let bytes = Array("\u{1B}[?1049l\u{1B}[?25h".utf8).map { CChar(bitPattern: $0) }
        #expect(stv_guard_arm(bytes, bytes.count) == 0)

        let observer = dup(pty.secondary)
        defer { close(observer) }
        stv_guard_restore()
        stv_guard_restore()
        var now = termios()
        #expect(tcgetattr(observer, &now) == 0)
        #expect(now.c_lflag == cooked.c_lflag && now.c_iflag == cooked.c_iflag && now.c_oflag == cooked.c_oflag)
        // The process is taken to be ending: the viewer's own descriptor now leads nowhere.
        #expect(isatty(pty.secondary) == 0)

        var received = [UInt8](repeating: 0, count: 256)
        let flags = fcntl(pty.primary, F_GETFL)
        _ = fcntl(pty.primary, F_SETFL, flags | O_NONBLOCK)
        let count = read(pty.primary, &received, received.count)
        #expect(count == bytes.count, "once, not twice")
        #expect(Array(received.prefix(max(0, count))) == bytes.map { UInt8(bitPattern: $0) })
    }

    @Test("the restore sequence: CAN, sgr0, mouse off, rmkx, rmcup, cnorm last")
    func restoreSequence() {
        let caps = ["sgr0": "<sgr0>", "rmkx": "<rmkx>", "rmcup": "<rmcup>", "cnorm": "<cnorm>"]
        let bytes = TerminalRestoration.restoreSequence(capability: { caps[$0] }, mouseOff: "<mouse>")
        #expect(String(decoding: bytes.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            == "\u{18}<sgr0><mouse><rmkx><rmcup><cnorm>")
        let bare = TerminalRestoration.restoreSequence(capability: { _ in nil }, mouseOff: nil)
        #expect(bare == [0x18])
    }

    @Test("SWIFT_BACKTRACE asks for an interactive backtracer only with interactive=yes (or on, true, 1)")
    func interactiveSetting() {
        #expect(!TerminalRestoration.backtracerAskedToInteract(nil))
        #expect(!TerminalRestoration.backtracerAskedToInteract(""))
        #expect(!TerminalRestoration.backtracerAskedToInteract("enable=yes"))
        #expect(!TerminalRestoration.backtracerAskedToInteract("interactive=tty"))
        #expect(!TerminalRestoration.backtracerAskedToInteract("interactive=no"))
        #expect(TerminalRestoration.backtracerAskedToInteract("interactive=yes"))
        #expect(TerminalRestoration.backtracerAskedToInteract("color=no, interactive = On ,timeout=5s"))
        #expect(!TerminalRestoration.backtracerAskedToInteract("interactive=yes,interactive=no"), "the last one counts")
    }
}

// Glibc's Swift module leaves out the pseudo-terminal calls (they need _XOPEN_SOURCE).
@_silgen_name("posix_openpt") private func c_posix_openpt(_ flags: Int32) -> Int32
@_silgen_name("grantpt") private func c_grantpt(_ fd: Int32) -> Int32
@_silgen_name("unlockpt") private func c_unlockpt(_ fd: Int32) -> Int32
@_silgen_name("ptsname") private func c_ptsname(_ fd: Int32) -> UnsafeMutablePointer<CChar>?

/// SIGRTMIN is a C function-like macro (glibc asks the library); its value here.
private let SIGRTMIN_value: Int32 = __libc_current_sigrtmin()
#endif
