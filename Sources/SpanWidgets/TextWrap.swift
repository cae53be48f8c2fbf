import CellGrid

/// Wraps text to a width in terminal cells (after escaping control characters), breaking
/// at spaces when it can and inside long words when it must. Explicit newlines break too.
public enum TextWrap {
    /// Every wrapped line of `text` as a string (`WrappedText` keeps them as ranges).
    public static func lines(_ text: String, width: Int) -> [String] {
        let wrapped = WrappedText(text, width: width)
        return wrapped.lines(0..<wrapped.count)
    }
}

/// Eight bytes at a time: whether a word holds any byte of a kind (exact for "any").
enum ByteWords {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    static func load(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self))
    }

    /// High bits of the bytes below `n` (n <= 128); nonzero exactly when there is one.
    @inline(__always)
    static func below(_ word: UInt64, _ n: UInt8) -> UInt64 {
        (word &- ones &* UInt64(n)) & ~word & highs
    }

    /// High bits of the bytes equal to `b`; nonzero exactly when there is one.
    @inline(__always)
    static func equal(_ word: UInt64, _ b: UInt8) -> UInt64 {
        let x = word ^ (ones &* UInt64(b))
        return (x &- ones) & ~x & highs
    }

    /// How many of the word's bytes, from the first in memory, are printable ASCII
    /// (0x20...0x7E; the lowest flagged byte is exact in each test, so in their union too).
    @inline(__always)
    static func printableBytes(_ word: UInt64) -> Int {
        let flags = below(word, 0x20) | (word & highs) | equal(word, 0x7F)
        return flags.trailingZeroBitCount >> 3
    }

    /// High bits of exactly the bytes equal to `b` (no borrow between bytes).
    @inline(__always)
    static func exactlyEqual(_ word: UInt64, _ b: UInt8) -> UInt64 {
        let x = word ^ (ones &* UInt64(b))
        let low7 = ~highs
        return ~(((x & low7) &+ low7) | x | low7)
    }

    /// A mask of the first `count` bytes in memory (0...8).
    @inline(__always)
    static func lowBytes(_ count: Int) -> UInt64 {
        count >= 8 ? ~0 : (1 << UInt64(count * 8)) &- 1
    }

    /// Whether the word has a byte that `shownBytes` may change: a control (line feeds too:
    /// they are looked at one by one), DEL, the lead byte of an escaped range (0xC2: C1
    /// controls, 0xD8: U+061C, 0xE2: U+2000 block, 0xEF: U+FExx/U+FFxx), and with `quoted`
    /// `"` or `\`. Other UTF-8 bytes (other lead bytes, continuation bytes) never are.
    @inline(__always)
    static func mayNeedEscaping(_ word: UInt64, quoted: Bool) -> Bool {
        var flags = below(word, 0x20) | equal(word, 0x7F)
            | equal(word, 0xC2) | equal(word, 0xD8) | equal(word, 0xE2) | equal(word, 0xEF)
        if quoted { flags |= equal(word, 0x22) | equal(word, 0x5C) }
        return flags != 0
    }
}

/// Text wrapped to a width once and kept as the byte ranges of its lines: a line becomes a
/// string only when it is drawn. So a 4 MB attribute value costs one pass over its bytes
/// when laid out (printable ASCII, by far the common case, eight bytes at a time without
/// Unicode segmentation; anything else by grapheme cluster) and then only the lines on
/// screen per frame.
///
/// Laying out can stop after a `budget` of work and go on later (`extend`), so that a key
/// never waits for a whole huge value of slow text (4 MB of CJK or emoji) to be laid out:
/// the lines so far are final, and `isComplete` says whether more are to come.
///
/// The rules: the text is escaped as `TerminalText` does (line feeds aside); each line feed
/// ends a paragraph; a paragraph is wrapped greedily at `width` cells, at its last space when
/// a line has one (the space is dropped) and inside a word when it has none; a wrapped line
/// starts without spaces and ends without trailing spaces; a paragraph keeps its own leading
/// spaces (indentation). A cluster wider than `width` gets a line of its own, which the grid clips.
public struct WrappedText: Sendable {
    /// The text as shown: escaped, with line feeds kept as paragraph breaks.
    private let bytes: [UInt8]
    /// The line breaker, holding the lines so far (line `n` is `bytes[starts[n]..<ends[n]]`)
    /// and where it stopped.
    private var wrapper: Wrapper
    /// The width it was wrapped to, in cells.
    public let width: Int

    /// Work units for laying out: about one byte of ASCII text each (a nanosecond or so on
    /// this project's machine); a byte of other text costs 6 (letters, CJK, kana, Hangul) to
    /// 36 (emoji sequences, combining marks, other scripts, segmented by `Character`).
    public static let unlimited = Int.max

    /// Wraps `text` to `width` cells; a width below 1 gives no lines. With `quoted`, the text
    /// is shown as `ValueText.quoted` shows a string value (in double quotes, `"` and `\`
    /// escaped), made in the same pass as the escaping. With a `budget` (work units), laying
    /// out stops once that much is done; `extend` goes on.
    public init(_ text: String, width: Int, quoted: Bool = false, budget: Int = WrappedText.unlimited) {
        self.width = width
        var text = text
        bytes = text.withUTF8 { Self.shownBytes($0, quoted: quoted) }
        wrapper = Wrapper(width: width)
        guard width > 0 else { wrapper.position = bytes.count + 1; return }
        extend(budget: budget)
    }

    /// Lays out more lines, for at most `budget` work units (more when a single step takes
    /// more: every call makes progress); returns the work done.
    @discardableResult
    public mutating func extend(budget: Int = WrappedText.unlimited) -> Int {
        guard !isComplete else { return 0 }
        var wrapper = self.wrapper
        self.wrapper = Wrapper(width: 0)   // unshared, so the line arrays grow in place
        let done = bytes.withUnsafeBufferPointer { wrapper.wrap($0, budget: budget) }
        self.wrapper = wrapper
        return done
    }

    /// Number of lines laid out so far (all of them once `isComplete`).
    public var count: Int { wrapper.starts.count }

    /// Whether every line is laid out.
    public var isComplete: Bool { wrapper.position > bytes.count }

    /// Bytes of the shown text not laid out yet.
    public var remainingBytes: Int { max(0, bytes.count - wrapper.position) }

    /// Line `n` (0-based).
    public subscript(n: Int) -> String {
        bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[wrapper.starts[n]..<wrapper.ends[n]]), as: UTF8.self)
        }
    }

    /// Lines `range`, clipped to the lines there are.
    public func lines(_ range: Range<Int>) -> [String] {
        range.clamped(to: 0..<count).map { self[$0] }
    }

    /// The bytes of `raw` as shown: every character `TerminalText.needsEscaping` (but line
    /// feeds) replaced by its escape, and with `quoted` in double quotes with `"` and `\`
    /// escaped. Runs of bytes that stay as they are are copied whole.
    static func shownBytes(_ raw: UnsafeBufferPointer<UInt8>, quoted: Bool) -> [UInt8] {
        let n = raw.count
        if !quoted && !TerminalText.containsEscapable(raw, keepingNewlines: true) { return Array(raw) }
        var out: [UInt8] = []
        out.reserveCapacity(n + 64)
        if quoted { out.append(0x22) }
        var runStart = 0
        var i = 0
        var flaggedEnd = 0   // the end of a word flagged by the eight-byte test, looked at byte by byte
        while i < n {
            if i >= flaggedEnd {
                // Whole words of bytes that stay as they are.
                while i + 8 <= n && !ByteWords.mayNeedEscaping(ByteWords.load(raw, i), quoted: quoted) { i += 8 }
                guard i < n else { break }
                flaggedEnd = i + 8
            }
            let b = raw[i]
            var scalar: Unicode.Scalar?
            var length = 1
            if b < 0x80 {
                if (b < 0x20 && b != 0x0A) || b == 0x7F {
                    scalar = Unicode.Scalar(b)
                } else if quoted && (b == 0x22 || b == 0x5C) {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[runStart..<i]))
                    out.append(0x5C)
                    runStart = i   // the character itself is copied with the next run
                    i += 1
                    continue
                }
            } else if b == 0xC2 || b == 0xD8 || b == 0xE2 || b == 0xEF {
                let (v, l) = decodeScalar(raw, at: i)
                length = l
                if let s = Unicode.Scalar(v), TerminalText.needsEscaping(s) { scalar = s }
            }
            if let scalar {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[runStart..<i]))
                out.append(contentsOf: TerminalText.escape(scalar).utf8)
                i += length
                runStart = i
            } else {
                i += length
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[runStart..<n]))
        if quoted { out.append(0x22) }
        return out
    }

    /// The scalar at `i` of valid UTF-8 and its length in bytes.
    @inline(__always)
    static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let b = bytes[i]
        if b < 0x80 { return (UInt32(b), 1) }
        if b < 0xE0 { return (UInt32(b & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F), 2) }
        if b < 0xF0 {
            return (UInt32(b & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F), 3)
        }
        return (UInt32(b & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6
                    | UInt32(bytes[i + 3] & 0x3F), 4)
    }

    /// Scalars that form a grapheme cluster on their own whenever the next scalar is one of
    /// them too (or a line feed, or the end): printable ASCII, Latin-1 and Latin Extended,
    /// spacing modifier letters, Greek and Cyrillic (without their combining marks), kana
    /// (without the voicing marks), CJK ideographs, Hangul syllables and fullwidth forms.
    /// None of them is Extend, SpacingMark, ZWJ, Prepend, a regional indicator or a Hangul
    /// jamo, so no cluster rule joins two of them.
    @inline(__always)
    static func isSimple(_ v: UInt32) -> Bool {
        if v < 0x300 { return v >= 0x20 && (v < 0x7F || v >= 0xA0) }
        if v < 0x530 { return v >= 0x370 && (v < 0x483 || v > 0x489) }
        if v < 0x3041 { return false }
        if v <= 0x30FF { return v <= 0x3096 || v >= 0x30A0 }
        return (v >= 0x4E00 && v <= 0x9FFF) || (v >= 0xAC00 && v <= 0xD7A3) || (v >= 0xFF01 && v <= 0xFF60)
    }

    /// The greedy line breaker over the escaped bytes.
    private struct Wrapper {
        let width: Int
        var starts: [Int] = []
        var ends: [Int] = []
        /// Where laying out goes on: a cluster boundary in the bytes; past the end when done.
        var position = 0
        var lineStart = 0
        var lineWidth = 0
        /// Offset of the last space on the current line (-1: none), and the line's width before it.
        var lastSpace = -1
        var widthAtSpace = 0
        /// Whether the current paragraph has been wrapped (a wrapped line drops leading spaces).
        var wrapped = false

        init(width: Int) { self.width = width }

        /// Lays out from `position` until the end or until `budget` work units are done;
        /// returns the work done.
        mutating func wrap(_ bytes: UnsafeBufferPointer<UInt8>, budget: Int) -> Int {
            let n = bytes.count
            var i = position
            var work = 0
            defer { position = i }
            while i < n {
                // Stop between clusters (each turn of this loop starts at a boundary), after
                // at least one turn, so that every call makes progress.
                if work >= budget && work > 0 { return work }
                let b = bytes[i]
                if b == 0x0A {
                    endParagraph(bytes, at: i)
                    i += 1
                    work += 1
                    continue
                }
                if b >= 0x20 && b < 0x7F && !(b == 0x20 && wrapped && lineStart == i) {
                    // A stretch of printable ASCII that fits on the line: only the line's width
                    // and its last space change. Each byte is a cluster of its own when the next
                    // is ASCII too (no CR here: it is escaped). (A space that would start a
                    // wrapped line is left to `add`, which drops it.)
                    var j = i
                    var runSpace = -1
                    let limit = min(n - 1, i + (width - lineWidth))
                    // Eight bytes at a time, up to the first byte that is not printable ASCII.
                    while j + 8 < n && j < limit {
                        let word = ByteWords.load(bytes, j)
                        let k = ByteWords.printableBytes(word)
                        if k == 8 && j + 8 <= limit && bytes[j + 8] < 0x80 {
                            // The common case, kept short: all eight taken.
                            let spaces = ByteWords.exactlyEqual(word, 0x20)
                            if spaces != 0 { runSpace = j + (63 - spaces.leadingZeroBitCount) >> 3 }
                            j += 8
                            continue
                        }
                        // The last printable byte stays for the general path when a non-ASCII
                        // byte follows it (a combining mark would join it).
                        let take = min(bytes[j + k] >= 0x80 ? k - 1 : k, limit - j)
                        if take > 0 {
                            let spaces = ByteWords.exactlyEqual(word, 0x20) & ByteWords.lowBytes(take)
                            if spaces != 0 { runSpace = j + (63 - spaces.leadingZeroBitCount) >> 3 }
                            j += take
                        }
                        break
                    }
                    while j < limit {
                        let c = bytes[j]
                        if c < 0x20 || c >= 0x7F || bytes[j + 1] >= 0x80 { break }
                        if c == 0x20 { runSpace = j }
                        j += 1
                    }
                    if j > i {
                        if runSpace >= 0 {
                            lastSpace = runSpace
                            widthAtSpace = lineWidth + (runSpace - i)
                        }
                        lineWidth += j - i
                        work += j - i
                        i = j
                        continue
                    }
                }
                if b < 0x80 && (i + 1 == n || bytes[i + 1] < 0x80) {
                    // An ASCII character (a space, or a word's last that fills the line) before ASCII.
                    add(bytes, i, i + 1, 1, b == 0x20)
                    i += 1
                    work += 2
                    continue
                }
                // Clusters of one simple scalar each, while the next scalar is simple too.
                var (v, length) = WrappedText.decodeScalar(bytes, at: i)
                if WrappedText.isSimple(v) {
                    var taken = false
                    while true {
                        let next = i + length
                        if next == n || bytes[next] == 0x0A {
                            add(bytes, i, next, v < 0x3000 ? 1 : 2, v == 0x20)
                            work += 6 * length
                            i = next
                            taken = true
                            break
                        }
                        let (u, l) = WrappedText.decodeScalar(bytes, at: next)
                        guard WrappedText.isSimple(u) else { break }
                        // Simple scalars below U+3000 are one cell, the others (kana, CJK,
                        // Hangul syllables, fullwidth forms) two, as `DisplayWidth` says.
                        add(bytes, i, next, v < 0x3000 ? 1 : 2, v == 0x20)
                        work += 6 * length
                        i = next
                        taken = true
                        // Back to the ASCII paths at ASCII; stop at the budget between clusters.
                        if u < 0x80 || work >= budget { break }
                        (v, length) = (u, l)
                    }
                    if taken { continue }
                }
                // Anything else (combining marks, emoji sequences, flags, jamo, other scripts):
                // a run up to and including the first simple scalar followed by a simple one
                // (a sure boundary after it), or up to a line feed, segmented by Swift into
                // `Character`s. The run's clusters are the whole text's: the scalar before it
                // is simple (or none), which no cluster rule looks back past.
                var end = i
                while end < n {
                    if bytes[end] == 0x0A { break }
                    let (u, l) = WrappedText.decodeScalar(bytes, at: end)
                    end += l
                    if end > i + length && WrappedText.isSimple(u)
                        && (end == n || bytes[end] == 0x0A || WrappedText.isSimple(WrappedText.decodeScalar(bytes, at: end).0)) {
                        break
                    }
                }
                let run = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self)
                var offset = i
                for character in run {
                    let count = character.utf8.count
                    add(bytes, offset, offset + count, DisplayWidth.of(character), character == " ")
                    offset += count
                }
                work += 36 * (end - i)
                i = end
            }
            if i == n {
                endParagraph(bytes, at: n)
                i = n + 1   // complete
            }
            return work
        }

        /// One cluster, bytes `s..<e`, `w` cells wide.
        @inline(__always)
        mutating func add(_ bytes: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ w: Int, _ isSpace: Bool) {
            if isSpace && lineWidth + w > width {
                // A space at the wrap point ends the line and is dropped.
                emit(bytes, lineStart, s)
                lineStart = e
                lineWidth = 0
                lastSpace = -1
                wrapped = true
                return
            }
            if lineWidth + w > width {
                if lastSpace > lineStart {
                    // Break at the last space: the word moves down, the space goes.
                    emit(bytes, lineStart, lastSpace)
                    lineWidth -= widthAtSpace + 1
                    lineStart = lastSpace + 1
                } else if lineStart < s {
                    emit(bytes, lineStart, s)
                    lineStart = s
                    lineWidth = 0
                }
                lastSpace = -1
                wrapped = true
            }
            if isSpace && lineStart == s && wrapped {
                lineStart = e   // no leading space after a wrap
                return
            }
            if isSpace {
                lastSpace = s
                widthAtSpace = lineWidth
            }
            lineWidth += w
        }

        mutating func endParagraph(_ bytes: UnsafeBufferPointer<UInt8>, at end: Int) {
            emit(bytes, lineStart, end)
            lineStart = end + 1
            lineWidth = 0
            lastSpace = -1
            wrapped = false
        }

        /// A line, without its trailing spaces.
        @inline(__always)
        mutating func emit(_ bytes: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) {
            var e = e
            while e > s && bytes[e - 1] == 0x20 { e -= 1 }
            starts.append(s)
            ends.append(max(s, e))
        }
    }
}
