#if canImport(Glibc)
import Glibc
#endif

/// A test hook, for the end-to-end tests only: with `SPANVIEW_TEST_CRASH` set, the viewer
/// fails on purpose right after drawing its first frame, to show that the terminal comes
/// back whatever the failure. The values:
///
/// - `trap`: a Swift runtime trap (`fatalError`; SIGILL on x86-64, SIGTRAP on arm64).
/// - `unwrap`: a force-unwrap of nil (the same trap, the runtime's own message).
/// - `thread`: a trap on another thread, while the viewer's goes on.
/// - `segv`: a write through a bad pointer (SIGSEGV).
/// - `overflow`: unbounded recursion, a stack overflow (SIGSEGV on the guard page).
/// - `abort`: `abort()` (SIGABRT).
/// - `exit`: a line on standard error, then `exit(3)`, while the screen is open.
///
/// Any other value, or none, does nothing. Nothing else reads this variable.
enum TestCrashHook {
    static let variable = "SPANVIEW_TEST_CRASH"

    /// Fails as `SPANVIEW_TEST_CRASH` says, if it is set.
    static func fireIfAsked() {
        guard let value = getenv(variable).map({ String(cString: $0) }) else { return }
        switch value {
        case "trap":
            fatalError("\(variable)=trap")
        case "unwrap":
            let nothing: Int? = getenv("SPANVIEW_TEST_CRASH_NEVER_SET").map { _ in 1 }
            print(nothing!)
        case "thread":
            var thread = pthread_t()
            _ = pthread_create(&thread, nil, { _ in fatalError("\(TestCrashHook.variable)=thread") }, nil)
        case "segv":
            UnsafeMutablePointer<Int>(bitPattern: 16)!.pointee = 1
        case "overflow":
            var start = 0
            print(recurse(0, &start))
        case "abort":
            abort()
        case "exit":
            let line = "spanview: \(variable)=exit\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
            exit(3)
        default:
            return
        }
    }

    /// Runs out of stack: each call keeps a local in memory and adds to the result after the
    /// inner call, so the compiler can turn neither into a loop.
    @inline(never)
    private static func recurse(_ depth: Int, _ outer: UnsafeMutablePointer<Int>) -> Int {
        if depth == Int.max { return 0 }  // never reached; keeps the compiler from calling it infinite
        var local = depth &+ outer.pointee
        return recurse(depth &+ 1, &local) &+ local
    }
}
