import Foundation
import SpanFormats
import SpanIngest
import SpanModel

/// `w`: writes the open trace, or the traces the list shows (all, or those a search or
/// filter kept), to a file in the format its name asks for (`x.otlp.jsonl`,
/// `x.stdouttrace.jsonl`, `x.jaeger.json`, `x.zipkin.json`; `.gz` compresses). On the list of
/// live input, any other name saves the input as it arrived (a pipe's bytes, before quitting
/// loses them). The writing runs on a thread of its own: a million spans take seconds.
extension App {
    /// `w`: asks for the file, with a name that says what and how.
    mutating func askSave() {
        let name: String
        if screen == .trace, let view = trace {
            name = "trace-\(store.traces[view.traceIndex].traceID.hex.prefix(16)).otlp.jsonl"
        } else if saveInput != nil && list.filter == nil {
            name = defaultSaveName
        } else {
            name = "spanview-\(Self.timestamp()).otlp.jsonl"
        }
        prompt = Prompt(kind: .save, text: name)
    }

    /// `w`, then Enter: the format by the name, else live input as it arrived, else OTLP/JSON.
    mutating func save(to path: String) {
        let name = path.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else {
            message = ("no file named; nothing saved", true)
            return
        }
        if let format = SpanWriterFormat.named(byFile: name) {
            export(format, to: name, note: "")
        } else if screen == .list, saveInput != nil {
            saveLiveInput(to: name)
        } else {
            export(.otlp, to: name, note: " (OTLP/JSON; name it .stdouttrace.jsonl, .jaeger.json or .zipkin.json for another format)")
        }
    }

    /// The spans `w` writes: the open trace's, or those of the traces the list shows.
    var spansToSave: (spans: [Span], traces: Int) {
        if screen == .trace, let view = trace {
            return (Array(store.traces[view.traceIndex].spans), 1)
        }
        let indices = list.order.map { list.entries[$0].traceIndex }.filter { store.traces.indices.contains($0) }
        return (indices.flatMap { store.traces[$0].spans }, indices.count)
    }

    /// Writes on a thread of its own; the result comes back through `pollBackgroundWork`.
    mutating func export(_ format: SpanWriterFormat, to path: String, note: String) {
        let (spans, traces) = spansToSave
        guard !spans.isEmpty else {
            message = ("no spans to write", true)
            return
        }
        pendingExport?.job.cancel()
        let job = BackgroundJob<Result<ExportResult, InputError>> { _ in
            Result { () throws(InputError) -> ExportResult in
                let file = try OutputFile(path: path)
                var buffer: [UInt8] = []
                try file.write(spans, as: format, buffer: &buffer)
                try file.finish()
                return ExportResult(bytes: file.bytesOut, losses: format.losses(in: spans).sentences)
            }
        }
        let what = traces == 1 ? "trace" : "\(Self.countText(traces)) traces"
        pendingExport = (job, "wrote \(what) (\(Self.countText(spans.count)) spans) as \(format.rawValue)", "to \(path)\(note)")
        message = ("writing \(what) to \(path)…", false)
    }

    /// The export's result: what was written, what the format could not hold (the first kind,
    /// and how many more: `convert` lists them all), then where, which the user typed.
    mutating func takeExport(_ done: String, _ target: String, _ result: Result<ExportResult, InputError>) {
        pendingExport = nil
        switch result {
        case .success(let result):
            let losses = result.losses.first.map { " · could not hold: \($0)" + (result.losses.count > 1 ? " (+\(result.losses.count - 1) more)" : "") } ?? ""
            message = ("\(done), \(Self.byteText(result.bytes))\(losses) · \(target)", false)
        case .failure(let error): message = ("could not write: \(error)", true)
        }
    }

    /// Saves live input received so far, as it arrived.
    mutating func saveLiveInput(to name: String) {
        guard let saveInput else { return }
        switch saveInput(name) {
        case .success(let bytes):
            quitArmed = false
            message = ("saved \(bytes) bytes of input to \(name)" + (liveInputArriving ? " · more is arriving" : ""), false)
        case .failure(let error):
            message = ("could not save: \(error)", true)
        }
    }

    /// `20261207-013000`, local time.
    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: Date())
    }
}

/// What an export wrote: its size, and what the format could not hold of the spans.
struct ExportResult: Sendable {
    var bytes: Int64
    var losses: [String]
}
