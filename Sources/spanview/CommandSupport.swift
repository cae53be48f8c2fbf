import ArgumentParser
import CellGrid
import SpanIngest
import SpanviewApp
import SpanviewKit
#if canImport(Glibc)
import Glibc
#endif

/// What the commands share: loading with clear errors and progress, and how they end.
enum CommandSupport {
    /// Loads inputs (paths, URLs, trace IDs from a backend); an unusable one ends the program
    /// with one line naming it. While it takes more than half a second and standard error is a
    /// terminal, a progress line is kept up to date there (and erased at the end); pipes and
    /// CI logs get none.
    static func load(_ arguments: [String], backend: BackendOptions) throws -> LoadedInputs {
        let resolver = InputArguments(backend)
        let progress = isatty(2) != 0 ? ProgressLine() : nil
        defer { progress?.finish() }
        do throws(InputError) {
            let sources = try arguments.map { (argument: String) throws(InputError) -> any SpanSource in try resolver.source(for: argument) }
            return try InputLoader.load(sources, progress: progress.map { line in { line.update($0) } })
        } catch {
            progress?.finish()
            fail(error.description)
        }
    }

    /// Loads what can be read; each input that cannot is named on standard error.
    static func loadReadable(_ arguments: [String], backend: BackendOptions) -> LoadedInputs {
        let resolver = InputArguments(backend)
        let progress = isatty(2) != 0 ? ProgressLine() : nil
        defer { progress?.finish() }
        let (sources, unusable) = resolver.sources(for: arguments)
        let (inputs, failures) = InputLoader.loadReadable(sources, progress: progress.map { line in { line.update($0) } })
        progress?.finish()
        let err = StandardError()
        for failure in unusable + failures { err.write("spanview: \(TerminalText.escaped(failure.description))\n") }
        return inputs
    }

    /// Says each input's notices on standard error (`tempo:…: Tempo returned part of trace …`).
    static func reportNotices(_ inputs: LoadedInputs) {
        let err = StandardError()
        for input in inputs.inputs {
            for notice in input.notices { err.write("spanview: \(TerminalText.escaped(input.shortName + ": " + notice))\n") }
        }
    }

    /// Lists skipped values on standard error (print's output stays clean).
    static func reportProblems(_ inputs: LoadedInputs) {
        reportNotices(inputs)
        let problems = inputs.problems
        guard !problems.isEmpty else { return }
        let err = StandardError()
        err.write("spanview: skipped \(problems.count) bad value\(problems.count == 1 ? "" : "s"):\n")
        for p in problems { err.write("  " + TerminalText.escaped(p.message) + "\n") }
    }

    /// Inputs holding no span at all end the program non-zero, each named.
    static func exitForEmptyInputs(_ inputs: [InputStatus]) {
        let empty = inputs.compactMap { input in input.emptinessReason.map { input.quotedName + " " + $0 } }
        guard !empty.isEmpty else { return }
        let err = StandardError()
        for line in empty { err.write("spanview: \(TerminalText.escaped(line))\n") }
        exit(1)
    }

    /// Names the inputs that held no span on standard error, and ends the program non-zero
    /// only when no input at all gave a span (`print`: the others were printed).
    static func reportEmptyInputs(_ inputs: LoadedInputs) {
        let err = StandardError()
        for input in inputs.inputs where input.end?.failure == nil {
            if let reason = input.emptinessReason { err.write("spanview: \(TerminalText.escaped(input.quotedName + " " + reason))\n") }
        }
        if inputs.store.spanCount == 0 { exit(1) }
    }

    static func fail(_ message: String) -> Never {
        StandardError().write("spanview: \(TerminalText.escaped(message))\n")
        exit(1)
    }
}

/// `reading trace.jsonl  45% · 830 MB of 1.85 GB · 412,000 spans · 3 s left` on standard
/// error, rewritten in place at most ten times a second, from half a second on.
final class ProgressLine {
    private let started = monotonicSeconds()
    private var lastDrawn = 0.0
    private var shown = false

    func update(_ loaded: LoadedInputs) {
        let now = monotonicSeconds()
        guard now - started >= 0.5, now - lastDrawn >= 0.1, let current = loaded.inputs.last else { return }
        lastDrawn = now
        var text = "reading \(current.shortName)"
        if let p = current.progress, p.total > 0 {
            text += "  \(Int(p.fraction * 100))% · \(App.byteText(p.done)) of \(App.byteText(p.total))"
            let rate = Double(p.done) / (now - started)
            if rate > 0 && p.done < p.total { text += " · \(Int((Double(p.total - p.done) / rate).rounded())) s left" }
        } else {
            text += "  \(App.byteText(current.stats.bytes))"
        }
        text += " · \(App.countText(loaded.store.spanCount)) spans"
        StandardError().write("\r" + TerminalText.escaped(text) + "\u{1B}[K")
        shown = true
    }

    /// Erases the line.
    func finish() {
        if shown { StandardError().write("\r\u{1B}[K") }
        shown = false
    }
}
