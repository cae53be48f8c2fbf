/// Why a query, filter or trace ID did not parse, and where.
public struct QueryParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, in a few words ("unterminated quote").
    public let message: String
    /// Where, in `Character`s from the start of `input` (0-based; `input.count` for "at the end").
    public let position: Int
    /// The text that was parsed.
    public let input: String

    public init(_ message: String, at position: Int, in input: String) {
        self.message = message
        self.position = max(0, position)
        self.input = input
    }

    /// 1-based column of `position`.
    public var column: Int { position + 1 }

    /// `message at column N`.
    public var description: String { "\(message) at column \(column)" }

    /// Two lines for a terminal: the input, then a caret under the position (one column a
    /// character; wide characters before it shift the caret).
    public var caretLines: String {
        input + "\n" + String(repeating: " ", count: position) + "^"
    }
}

/// A character cursor shared by the parsers.
struct Scanner {
    let chars: [Character]
    let input: String
    var at = 0

    /// One `Character` per Unicode scalar, not per grapheme cluster: a space before a
    /// combining mark is still a space (as a cluster, " \u{0739}" is not whitespace), so a
    /// term that starts with a combining mark reads back from its description as it was.
    init(_ input: String) {
        self.input = input
        chars = input.unicodeScalars.map(Character.init)
    }

    var atEnd: Bool { at >= chars.count }
    var peek: Character? { at < chars.count ? chars[at] : nil }
    func peek(_ offset: Int) -> Character? { at + offset < chars.count ? chars[at + offset] : nil }

    mutating func skipSpaces() {
        while let c = peek, c.isWhitespace { at += 1 }
    }

    func error(_ message: String, at position: Int? = nil) -> QueryParseError {
        QueryParseError(message, at: position ?? at, in: input)
    }

    /// A quoted text starting at the quote under the cursor: `"…"` or `'…'`, with `\` escaping
    /// the next character.
    mutating func quoted() throws(QueryParseError) -> String {
        let start = at
        let quote = chars[at]
        at += 1
        var text = ""
        while let c = peek {
            at += 1
            if c == quote { return text }
            if c == "\\" {
                guard let next = peek else { break }
                text.append(next)
                at += 1
            } else {
                text.append(c)
            }
        }
        throw error("unterminated quote", at: start)
    }

    static func isQuote(_ c: Character) -> Bool { c == "\"" || c == "'" }
}

/// Text written back into a query: bare when it reads back as itself, else double-quoted with
/// `"` and `\` escaped.
func quotedIfNeeded(_ text: String, special: Set<Character>) -> String {
    // Scalar by scalar, as `Scanner` reads: a quote that a combining mark joins is a quote.
    if !text.isEmpty && !text.unicodeScalars.contains(where: { scalar in
        let c = Character(scalar)
        return c.isWhitespace || special.contains(c) || Scanner.isQuote(c) || c == "\\"
    }) {
        return text
    }
    return quoted(text)
}

/// `text` double-quoted, with `"` and `\` escaped.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        if scalar == "\"" || scalar == "\\" { out.append("\\") }
        out.unicodeScalars.append(scalar)
    }
    return out + "\""
}
