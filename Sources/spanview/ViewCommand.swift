import ArgumentParser
import CellGrid
import SpanviewApp
import SpanviewKit
import SpanWidgets
import TerminalBackend
import TerminalInput
#if canImport(Glibc)
import Glibc
#endif

/// `spanview FILE...`: the interactive viewer.
struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Open the interactive viewer (the default command).",
        discussion: "Keys come from the terminal (/dev/tty), so standard input can carry the spans: go run . | spanview"
    )

    @Argument(help: "Trace files to read; - for standard input (the default when it is not a terminal).")
    var files: [String] = []

    @Flag(name: .long, help: "Draw with ASCII characters only (no line drawing or block characters).")
    var ascii = false

    @Option(name: .long, help: "Colour: auto (the terminal's, none with NO_COLOR), always or never.")
    var color: ColorChoice = .auto

    @Flag(name: .long, help: "Follow a file that grows, like tail -f (survives truncation and replacement).")
    var follow = false

    @Option(name: .long, help: "While reading live input, keep at most this many spans; the oldest whole traces go first.")
    var maxSpans = 1_000_000

    func validate() throws {
        if maxSpans < 1 { throw ValidationError("--max-spans must be at least 1") }
        if follow && (files.count != 1 || files == ["-"]) { throw ValidationError("--follow takes exactly one file") }
    }

    func run() throws {
        var paths = files
        if paths.isEmpty {
            guard isatty(0) == 0 else {
                CommandSupport.fail("no input: name a trace file, or pipe spans in (go run . | spanview)")
            }
            paths = ["-"]
        }
        // A pipe on standard input is read live, while the viewer is open.
        let liveInput = follow || (paths == ["-"] && isatty(0) == 0 && !isRegularFile(0))
        if follow {
            // Fail now, with the usual message, rather than inside the viewer.
            if access(paths[0], R_OK) != 0 { CommandSupport.fail("'\(paths[0])': \(String(cString: strerror(errno)))") }
        }
        let inputs = liveInput ? LoadedInputs() : try CommandSupport.load(paths)
        if !liveInput { CommandSupport.exitForEmptyInputs(inputs) }

        let depth: Palette.Depth? = switch color {
        case .never: Palette.Depth.none
        case .always: .full
        case .auto: nil
        }
        TerminalSizeVariables.dropUnusable()
        let terminal: Terminal
        do {
            terminal = try Terminal(colorDepth: depth)
        } catch {
            CommandSupport.fail("\(error); to print traces as text, use: spanview print \(paths.joined(separator: " "))")
        }
        defer { terminal.restore() }

        let size = terminal.size
        let glyphs: Glyphs = ascii ? .ascii : .unicode
        let useColor = terminal.palette.depth != .none
        var app = liveInput
            ? App(liveSource: follow ? paths[0] : "-", width: size.width, height: size.height, glyphs: glyphs, useColor: useColor)
            : App(inputs: inputs, width: size.width, height: size.height, glyphs: glyphs, useColor: useColor)
        app.maxSpans = maxSpans
        let feed = follow ? LiveFeed(following: paths[0]) : liveInput ? LiveFeed(fd: 0, source: "-") : nil
        var fds = [pollfd(fd: terminal.ttyFileDescriptor, events: Int16(POLLIN), revents: 0)]
        if let feed { fds.append(pollfd(fd: feed.wakeFileDescriptor, events: Int16(POLLIN), revents: 0)) }
        var lastFrame = 0.0, lastIngest = 0.0
        var dirty = true
        var inputWaiting = false   // the reader woke us; taken at most every 4 ms
        var hookChecked = false
        while !app.wantsQuit {
            // Draw after keys at once; after input at most every 16 ms (a fast writer would
            // otherwise spend the UI thread on frames nobody can see). Input is taken at
            // most every 4 ms: a fast writer's reader wakes this thread thousands of times a
            // second, and inserting a few milliseconds' worth at once costs less (measured in
            // `spanview-bench live`) for a millisecond or two of latency.
            let now = monotonicSeconds()
            if let feed, inputWaiting && now - lastIngest >= 0.004 {
                app.ingest(feed.drain(), now: now)
                lastIngest = now
                inputWaiting = false
                dirty = true
            }
            if dirty && now - lastFrame >= 0.016 {
                terminal.draw(app.render())
                lastFrame = now
                dirty = false
                if !hookChecked {
                    hookChecked = true
                    TestCrashHook.fireIfAsked()  // the end-to-end tests' deliberate crashes
                }
            }
            // Keys are always waited for; input only when none is waiting to be taken; and
            // whichever of the two timers is due. EINTR on SIGWINCH is fine: the resize
            // arrives as a key. While input is live, wake twice a second anyway so the rate
            // in the status line keeps up.
            var deadline = Double.infinity
            if inputWaiting { deadline = lastIngest + 0.004 }
            if dirty { deadline = min(deadline, lastFrame + 0.016) }
            let timeout: Int32 = deadline.isFinite ? max(1, Int32(((deadline - monotonicSeconds()) * 1000).rounded(.up)))
                : app.live.map { $0.ended ? -1 : 500 } ?? -1
            let feedSlot = fds.count - 1
            fds[feedSlot].revents = 0
            let ready = poll(&fds, nfds_t(inputWaiting ? 1 : fds.count), timeout)
            if feed != nil && !inputWaiting {
                if fds[feedSlot].revents != 0 {
                    inputWaiting = true
                } else if ready == 0 && !deadline.isFinite {
                    dirty = true   // the status line's rate is due
                }
            }
            var typed = false
            while let key = terminal.readKey() {
                app.handle(key)
                typed = true
                if app.wantsQuit { break }
            }
            if typed {
                if let feed, inputWaiting {
                    lastIngest = monotonicSeconds()
                    app.ingest(feed.drain(), now: lastIngest)
                    inputWaiting = false
                }
                terminal.draw(app.render())
                lastFrame = monotonicSeconds()
                dirty = false
            }
        }
    }
}

func isRegularFile(_ fd: Int32) -> Bool {
    var info = stat()
    return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// ncurses takes the screen size from `COLUMNS` and `LINES` when they are set. A value that
/// is not a size a terminal could have (not a number, or outside 1...`App.maximumSize`) is
/// removed before the terminal is opened, so ncurses asks the terminal itself: with
/// `COLUMNS=2147483647` it would otherwise fail to start, and with a large value it would
/// allocate a screen of that size.
enum TerminalSizeVariables {
    static func dropUnusable() {
        for (name, limit) in [("COLUMNS", App.maximumSize.width), ("LINES", App.maximumSize.height)] {
            guard let value = getenv(name).map({ String(cString: $0) }) else { continue }
            if !isUsable(value, limit: limit) { unsetenv(name) }
        }
    }

    static func isUsable(_ value: String, limit: Int) -> Bool {
        guard let n = Int(value) else { return false }
        return n >= 1 && n <= limit
    }
}
