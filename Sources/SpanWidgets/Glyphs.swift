import TraceLayout

/// The characters widgets draw with: Unicode line drawing and blocks, or plain ASCII
/// (`--ascii`) for terminals and fonts without them.
public struct Glyphs: Sendable {
    public let tee: String, corner: String, vertical: String, blank: String
    public let full: String
    /// Left-aligned blocks of 1...7 eighths; `leftBlocks[k - 1]`.
    public let leftBlocks: [String]
    public let axisLine: String, axisTick: String
    public let collapsed: String, expanded: String
    public let error: String
    public let isASCII: Bool

    public static let unicode = Glyphs(
        tee: "├─", corner: "└─", vertical: "│ ", blank: "  ", full: "█",
        leftBlocks: ["▏", "▎", "▍", "▌", "▋", "▊", "▉"],
        axisLine: "─", axisTick: "┬", collapsed: "▸", expanded: "▾", error: "✗", isASCII: false)

    public static let ascii = Glyphs(
        tee: "|-", corner: "`-", vertical: "| ", blank: "  ", full: "#",
        leftBlocks: ["|", "|", "=", "=", "=", "#", "#"],
        axisLine: "-", axisTick: "+", collapsed: "+", expanded: "-", error: "!", isASCII: true)

    public func guide(_ g: Guide) -> String {
        switch g {
        case .blank: blank
        case .vertical: vertical
        case .tee: tee
        case .corner: corner
        }
    }
}
