import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzChecks.decode(UnsafeBufferPointer(start: data, count: size), format: .otlp)
    return 0
}
