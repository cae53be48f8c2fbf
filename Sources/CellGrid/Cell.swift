/// One terminal cell: a grapheme cluster and how it looks. A double-width character
/// fills its cell and marks the next as its continuation (`isContinuation`).
public struct Cell: Hashable, Sendable {
    public var text: String
    public var style: Style
    public var isContinuation: Bool

    public init(_ text: String = " ", style: Style = .plain, isContinuation: Bool = false) {
        self.text = text
        self.style = style
        self.isContinuation = isContinuation
    }

    public static let blank = Cell()
}
