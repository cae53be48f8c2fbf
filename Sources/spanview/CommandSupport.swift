import ArgumentParser
import CellGrid
import SpanviewKit
#if canImport(Glibc)
import Glibc
#endif

/// What the commands share: loading with clear errors, and how they end.
enum CommandSupport {
    /// Loads inputs; an unusable path ends the program with one line naming it.
    static func load(_ paths: [String]) throws -> LoadedInputs {
        do {
            return try InputLoader.load(paths)
        } catch {
            fail(error.description)
        }
    }

    /// Lists skipped values on standard error (print's output stays clean).
    static func reportProblems(_ inputs: LoadedInputs) {
        let problems = inputs.problems
        guard !problems.isEmpty else { return }
        let err = StandardError()
        err.write("spanview: skipped \(problems.count) bad value\(problems.count == 1 ? "" : "s"):\n")
        for p in problems { err.write("  " + TerminalText.escaped(p.message) + "\n") }
    }

    /// Inputs holding no span at all end the program non-zero, each named.
    static func exitForEmptyInputs(_ inputs: LoadedInputs) {
        let empty = inputs.files.compactMap { file in
            InputLoader.emptinessReason(file).map { (file.path == "-" ? "standard input" : "'\(file.path)'") + " " + $0 }
        }
        guard !empty.isEmpty else { return }
        let err = StandardError()
        for line in empty { err.write("spanview: \(TerminalText.escaped(line))\n") }
        exit(1)
    }

    static func fail(_ message: String) -> Never {
        StandardError().write("spanview: \(TerminalText.escaped(message))\n")
        exit(1)
    }
}
