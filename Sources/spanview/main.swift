import SpanviewKit

// `--listen` with no address is OTLP/HTTP's own, 127.0.0.1:4318 (argument-parser options
// always take a value, so it is filled in here).
SpanviewCommand.main(ListenAddress.withDefault(Array(CommandLine.arguments.dropFirst())))
