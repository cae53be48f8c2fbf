import Testing
@testable import SpanIngest
