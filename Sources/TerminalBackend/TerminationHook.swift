#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CTerminalRestore
import Foundation
import Synchronization

extension Terminal {
    /// Lets the viewer write what would otherwise be lost (its own spans, say) when it is
    /// asked to end by SIGTERM, SIGINT or SIGHUP while the screen is open. The first such
    /// signal no longer ends the process in the signal handler: the terminal is given back
    /// at once, then `beforeEnding(signal)` runs on a thread of its own, and then the
    /// process dies of the same signal with its default action, so its exit status still
    /// tells the signal. `beforeEnding` must bound its own time; a second signal ends the
    /// process at once. Crashes and other signals are unchanged. Call it once; later calls
    /// do nothing.
    public static func whenAskedToEnd(_ beforeEnding: @escaping @Sendable (Int32) -> Void) {
        guard TerminationHook.installed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let readEnd = fds[0]
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 { break }
                if n < 0 && errno == EINTR { continue }
                return
            }
            let signo = Int32(byte)
            stv_guard_restore()
            beforeEnding(signo)
            signal(signo, SIG_DFL)
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, signo)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            raise(signo)
            _exit(128 + signo)
        }
        thread.name = "spanview-termination"
        thread.start()
        stv_guard_defer_termination(fds[1])
    }
}

enum TerminationHook {
    static let installed = Atomic(false)
}
