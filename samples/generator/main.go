// Command generator writes spanview's sample traces with the real
// OpenTelemetry Go SDK (go.opentelemetry.io/otel/sdk/trace) and its stdout
// exporter (go.opentelemetry.io/otel/exporters/stdout/stdouttrace), as
// packaged by Debian (golang-opentelemetry-otel-dev). It builds offline in
// GOPATH mode; see ../generate.sh.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"go.opentelemetry.io/otel"
)

func main() {
	out := flag.String("out", ".", "directory to write the sample files into")
	only := flag.String("only", "", "comma-separated sample file names to (re)generate; empty means all")
	flag.Parse()

	gens := map[string]func(dir string){
		"payment-timeout.json":  genPaymentTimeout,
		"order-inventory.jsonl": genOrderInventory,
		"fanout.json":           genFanout,
		"attribute-types.jsonl": genAttributeTypes,
		"interleaved.jsonl":     genInterleaved,
		"with-logs.txt":         func(dir string) { genWithLogs(dir, "with-logs.txt", false) },
		"with-logs-pretty.txt":  func(dir string) { genWithLogs(dir, "with-logs-pretty.txt", true) },
	}
	var names []string
	if *only == "" {
		for n := range gens {
			names = append(names, n)
		}
	} else {
		names = strings.Split(*only, ",")
	}
	sort.Strings(names)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fatal(err)
	}
	// Any error the SDK reports (e.g. an exporter failing to encode a span)
	// must fail the run instead of silently dropping the span.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { fatal(fmt.Errorf("otel: %w", err)) }))
	for _, n := range names {
		g, ok := gens[n]
		if !ok {
			fatal(fmt.Errorf("unknown sample %q", n))
		}
		fmt.Fprintf(os.Stderr, "generating %s (otel-go %s, %s)\n", n, otel.Version(), goVersion())
		g(*out)
	}
}
