import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = UnsafeBufferPointer(start: data, count: size)
    FuzzChecks.decode(input, format: .otlp)
    // Tempo's answers: the trace above, its status and search results here.
    FuzzChecks.tempo(input)
    return 0
}
