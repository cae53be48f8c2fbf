import Foundation
import SpanFormats
import SpanModel
import Testing

/// Inputs the fuzzers (Fuzz/, docs/fuzzing.md) found breaking an invariant, minimised where
/// libFuzzer could, each read the way its harness reads it. A file's name starts with the
/// format its harness aimed at (`any-` for the formats recognised by content).
@Suite("Fuzzer finds")
struct FuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions")
    static let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()

    /// The harnesses' piece sizes: scattered, chosen by the data itself.
    static func pieces(for data: [UInt8], largest: Int) -> [Int] {
        var seed: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in data.prefix(64) { seed = (seed ^ UInt64(b)) &* 0x100_0000_01B3 }
        var sizes: [Int] = []
        var left = data.count
        while left > 0 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let n = min(left, Int(seed >> 33) % largest + 1)
            sizes.append(n)
            left -= n
        }
        return sizes
    }

    static func read(_ data: [UInt8], format: SpanDecoder.Format?, pieces: [Int]) -> [String] {
        let reader = SpanStreamReader(source: "fuzz", decoder: SpanDecoder(strings: StringTable(symbols: Symbols()), only: format),
                                      chunkSize: 4096)
        var out: [String] = []
        func take(_ batch: ReadBatch) {
            for span in batch.spans {
                #expect(span.details.isIntact)
                out.append("\(span.traceID.hex)/\(span.spanID.hex)/\(span.name)/\(span.attributes)/\(span.events)/\(span.links)")
            }
            out += batch.problems.map { "problem \($0.offset) line \($0.line): \($0.reason)" }
            out += batch.logLines.map { "log \($0.line): \($0.text)" }
        }
        var i = 0
        for n in pieces {
            take(reader.feed(Array(data[i..<i + n])))
            i += n
        }
        take(reader.finish())
        return out.sorted() + ["\(reader.stats)"]
    }

    @Test("there are finds to replay")
    func present() {
        #expect(Self.files.count >= 4)
    }

    @Test("each find reads the same whole and in pieces, with intact spans", arguments: files)
    func replay(file: String) throws {
        let data = Array(try Data(contentsOf: Self.directory.appendingPathComponent(file)))
        let format = SpanDecoder.Format.allCases.first { file.hasPrefix($0.rawValue.split(separator: "-")[0] + "-") }
        let whole = Self.read(data, format: format, pieces: [data.count])
        #expect(Self.read(data, format: format, pieces: Self.pieces(for: data, largest: 97)) == whole)
        #expect(Self.read(data, format: format, pieces: Self.pieces(for: data, largest: 7)) == whole)
    }
}
