import SpanModel
import TraceLayout

/// The characters widgets draw with: Unicode line drawing and blocks, or plain ASCII
/// (`--ascii`) for terminals and fonts without them. Everything spanview writes itself goes
/// through here (or `text(_:)`), so `--ascii` output is ASCII whatever the screen; only
/// trace data (names, values) is shown as it is.
public struct Glyphs: Sendable {
    public let tee: String, corner: String, vertical: String, blank: String
    public let full: String
    /// Left-aligned blocks of 1...7 eighths; `leftBlocks[k - 1]`.
    public let leftBlocks: [String]
    /// A horizontal rule, and the mark each axis label starts with.
    public let axisLine: String, axisTick: String
    public let collapsed: String, expanded: String
    /// Column 0 of a row whose span (or trace) has an error: seen without colour (NO_COLOR).
    public let error: String
    /// Column 1 of a row whose span has flags (`SpanFlagText`): seen even when the name
    /// column cuts the flag's words off.
    public let flag: String
    /// Text cut short; separator between facts; an empty count; a missing parent's row.
    public let ellipsis: String, separator: String, none: String, placeholder: String
    /// A span wholly before or after the zoomed window.
    public let before: String, after: String
    /// A vertical rule between panes; the prompt's cursor; a log line that names a loaded trace.
    public let rule: String, cursor: String, link: String
    /// The sorted column's mark (ascending, descending); the progress bar's empty part;
    /// the keys that scroll a long overlay.
    public let ascending: String, descending: String, progressEmpty: String, scrollKeys: String
    public let isASCII: Bool

    public static let unicode = Glyphs(
        tee: "├─", corner: "└─", vertical: "│ ", blank: "  ", full: "█",
        leftBlocks: ["▏", "▎", "▍", "▌", "▋", "▊", "▉"],
        axisLine: "─", axisTick: "╷", collapsed: "▸", expanded: "▾", error: "✗", flag: "⚑",
        ellipsis: "…", separator: " · ", none: "·", placeholder: "⋯", before: "◂", after: "▸",
        rule: "│", cursor: "▏", link: "→", ascending: "▲", descending: "▼", progressEmpty: "░", scrollKeys: "↑↓",
        isASCII: false)

    public static let ascii = Glyphs(
        tee: "|-", corner: "`-", vertical: "| ", blank: "  ", full: "#",
        leftBlocks: ["|", "|", "=", "=", "=", "#", "#"],
        axisLine: "-", axisTick: "|", collapsed: "+", expanded: "-", error: "x", flag: "!",
        ellipsis: "~", separator: " - ", none: "-", placeholder: "?", before: "<", after: ">",
        rule: "|", cursor: "_", link: ">", ascending: "^", descending: "v", progressEmpty: "-", scrollKeys: "j/k",
        isASCII: true)

    /// The right-aligned blocks Unicode has, an eighth and a half (a bar's start edge without
    /// colour); `|` and `#` in ASCII.
    public var rightEighth: String { isASCII ? "|" : "▕" }
    /// An event's place on a bar (an exception's in the error colour).
    public var eventMark: String { isASCII ? "*" : "◆" }
    /// The critical path's part of a bar where there is no colour to show it.
    public var criticalBar: String { isASCII ? "@" : "━" }
    public var rightHalf: String { isASCII ? "#" : "▐" }

    public func guide(_ g: Guide) -> String {
        switch g {
        case .blank: blank
        case .vertical: vertical
        case .tee: tee
        case .corner: corner
        }
    }

    /// A duration as `DurationText` writes it, `us` for `µs` in ASCII.
    public func duration(_ ns: Int64?) -> String {
        let text = DurationText.format(ns)
        guard isASCII, text.hasSuffix("µs") else { return text }
        return String(text.dropLast(2)) + "us"
    }

    /// spanview's own text (messages, status, help) for these glyphs: in ASCII the few
    /// non-ASCII characters it uses become ASCII (`·` `-`, `…` `...`, `×` `x`, arrows).
    /// Not for trace data, which is shown as it is.
    public func text(_ s: String) -> String {
        guard isASCII, s.utf8.contains(where: { $0 >= 0x80 }) else { return s }
        var out = ""
        for c in s {
            switch c {
            case "·": out += "-"
            case "…": out += "..."
            case "×": out += "x"
            case "●": out += "*"
            case "↓": out += "v"
            case "↑": out += "^"
            case "→": out += "->"
            case "←": out += "<-"
            case "µ": out += "u"
            case "✗": out += error
            case "─": out += "-"
            default: out.append(c)
            }
        }
        return out
    }

    /// `text(_:)` over every run of a line of spanview's own text.
    public func text(_ line: StyledLine) -> StyledLine {
        guard isASCII else { return line }
        return StyledLine(line.runs.map { StyledLine.Run(text($0.text), $0.style) })
    }
}
