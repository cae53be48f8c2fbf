// Start and end a span with the OpenTelemetry Go SDK, as BenchmarkStartEndSpan does
// (sdk/trace/benchmark_test.go), and the same with a batch span processor whose exporter
// discards: ns per span, on one goroutine and on two.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                              { return nil }

func run(name string, tr trace.Tracer, n, workers int) {
	ctx := context.Background()
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				_, span := tr.Start(ctx, "/foo")
				span.End()
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	fmt.Printf("%-40s %d goroutine(s): %.0f ns per span per goroutine, %.0f ns overall\n", name, workers,
		float64(el.Nanoseconds())/float64(n), float64(el.Nanoseconds())/float64(n*workers))
}

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	for _, workers := range []int{1, 2} {
		plain := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
		run("AlwaysSample, no processor (as the Go benchmark)", plain.Tracer("b"), n, workers)
		never := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
		run("NeverSample", never.Tracer("b"), n, workers)
		bsp := sdktrace.NewBatchSpanProcessor(discard{})
		batched := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSpanProcessor(bsp))
		run("AlwaysSample, batch processor", batched.Tracer("b"), n, workers)
		_ = batched.Shutdown(context.Background())
	}
}
