import CellGrid

extension Palette.Depth {
    /// The colour depth to use when none was asked for: `.none` when `NO_COLOR` is set to
    /// anything but the empty string (no-color.org) or the terminal has no colours,
    /// `.eight` when it has fewer than 256, `.full` otherwise.
    public static func detect(noColor: String?, hasColors: Bool, colors: Int) -> Palette.Depth {
        if let noColor, !noColor.isEmpty { return .none }
        if !hasColors || colors < 8 { return .none }
        return colors < 256 ? .eight : .full
    }

    /// `self`, lowered to what the terminal can show.
    func clamped(hasColors: Bool, colors: Int) -> Palette.Depth {
        if !hasColors || colors < 8 { return .none }
        if self == .full && colors < 256 { return .eight }
        return self
    }
}
