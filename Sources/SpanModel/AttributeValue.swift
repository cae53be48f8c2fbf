/// A typed attribute value. The typed array cases keep the exporter's declared type,
/// so a viewer can show `[1, 2]` as INT64SLICE rather than a list of anything.
public enum AttributeValue: Hashable, Sendable {
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case stringArray([String])
    case boolArray([Bool])
    case intArray([Int64])
    case doubleArray([Double])
    /// Raw bytes (Go `BYTESLICE`, OTLP `bytesValue`).
    case bytes([UInt8])
    /// A heterogeneous list (Go `SLICE`, OTLP `arrayValue`).
    case array([AttributeValue])
    /// Nested key-values (Go `MAP`, OTLP `kvlistValue`).
    case map([Attribute])
    /// No value (Go `EMPTY`/`INVALID`, an OTLP AnyValue with nothing set).
    case empty
    /// A type this reader does not know, kept as its type name and raw JSON text.
    case unknown(type: String, json: String)
}

/// One key and its value.
public struct Attribute: Hashable, Sendable {
    public var key: String
    public var value: AttributeValue

    public init(_ key: String, _ value: AttributeValue) {
        self.key = key
        self.value = value
    }
}

extension Array where Element == Attribute {
    /// The first value under `key`, if any.
    public subscript(key key: String) -> AttributeValue? {
        first(where: { $0.key == key })?.value
    }
}
