#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SpanFormats
import Synchronization
import SpanModel
import SpanStore

/// What was read from one input.
public struct InputFile: Sendable {
    /// The path as given (`-` for standard input).
    public var path: String
    /// `go-stdouttrace`, or `unknown` when no span was found.
    public var format: String
    public var stats: ReadStats
    public var problems: [ReadProblem]

    public init(path: String, format: String, stats: ReadStats, problems: [ReadProblem]) {
        self.path = path
        self.format = format
        self.stats = stats
        self.problems = problems
    }
}

/// All inputs read into one store.
public struct LoadedInputs: Sendable {
    public var files: [InputFile] = []
    public var store = TraceStore()
    /// The inputs' other lines (application logs), the last `LoadedInputs.maxLogLines` of them.
    public var logLines: [LogLine] = []
    public static let maxLogLines = 10_000

    mutating func keepLogs(_ lines: [LogLine]) {
        logLines += lines
        if logLines.count > Self.maxLogLines { logLines.removeFirst(logLines.count - Self.maxLogLines) }
    }

    public init() {}

    public var problems: [ReadProblem] { files.flatMap(\.problems) }
}

/// A reason an input could not be used at all.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "\(path == "-" ? "standard input" : "'\(path)'"): \(reason)" }
}

/// Reads files and standard input, in chunks, into a `TraceStore`.
public enum InputLoader {
    /// Threads that decode a big input: two where there are two cores to run them (the
    /// result is the same as one thread's; see `SpanStreamReader`).
    public static let decodingThreads = ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1

    /// Reads every path (`-` is standard input). Throws for a path that cannot be read at all;
    /// bad values inside a readable input are reported in `InputFile.problems` instead.
    public static func load(_ paths: [String], chunkSize: Int = 1 << 20, threads: Int = decodingThreads) throws(InputError) -> LoadedInputs {
        var loaded = LoadedInputs()
        let strings = StringTable()
        for path in paths {
            let fd = try open(path)
            defer { if fd != 0 { close(fd) } }
            let reader = SpanStreamReader(source: path, decoder: SpanDecoder(strings: strings), chunkSize: chunkSize, threads: threads)
            var problems: [ReadProblem] = []
            // Regular files are memory-mapped (no copy); pipes and terminals are read.
            var info = stat()
            let size = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
            let mapped = chunkSize >= 1 << 16 && reader.readMapped(fd: fd, size: size) { batch in
                loaded.store.insert(moving: &batch.spans)
                problems += batch.problems
                loaded.keepLogs(batch.logLines)
            }
            if !mapped && threads > 1 {
                // A pipe: read on this thread, decoded on two as it comes (see `PipeDecoder`).
                // Batches arrive in input order, from either thread.
                let taking = Mutex((loaded: loaded, problems: [ReadProblem]()))
                loaded = LoadedInputs()
                let decoder = PipeDecoder(source: path, decoder: SpanDecoder(strings: strings), chunkSize: chunkSize) { batch, _, _ in
                    taking.withLock { taken in
                        var batch = batch
                        taken.loaded.store.insert(moving: &batch.spans)
                        taken.problems += batch.problems
                        taken.loaded.keepLogs(batch.logLines)
                    }
                }
                var end = decoder.run(fd: fd)
                if let error = end.error { throw InputError(path: path, reason: "read failed: \(error)") }
                taking.withLock { taken in
                    swap(&loaded, &taken.loaded)
                    problems = taken.problems
                }
                loaded.store.insert(moving: &end.batch.spans)
                problems += end.batch.problems
                loaded.keepLogs(end.batch.logLines)
                loaded.files.append(InputFile(path: path, format: end.formats.isEmpty ? "unknown" : end.formats.joined(separator: "+"),
                                              stats: end.stats, problems: problems))
                continue
            }
            if !mapped {
                do {
                    while var batch = try reader.read(from: fd) {
                        loaded.store.insert(moving: &batch.spans)
                        problems += batch.problems
                        loaded.keepLogs(batch.logLines)
                    }
                } catch {
                    throw InputError(path: path, reason: "read failed: \(error)")
                }
                var last = reader.finish()
                loaded.store.insert(moving: &last.spans)
                problems += last.problems
                loaded.keepLogs(last.logLines)
            }
            let stats = reader.stats
            loaded.files.append(InputFile(path: path, format: reader.formats.isEmpty ? "unknown" : reader.formats.joined(separator: "+"),
                                          stats: stats, problems: problems))
        }
        return loaded
    }

    /// Opens a path for reading, refusing directories with a clear reason.
    static func open(_ path: String) throws(InputError) -> Int32 {
        if path == "-" { return 0 }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw InputError(path: path, reason: "is a directory")
        }
        return fd
    }

    /// Why an input that was read holds nothing to show, or nil if it has spans.
    public static func emptinessReason(_ file: InputFile) -> String? {
        guard file.stats.spans == 0 else { return nil }
        if file.stats.bytes == 0 { return "is empty" }
        var parts: [String] = []
        if file.stats.nonJSONLines > 0 { parts.append("\(file.stats.nonJSONLines) line\(file.stats.nonJSONLines == 1 ? "" : "s") of other text") }
        if file.stats.skipped > 0 { parts.append("\(file.stats.skipped) bad value\(file.stats.skipped == 1 ? "" : "s")") }
        return "holds no spans" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")")
    }
}

