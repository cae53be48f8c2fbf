// TEMPORARY until the writers branch merges.
import SpanModel
public enum JaegerJSONWriter {
    public static func write(_ spans: some Collection<Span>, into out: inout [UInt8]) {}
    public static func losses(in spans: some Collection<Span>) -> [String] { [] }
}
public enum ZipkinWriter {
    public static func write(_ spans: some Collection<Span>, into out: inout [UInt8]) {}
    public static func losses(in spans: some Collection<Span>) -> [String] { [] }
}
