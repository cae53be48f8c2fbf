import SpanModel

/// Wall-clock times for lists: `2024-05-01 12:00:00.123` (UTC).
public enum TimeText {
    public static func wallClock(_ ns: Int64) -> String {
        guard ns != Timestamp.unknown else { return "-" }
        let iso = Timestamp.iso8601(ns)   // 2024-05-01T12:00:00.123456789Z
        let chars = Array(iso)
        return String(chars[0..<10]) + " " + String(chars[11..<23])
    }
}
