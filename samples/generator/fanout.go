package main

import (
	"context"
	"fmt"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.7.0"
	"go.opentelemetry.io/otel/trace"
)

var svcReport = service{name: "report-builder", version: "0.14.0", namespace: "analytics", env: "production",
	host:  "report-builder-cron-27561840-8kq2d",
	extra: []attribute.KeyValue{attribute.String("k8s.cronjob.name", "daily-sales-report")}}

// genFanout: one trace, 10 spans: a job root, 8 concurrent "fetch shard N"
// CLIENT spans (one per goroutine, overlapping in time, ending out of start
// order), then an INTERNAL aggregate step.
func genFanout(dir string) {
	w := newWorld(dir, "fanout.json", true)
	tp := w.provider(svcReport)
	job := tracer(tp, "github.com/acme/analytics/report-builder/job", "0.14.0")
	sql := tracer(tp, libSQL, libSQLVer)

	ctx, root := job.Start(context.Background(), "build daily-sales report", trace.WithAttributes(
		attribute.String("job.id", "daily-sales-2024-05-01"),
		attribute.String("report.date", "2024-05-01"),
		attribute.Int("report.shards", 8),
	))
	sleepMs(1.5)

	// Per-shard latencies (ms), chosen so that shards finish out of order.
	lat := []float64{18, 42, 9, 27, 55, 14, 33, 21}
	rows := make([]int64, 8)
	var wg sync.WaitGroup
	for n := 0; n < 8; n++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			sleepMs(0.3 * float64(n)) // goroutines start a little apart
			_, s := sql.Start(ctx, fmt.Sprintf("fetch shard %d", n), trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "sales", "SELECT", "orders",
					"SELECT region, sku, sum(amount) FROM orders WHERE day = $1 GROUP BY region, sku",
					fmt.Sprintf("pg-sales-shard-%d.analytics.svc", n), 5432)...),
				trace.WithAttributes(attribute.Int("shard.id", n)))
			sleepMs(0.5)
			if n%3 == 0 {
				s.AddEvent("cache miss", trace.WithAttributes(
					attribute.String("cache.key", fmt.Sprintf("sales:2024-05-01:shard-%d", n)),
					attribute.String("cache.backend", "redis")))
			} else {
				s.AddEvent("cache hit", trace.WithAttributes(
					attribute.String("cache.key", fmt.Sprintf("sales:2024-05-01:shard-%d:partial", n)),
					attribute.Int("cache.age_s", 300+60*n)))
			}
			sleepMs(lat[n])
			r := int64(1000*(n+1) + 37*n)
			rows[n] = r
			s.AddEvent("rows fetched", trace.WithAttributes(
				attribute.Int64("rows", r),
				attribute.Int64("bytes", r*96),
				attribute.Bool("truncated", false)))
			s.SetAttributes(attribute.Int64("db.rows_returned", r))
			s.End()
		}(n)
	}
	wg.Wait()

	var total int64
	for _, r := range rows {
		total += r
	}
	_, agg := job.Start(ctx, "aggregate", trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(attribute.Int64("rows.total", total), attribute.Int("groups", 148)))
	sleepMs(6)
	agg.AddEvent("report written", trace.WithAttributes(
		attribute.String("output.uri", "s3://acme-reports/daily-sales/2024-05-01.parquet"),
		attribute.Int64("output.bytes", 482113)))
	agg.End()
	root.End()
	w.close()
}
