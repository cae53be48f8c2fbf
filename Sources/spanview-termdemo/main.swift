// A small program to try the terminal backend by hand or in tmux: styled text, CJK,
// a bar, and the name of each key pressed. `q` or Ctrl-C quits.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CellGrid
import TerminalInput
import TerminalBackend

/// The demo's state; one frame is drawn from it.
struct Demo {
    var lastKey = "none"
    var history: [String] = []
    var frames = 0

    func frame(width: Int, height: Int, depth: Palette.Depth) -> Grid {
        var grid = Grid(width: width, height: height)
        grid.put("spanview-termdemo", x: 0, y: 0, style: Style(.accent, [.bold]))
        grid.put("size: \(width)x\(height)  colours: \(depth)  frame: \(frames)", x: 0, y: 1, style: .muted)
        grid.put("CJK: 日本語のテキスト|end", x: 0, y: 2)
        var x = grid.put("styles: ", x: 0, y: 3)
        let samples: [(String, Style)] = [
            ("bold", .bold), ("dim", Style(.default, [.dim])), ("under", Style(.default, [.underline])),
            ("reverse", Style(.default, [.reverse])), ("error", .error), ("ok", Style(.ok)),
        ]
        for (name, style) in samples { x += grid.put(name, x: x, y: 3, style: style) + 1 }
        x = grid.put("bar: ", x: 0, y: 4)
        for (index, role) in ColorRole.services.enumerated() {
            grid.fill("█", x: x + index * 3, y: 4, width: 3, style: Style(role))
        }
        grid.put("▌|", x: x + ColorRole.services.count * 3, y: 4, style: .muted)
        grid.put("key: \(lastKey)", x: 0, y: 6, style: .bold)
        grid.put("keys: " + history.suffix(8).joined(separator: " "), x: 0, y: 7)
        grid.put("q or Ctrl-C quits", x: 0, y: height - 1, style: .muted)
        return grid
    }
}

func run() -> Int32 {
    let terminal: Terminal
    do {
        terminal = try Terminal()
    } catch {
        let message = "spanview-termdemo: \(error)\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        return 2
    }
    var demo = Demo()
    func redraw() {
        let size = terminal.size
        demo.frames += 1
        terminal.draw(demo.frame(width: size.width, height: size.height, depth: terminal.palette.depth))
    }

    redraw()
    var running = true
    while running {
        var fds = [pollfd(fd: terminal.ttyFileDescriptor, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, 1, 1000)  // EINTR on SIGWINCH is fine: readKey then reports the resize
        var changed = false
        while let key = terminal.readKey() {
            if key == .character("q") || key == .control("c") {
                running = false
                break
            }
            demo.lastKey = key.displayName
            demo.history.append(key.displayName)
            changed = true
        }
        if changed && running { redraw() }
    }
    terminal.restore()
    print("spanview-termdemo: bye")
    return 0
}

exit(run())
