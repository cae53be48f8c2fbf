/// Short human durations: `850ns`, `12.3µs`, `4.56ms`, `1.24s`, `2m03s`.
public enum DurationText {
    public static func format(_ ns: Int64?) -> String {
        guard let ns else { return "?" }
        if ns < 0 { return "-" + format(ns == .min ? .max : -ns) }
        if ns < 1_000 { return "\(ns)ns" }
        // A value that rounds up to 1000 of a unit is shown in the next unit (999.6µs -> 1ms).
        if ns < 999_500 { return scaled(ns, 1_000, "µs") }
        if ns < 999_500_000 { return scaled(ns, 1_000_000, "ms") }
        if ns < 59_500_000_000 { return scaled(ns, 1_000_000_000, "s") }
        let totalSeconds = ns / 1_000_000_000 + (ns % 1_000_000_000 >= 500_000_000 ? 1 : 0)
        if totalSeconds < 3_600 {
            let s = totalSeconds % 60
            return "\(totalSeconds / 60)m" + (s < 10 ? "0" : "") + "\(s)s"
        }
        let m = totalSeconds / 60 % 60
        return "\(totalSeconds / 3_600)h" + (m < 10 ? "0" : "") + "\(m)m"
    }

    /// Three significant digits: 1.23, 12.3, 123.
    private static func scaled(_ ns: Int64, _ unit: Int64, _ suffix: String) -> String {
        let value = Double(ns) / Double(unit)
        let text: String
        if value < 10 { text = fixed(value, 2) } else if value < 100 { text = fixed(value, 1) } else { text = fixed(value, 0) }
        return text + suffix
    }

    private static func fixed(_ value: Double, _ decimals: Int) -> String {
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        let rounded = Int64((value * factor).rounded())
        if decimals == 0 { return String(rounded) }
        let whole = rounded / Int64(factor), frac = rounded % Int64(factor)
        var fracText = String(frac)
        while fracText.count < decimals { fracText = "0" + fracText }
        // Trim trailing zeros: 1.50 -> 1.5, 2.00 -> 2
        while fracText.hasSuffix("0") { fracText.removeLast() }
        return fracText.isEmpty ? String(whole) : "\(whole).\(fracText)"
    }
}
