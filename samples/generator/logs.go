package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.7.0"
	"go.opentelemetry.io/otel/trace"
)

var svcStorefront = service{name: "storefront", version: "0.3.0", env: "development", host: "dev-laptop.local", bare: true}

type request struct {
	method, route, target string
	status                int
}

// The 10 requests served by the with-logs samples (fixed, so counts are
// stable).
var logRequests = []request{
	{"GET", "/orders", "/orders", 200},
	{"POST", "/orders", "/orders", 201},
	{"GET", "/orders/:id", "/orders/ord_000417", 200},
	{"GET", "/orders/:id", "/orders/ord_999999", 404},
	{"POST", "/orders", "/orders", 500},
	{"GET", "/orders", "/orders?status=shipped", 200},
	{"GET", "/healthz", "/healthz", 200},
	{"POST", "/orders", "/orders", 201},
	{"GET", "/orders/:id", "/orders/ord_000418", 200},
	{"GET", "/orders", "/orders?page=2", 200},
}

// genWithLogs: spans and an application's own log output on one stream,
// as with `go run . | spanview`. The log lines go through the same locked
// writer as the exporter, so nothing is split mid-line.
func genWithLogs(dir, name string, pretty bool) {
	w := newWorld(dir, name, pretty)
	tp := w.provider(svcStorefront)
	httpT := tracer(tp, libHTTP, libHTTPVer)
	appT := tracer(tp, "github.com/acme/storefront/orders", "0.3.0")
	sqlT := tracer(tp, libSQL, libSQLVer)
	cacheT := tracer(tp, "github.com/acme/shop/internal/redisx", "2.1.0")

	logger := log.New(w.out, "", log.LstdFlags)
	raw := func(s string) { fmt.Fprintln(w.out, s) } // one Write per line
	// jsonLog writes a structured log line the way zap/zerolog do: level
	// first, then ts and msg, then the fields in the order given.
	jsonLog := func(level, msg string, kv ...interface{}) {
		var b strings.Builder
		field := func(k string, v interface{}) {
			kb, _ := json.Marshal(k)
			vb, err := json.Marshal(v)
			if err != nil {
				fatal(err)
			}
			if b.Len() > 1 {
				b.WriteByte(',')
			}
			b.Write(kb)
			b.WriteByte(':')
			b.Write(vb)
		}
		b.WriteByte('{')
		field("level", level)
		field("ts", time.Now().UTC().Format(time.RFC3339Nano))
		field("msg", msg)
		for i := 0; i+1 < len(kv); i += 2 {
			field(kv[i].(string), kv[i+1])
		}
		b.WriteByte('}')
		raw(b.String())
	}

	// Startup banner, gin style (note the blank lines and indented lines).
	raw("[GIN-debug] [WARNING] Creating an Engine instance with the Logger and Recovery middleware already attached.")
	raw("")
	raw(`[GIN-debug] [WARNING] Running in "debug" mode. Switch to "release" mode in production.`)
	raw(" - using env:\texport GIN_MODE=release")
	raw(" - using code:\tgin.SetMode(gin.ReleaseMode)")
	raw("")
	raw("[GIN-debug] GET    /orders                   --> main.listOrders (3 handlers)")
	raw("[GIN-debug] POST   /orders                   --> main.createOrder (3 handlers)")
	raw("[GIN-debug] GET    /orders/:id               --> main.getOrder (3 handlers)")
	raw("[GIN-debug] GET    /healthz                  --> main.healthz (3 handlers)")
	logger.Printf("connecting to postgres at pg.local:5432")
	jsonLog("info", "cache warmed", "entries", 1200)
	// A colored logrus-style line: raw ESC bytes on the stream (not inside
	// JSON), as when a logger forces colors while piped.
	raw("\x1b[36mINFO\x1b[0m[0000] background job finished                       \x1b[36mjob\x1b[0m=reindex \x1b[36mtook\x1b[0m=1.2ms")
	raw("[GIN-debug] Listening and serving HTTP on :8080")
	logger.Printf("listening on :8080")

	for i, req := range logRequests {
		start := time.Now()
		ctx, srv := httpT.Start(context.Background(), req.method+" "+req.route, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(httpServerAttrs(req.method, req.route, req.target, "localhost", 8080)...),
			trace.WithAttributes(semconv.HTTPClientIPKey.String("127.0.0.1"), semconv.HTTPUserAgentKey.String("curl/8.5.0")))
		sleepMs(0.3)
		switch {
		case req.route == "/healthz":
			sleepMs(0.1)
		case req.method == "POST":
			_, v := appT.Start(ctx, "validate order", trace.WithAttributes(attribute.Int("order.items", 1+i%3)))
			sleepMs(0.5)
			v.End()
			orderID := fmt.Sprintf("ord_%06d", 419+i)
			logger.Printf("creating order %s for customer-%d", orderID, 88000+i)
			_, ins := sqlT.Start(ctx, "INSERT orders", trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "shop", "INSERT", "orders",
					"INSERT INTO orders (id, customer_id) VALUES ($1, $2)", "pg.local", 5432)...))
			sleepMs(3 + float64(i%4))
			if req.status == 500 {
				err := fmt.Errorf("pq: duplicate key value violates unique constraint \"orders_pkey\"")
				ins.RecordError(err)
				ins.SetStatus(codes.Error, err.Error())
				ins.End()
				jsonLog("error", "insert order failed", "error", err.Error(),
					"trace_id", srv.SpanContext().TraceID().String(), "span_id", srv.SpanContext().SpanID().String())
				srv.SetStatus(codes.Error, "insert order: "+err.Error())
				break
			}
			ins.End()
			_, del := cacheT.Start(ctx, "DEL orders:list", trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(semconv.DBSystemRedis, semconv.DBOperationKey.String("DEL"), semconv.DBStatementKey.String("DEL orders:list"),
					semconv.NetPeerNameKey.String("localhost"), semconv.NetPeerPortKey.Int(6379)))
			sleepMs(0.4)
			del.End()
		default:
			key := "orders:list"
			if req.route == "/orders/:id" {
				key = "order:" + strings.TrimPrefix(req.target, "/orders/")
			}
			_, get := cacheT.Start(ctx, "GET "+key, trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(semconv.DBSystemRedis, semconv.DBOperationKey.String("GET"), semconv.DBStatementKey.String("GET "+key),
					semconv.NetPeerNameKey.String("localhost"), semconv.NetPeerPortKey.Int(6379)))
			sleepMs(0.4)
			get.SetAttributes(attribute.Bool("cache.hit", false))
			get.End()
			_, sel := sqlT.Start(ctx, "SELECT orders", trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "shop", "SELECT", "orders",
					"SELECT id, status, total FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20", "pg.local", 5432)...))
			sleepMs(2 + float64(i%5))
			if req.status == 404 {
				sel.SetAttributes(attribute.Int("db.rows_returned", 0))
			} else {
				sel.SetAttributes(attribute.Int("db.rows_returned", 20-i))
			}
			sel.End()
			if i%4 == 0 {
				jsonLog("warn", "slow query", "table", "orders",
					"trace_id", srv.SpanContext().TraceID().String(), "span_id", srv.SpanContext().SpanID().String())
			}
		}
		srv.SetAttributes(semconv.HTTPStatusCodeKey.Int(req.status))
		srv.End()
		elapsed := time.Since(start)
		logger.Printf("%s %s %d %dms trace_id=%s", req.method, req.target, req.status, elapsed.Milliseconds(),
			srv.SpanContext().TraceID())
		if i%3 == 0 {
			raw(fmt.Sprintf("[GIN] %s | %3d | %13v | %15s | %-7s %q",
				time.Now().Format("2006/01/02 - 15:04:05"), req.status, elapsed.Round(time.Microsecond), "127.0.0.1", req.method, req.target))
		}
		sleepMs(1)
	}
	logger.Printf("shutting down: signal: interrupt")
	jsonLog("info", "server stopped", "requests", len(logRequests))
	w.close()
}
