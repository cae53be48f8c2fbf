import ArgumentParser
import SpanviewKit

/// The `spanview` command line.
struct SpanviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spanview",
        abstract: "A terminal trace timeline viewer for exported OpenTelemetry span JSON.",
        discussion: """
        Reads the Go SDK's stdouttrace exporter output (one JSON object per span, compact or \
        pretty-printed, with the application's own log lines mixed in). FILE may be - for \
        standard input. With no command, opens the interactive viewer: spanview trace.json
        """,
        version: SpanviewVersion.current,
        subcommands: [ViewCommand.self, PrintCommand.self, SummaryCommand.self, StatsCommand.self, SearchCommand.self, ConvertCommand.self, RecordCommand.self],
        defaultSubcommand: ViewCommand.self
    )
}
