/// Why a JSON value could not be read.
public enum ScanError: Error, Equatable, Sendable {
    /// The buffer ended inside the value: more bytes may complete it.
    case incomplete
    /// The bytes are not what they should be; `offset` is relative to the scanner's buffer.
    case malformed(String, offset: Int)
}
