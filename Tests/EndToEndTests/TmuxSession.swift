import Foundation

/// Whether tmux can be run here. End-to-end tests that need a terminal take
/// `.enabled(if: tmuxAvailable)`, so they are skipped, not failed, without it.
let tmuxAvailable: Bool = TmuxSession.tmuxPath != nil

/// A built program running in a real terminal: a detached tmux session on a server of its
/// own (a unique `-L` socket, so tests running in parallel never meet), typed at with
/// `send-keys` and read back with `capture-pane`, as a person would.
///
/// The command runs in a small shell script that, once the command ends, records the
/// terminal's modes (`stty -a`) and the exit status in a temporary folder, then sleeps
/// so the pane stays readable. The server is killed when the session is released.
final class TmuxSession {
    /// Errors starting a session.
    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    let socket: String
    let name = "e2e"
    /// Where the script, the exit status and the terminal modes go.
    let folder: URL
    private var killed = false
    /// The tmux server's pid, to make sure it is gone in `kill()`.
    private var serverPID: pid_t?
    /// The server's socket file, which tmux leaves behind when it is killed.
    private var socketPath = ""

    /// Starts `command` (a shell command line) in a `width` x `height` terminal.
    /// - Parameters:
    ///   - term: TERM inside the terminal.
    ///   - environment: extra variables for the command.
    init(command: String, width: Int = 80, height: Int = 24, term: String = "xterm-256color",
         environment: [String: String] = [:]) throws {
        guard let tmux = Self.tmuxPath else { throw StartError(description: "tmux is not installed") }
        let unique = UUID().uuidString.prefix(8).lowercased()
        socket = "spanview-e2e-\(getpid())-\(unique)"
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(socket, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        // `status off`: otherwise the status line takes a row from the pane.
        try "set -g status off\nset -s escape-time 0\nset -g history-limit 0\n"
            .write(to: file("tmux.conf"), atomically: true, encoding: .utf8)
        // The test runner's own NO_COLOR (swift test sets it) must not reach the program.
        var script = "export TERM=\(Self.quote(term)) LANG=C.UTF-8\nunset LC_ALL TMUX NO_COLOR\n"
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) {
            script += "export \(key)=\(Self.quote(value))\n"
        }
        // The inner shell writes its pid and becomes the program, so `programPID` is the
        // program's (for a simple command; for a pipeline it is the shell's).
        try "echo $$ > \(Self.quote(file("pid").path))\nexec \(command)\n"
            .write(to: file("command.sh"), atomically: true, encoding: .utf8)
        script += """
            sh \(Self.quote(file("command.sh").path))
            status=$?
            stty -a > \(Self.quote(file("stty").path)) 2>&1
            echo "$status" > \(Self.quote(file("exit.tmp").path))
            mv \(Self.quote(file("exit.tmp").path)) \(Self.quote(file("exit").path))
            exec sleep 600

            """
        try script.write(to: file("run.sh"), atomically: true, encoding: .utf8)

        let result = Self.run(tmux, ["-L", socket, "-f", file("tmux.conf").path,
                                     "new-session", "-d", "-x", "\(width)", "-y", "\(height)", "-s", name,
                                     "sh " + Self.quote(file("run.sh").path)])
        guard result.status == 0 else {
            throw StartError(description: "tmux new-session failed (\(result.status)): \(result.output)")
        }
        serverPID = pid_t(paneFormat("#{pid}"))
        socketPath = paneFormat("#{socket_path}")
    }

    deinit { kill() }

    // MARK: - Typing

    /// Sends key names as tmux spells them: "Enter", "Escape", "C-c", "PageDown", "Up", "F5", "BTab".
    func send(keys: String...) {
        tmux(["send-keys", "-t", name] + keys)
    }

    /// Sends text as typed, without looking up key names (`send-keys -l`).
    func send(text: String) {
        tmux(["send-keys", "-t", name, "-l", text])
    }

    /// Changes the terminal's size; the program gets SIGWINCH.
    func resize(width: Int, height: Int) {
        tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Sends a signal to the program (the command's pid, see `init`).
    func signal(_ signo: Int32) {
        guard let pid = programPID else { return }
        _ = sendSignal(pid, signo)
    }

    // MARK: - Reading the screen

    /// The visible screen as text, one line per row, trailing spaces trimmed; with
    /// `escapes`, including the SGR sequences for colours and attributes (`capture-pane -e`).
    func capture(escapes: Bool = false) -> String {
        tmux(["capture-pane", "-p", "-t", name] + (escapes ? ["-e"] : [])).output
    }

    /// The visible rows as an array.
    func lines() -> [String] {
        var text = capture()
        if text.hasSuffix("\n") { text.removeLast() }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Waits until `text` is on the screen. Polls every 50 ms.
    @discardableResult
    func waitFor(text: String, timeout: Double = 5) -> Bool {
        waitUntil(timeout: timeout) { $0.contains(text) }
    }

    /// Waits until the screen satisfies `condition`. Polls every 50 ms.
    @discardableResult
    func waitUntil(timeout: Double = 5, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if condition(capture()) { return true }
            if Date() >= deadline { return false }
            usleep(50_000)
        }
    }

    /// A tmux format for the pane, e.g. "#{alternate_on}" (1 while the program is on the
    /// alternate screen) or "#{cursor_flag}" (1 while the cursor is visible).
    func paneFormat(_ format: String) -> String {
        tmux(["display-message", "-p", "-t", name, format]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - The program's end

    /// Whether the program is still running.
    var isAlive: Bool {
        exitStatus == nil && tmux(["has-session", "-t", name]).status == 0
    }

    /// The program's exit status once it has ended (128 + n when it ended on signal n).
    var exitStatus: Int32? {
        guard let text = try? String(contentsOf: file("exit"), encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Waits for the program to end and returns its exit status; nil on timeout.
    func waitForExit(timeout: Double = 5) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = exitStatus { return status }
            usleep(50_000)
        }
        return exitStatus
    }

    /// The program's pid, once it has started.
    var programPID: pid_t? {
        guard let text = try? String(contentsOf: file("pid"), encoding: .utf8) else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `stty -a` as run in the same terminal right after the program ended.
    var terminalModesAfterExit: String? {
        try? String(contentsOf: file("stty"), encoding: .utf8)
    }

    /// Whether an `stty` flag such as "echo" or "icanon" was on after the program ended;
    /// nil if the program has not ended or the flag is not listed.
    func ttyFlagAfterExit(_ flag: String) -> Bool? {
        guard let modes = terminalModesAfterExit else { return nil }
        let words = modes.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init)
        if words.contains(flag) { return true }
        if words.contains("-" + flag) { return false }
        return nil
    }

    /// Stops the tmux server (and with it the program) and removes the temporary folder.
    func kill() {
        guard !killed else { return }
        killed = true
        tmux(["kill-server"])
        if let serverPID {
            // kill-server is a SIGTERM to the server; should it not take, do not leave it behind.
            var waited = 0
            while Self.isRunning(serverPID) && waited < 40 {
                usleep(25_000)
                waited += 1
            }
            if waited == 40 { _ = sendSignal(serverPID, SIGKILL) }
        }
        if socketPath.hasSuffix("/" + socket) { unlink(socketPath) }
        try? FileManager.default.removeItem(at: folder)
    }

    // MARK: - Finding things

    /// tmux on PATH, if any (and bash, to start it with).
    static let tmuxPath: String? = findExecutable("bash") == nil ? nil : findExecutable("tmux")
    private static let bash = findExecutable("bash") ?? "/bin/bash"

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A built product of this package (`spanview`, `spanview-termdemo`): next to the test
    /// bundle (the build folder, whatever `--scratch-path` was), else in
    /// `<package root>/.build/debug/`.
    static func product(_ name: String, filePath: String = #filePath) -> URL? {
        var folders: [URL] = []
        for start in [URL(fileURLWithPath: CommandLine.arguments[0]), Bundle.main.bundleURL, Bundle.main.executableURL] {
            guard var folder = start?.resolvingSymlinksInPath().deletingLastPathComponent() else { continue }
            // On Linux the bundle is a file in the build folder; on macOS it is a folder
            // (X.xctest/Contents/MacOS/X): walk up a few levels.
            for _ in 0..<4 {
                folders.append(folder)
                folder = folder.deletingLastPathComponent()
            }
        }
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        folders.append(root.appendingPathComponent(".build/debug"))
        for folder in folders {
            let candidate = folder.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isFolder), !isFolder.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        return nil
    }

    /// Whether a process exists and has not ended. The server is not our child: once it
    /// ends it stays a zombie until init reaps it, which can take a while in a container.
    private static func isRunning(_ pid: pid_t) -> Bool {
        guard sendSignal(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return true }
        return !stat[stat.index(after: end)...].hasPrefix(" Z")
    }

    /// `text` quoted for sh.
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    // MARK: - Running commands

    private func file(_ name: String) -> URL { folder.appendingPathComponent(name) }

    @discardableResult
    private func tmux(_ arguments: [String]) -> (status: Int32, output: String) {
        guard let tmux = Self.tmuxPath else { return (-1, "") }
        return Self.run(tmux, ["-L", socket] + arguments)
    }

    /// Runs a program to its end and returns its status and output (stdout and stderr).
    ///
    /// Not Foundation's `Process`: it learns that a child ended when a socket the child
    /// inherited closes, and the tmux server that `new-session` forks inherits it too and
    /// lives on, so `waitUntilExit()` would hang until the server dies. Here the program is
    /// spawned through bash, which first closes every descriptor above 2 (dash cannot
    /// name those above 9), so the server holds none of this process's files, nor those
    /// of `Process` calls in tests running in parallel; and it is waited for with
    /// `waitpid`. Output goes to a file, not a pipe, for the same reason.
    private static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("spanview-e2e-out-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm-256color"
        environment["LANG"] = "C.UTF-8"
        environment["TMUX"] = nil
        environment["LC_ALL"] = nil
        environment["NO_COLOR"] = nil

        let closeAndRun = #"for fd in /dev/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-"; fi; done; exec "$@""#
        let argv = ([Self.bash, "-c", closeAndRun, "bash", executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        // The test runs on a thread that blocks most signals and the runner ignores some;
        // the tmux server would inherit both and then never see the SIGTERM that
        // `kill-server` sends it. Start it with no signal blocked and the usual ones default.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signo in [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signo)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, Self.bash, &actions, &attributes, argv, envp)
        guard spawned == 0 else { return (-1, "posix_spawn failed: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS, which do not import: exit code, or 128 + signal.
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (code, output)
    }
}

/// `kill(2)`, out of reach inside `TmuxSession`, whose `kill()` hides it.
private func sendSignal(_ pid: pid_t, _ signo: Int32) -> Int32 {
    kill(pid, signo)
}
