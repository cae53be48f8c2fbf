package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.7.0"
	"go.opentelemetry.io/otel/trace"
)

// lockedWriter serialises writes from every exporter (and from the log
// lines of the with-logs samples) onto one stream. The stdouttrace exporter
// encodes a whole span into a buffer and hands it over in one Write call,
// and log.Logger does the same for a line, so a mutex around Write is all
// it takes for nothing to interleave mid-line: exactly what happens when a
// process writes spans and logs to the same stdout.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// service describes one simulated process: each gets its own resource and
// its own TracerProvider, as separate processes would.
type service struct {
	name      string
	version   string
	namespace string
	env       string
	host      string
	extra     []attribute.KeyValue
	// bare: build the resource from these attributes only, without
	// merging resource.Default() (no telemetry.sdk.* attributes), as
	// many applications do.
	bare bool
}

// world is one output file: a shared writer plus one TracerProvider per
// simulated service, every provider exporting synchronously
// (SimpleSpanProcessor via WithSyncer) to its own stdouttrace exporter that
// writes into the shared writer. Spans therefore appear in the order they end.
type world struct {
	file      *os.File
	out       *lockedWriter
	pretty    bool
	providers []*sdktrace.TracerProvider
	limits    *sdktrace.SpanLimits
}

func newWorld(dir, name string, pretty bool) *world {
	f, err := os.Create(dir + "/" + name)
	if err != nil {
		fatal(err)
	}
	return &world{file: f, out: &lockedWriter{w: f}, pretty: pretty}
}

// provider builds the TracerProvider of one service.
func (w *world) provider(s service) *sdktrace.TracerProvider {
	opts := []stdouttrace.Option{stdouttrace.WithWriter(w.out)}
	if w.pretty {
		opts = append(opts, stdouttrace.WithPrettyPrint())
	}
	exp, err := stdouttrace.New(opts...)
	if err != nil {
		fatal(err)
	}
	attrs := []attribute.KeyValue{
		semconv.ServiceNameKey.String(s.name),
		semconv.ServiceVersionKey.String(s.version),
		semconv.DeploymentEnvironmentKey.String(s.env),
		semconv.HostNameKey.String(s.host),
		semconv.ProcessRuntimeNameKey.String("go"),
	}
	if s.namespace != "" {
		attrs = append(attrs, semconv.ServiceNamespaceKey.String(s.namespace))
	}
	attrs = append(attrs, s.extra...)
	res := resource.NewWithAttributes(semconv.SchemaURL, attrs...)
	if !s.bare {
		var err error
		if res, err = resource.Merge(resource.Default(), res); err != nil {
			fatal(err)
		}
	}
	popts := []sdktrace.TracerProviderOption{
		sdktrace.WithSyncer(exp),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
	}
	if w.limits != nil {
		popts = append(popts, sdktrace.WithSpanLimits(*w.limits))
	}
	tp := sdktrace.NewTracerProvider(popts...)
	w.providers = append(w.providers, tp)
	return tp
}

func (w *world) close() {
	for _, tp := range w.providers {
		if err := tp.Shutdown(context.Background()); err != nil {
			fatal(err)
		}
	}
	if err := w.file.Close(); err != nil {
		fatal(err)
	}
}

// Instrumentation library names used by the simulated services.
const (
	libHTTP      = "github.com/acme/shop/internal/httpx"
	libHTTPVer   = "1.4.2"
	libSQL       = "github.com/acme/shop/internal/sqlx"
	libSQLVer    = "0.9.0"
	libMessaging = "github.com/acme/shop/internal/queue"
	libMsgVer    = "0.3.1"
)

func tracer(tp *sdktrace.TracerProvider, lib, ver string) trace.Tracer {
	return tp.Tracer(lib, trace.WithInstrumentationVersion(ver), trace.WithSchemaURL(semconv.SchemaURL))
}

var propagator = propagation.TraceContext{}

// overTheWire simulates an outgoing request: the calling side injects the
// W3C traceparent/tracestate headers, the receiving side extracts them into
// a fresh context, so the server span's parent is a *remote* span context,
// exactly as in a real server.
func overTheWire(ctx context.Context) context.Context {
	h := http.Header{}
	propagator.Inject(ctx, propagation.HeaderCarrier(h))
	return propagator.Extract(context.Background(), propagation.HeaderCarrier(h))
}

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func sleepMs(f float64) { time.Sleep(ms(f)) }

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "generator:", err)
	os.Exit(1)
}

func goVersion() string { return runtime.Version() }

// Common HTTP server attributes (semantic conventions v1.7.0 names).
func httpServerAttrs(method, route, target, host string, port int) []attribute.KeyValue {
	return []attribute.KeyValue{
		semconv.HTTPMethodKey.String(method),
		semconv.HTTPSchemeKey.String("http"),
		semconv.HTTPFlavorKey.String("1.1"),
		semconv.HTTPHostKey.String(fmt.Sprintf("%s:%d", host, port)),
		semconv.HTTPTargetKey.String(target),
		semconv.HTTPRouteKey.String(route),
		semconv.NetHostNameKey.String(host),
		semconv.NetHostPortKey.Int(port),
	}
}

func httpClientAttrs(method, url, peer string, port int) []attribute.KeyValue {
	return []attribute.KeyValue{
		semconv.HTTPMethodKey.String(method),
		semconv.HTTPURLKey.String(url),
		semconv.HTTPFlavorKey.String("1.1"),
		semconv.NetPeerNameKey.String(peer),
		semconv.NetPeerPortKey.Int(port),
	}
}

func dbAttrs(system attribute.KeyValue, dbName, op, table, stmt, peer string, port int) []attribute.KeyValue {
	return []attribute.KeyValue{
		system,
		semconv.DBNameKey.String(dbName),
		semconv.DBOperationKey.String(op),
		semconv.DBSQLTableKey.String(table),
		semconv.DBStatementKey.String(stmt),
		semconv.NetPeerNameKey.String(peer),
		semconv.NetPeerPortKey.Int(port),
	}
}
