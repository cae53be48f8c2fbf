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

    func run() throws {
        var paths = files
        if paths.isEmpty {
            guard isatty(0) == 0 else {
                CommandSupport.fail("no input: name a trace file, or pipe spans in (go run . | spanview)")
            }
            paths = ["-"]
        }
        let inputs = try CommandSupport.load(paths)
        CommandSupport.exitForEmptyInputs(inputs)

        let depth: Palette.Depth? = switch color {
        case .never: Palette.Depth.none
        case .always: .full
        case .auto: nil
        }
        let terminal: Terminal
        do {
            terminal = try Terminal(colorDepth: depth)
        } catch {
            CommandSupport.fail("\(error); to print traces as text, use: spanview print \(paths.joined(separator: " "))")
        }
        defer { terminal.restore() }

        let size = terminal.size
        var app = App(inputs: inputs, width: size.width, height: size.height,
                      glyphs: ascii ? .ascii : .unicode, useColor: terminal.palette.depth != .none)
        var fds = [pollfd(fd: terminal.ttyFileDescriptor, events: Int16(POLLIN), revents: 0)]
        while !app.wantsQuit {
            terminal.draw(app.render())
            _ = poll(&fds, 1, -1)   // EINTR on SIGWINCH is fine: the resize arrives as a key
            while let key = terminal.readKey() {
                app.handle(key)
                if app.wantsQuit { break }
            }
        }
    }
}
