/// A finite float64 as Go's `encoding/json` writes it: the shortest digits that read back
/// to the same value (`strconv.FormatFloat(f, 'f' or 'e', -1, 64)`), in `'f'` form
/// (`129.99`, `2`, `0.0001`, `-0`) unless the magnitude is below 1e-6 or at least 1e21, then
/// in `'e'` form with a two-digit negative exponent cut to one (`1e-7`, `5e-324`,
/// `1e+21`, `1.7976931348623157e+308`).
///
/// The shortest digits come from Swift's `description` (also shortest round-trip), taken
/// apart and laid out again.
enum GoFloatText {
    static func append(_ value: Double, into out: inout [UInt8]) {
        if value.sign == .minus { out.append(UInt8(ascii: "-")) }
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        let magnitude = value.magnitude
        // Digits d1…dn and an exponent e with magnitude = 0.d1…dn × 10^e.
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        var exponent = 0
        var seenPoint = false
        var exponentPart = 0, exponentSign = 1, inExponent = false
        for c in magnitude.description.utf8 {
            if inExponent {
                if c == UInt8(ascii: "-") { exponentSign = -1 } else if c != UInt8(ascii: "+") { exponentPart = exponentPart * 10 + Int(c &- 48) }
            } else if c == UInt8(ascii: ".") {
                seenPoint = true
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                inExponent = true
            } else {
                if !seenPoint { exponent += 1 }
                digits.append(c)
            }
        }
        exponent += exponentSign * exponentPart
        var first = 0
        while first < digits.count - 1 && digits[first] == UInt8(ascii: "0") {
            first += 1
            exponent -= 1
        }
        var last = digits.count
        while last > first + 1 && digits[last - 1] == UInt8(ascii: "0") { last -= 1 }
        let d = digits[first..<last]

        if magnitude < 1e-6 || magnitude >= 1e21 {
            out.append(d[d.startIndex])
            if d.count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: d.dropFirst())
            }
            let x = exponent - 1
            out.append(UInt8(ascii: "e"))
            out.append(x < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let m = abs(x)
            // strconv writes at least two digits; encoding/json cuts `e-07` to `e-7`.
            if m < 10 && x >= 0 { out.append(UInt8(ascii: "0")) }
            if m >= 100 { out.append(UInt8(ascii: "0") + UInt8(m / 100)) }
            if m >= 10 { out.append(UInt8(ascii: "0") + UInt8(m / 10 % 10)) }
            out.append(UInt8(ascii: "0") + UInt8(m % 10))
            return
        }
        if exponent <= 0 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            for _ in 0 ..< -exponent { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: d)
        } else if exponent >= d.count {
            out.append(contentsOf: d)
            for _ in 0 ..< exponent - d.count { out.append(UInt8(ascii: "0")) }
        } else {
            out.append(contentsOf: d.prefix(exponent))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: d.dropFirst(exponent))
        }
    }
}
