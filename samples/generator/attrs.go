package main

import (
	"context"
	"fmt"
	"math"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.7.0"
	"go.opentelemetry.io/otel/trace"
)

var (
	svcZoo = service{name: "attr-zoo", version: "0.0.1-dev+sha.1f2e3d4", namespace: "spanview-samples", env: "test",
		host:  "zoo-host-1",
		extra: []attribute.KeyValue{attribute.String("service.instance.id", "ünïcødé-instance-☃")}}
	svcZooBackend = service{name: "attr-zoo-backend", version: "0.0.1-dev", namespace: "spanview-samples", env: "test",
		host: "zoo-host-2"}
)

// Strings that a viewer must render safely (escaped, never interpreted by
// the terminal).
var trickyStrings = []attribute.KeyValue{
	attribute.String("str.japanese", "日本語"),
	attribute.String("str.accented", "café naïve façade"),
	attribute.String("str.emoji", "🚀"),
	attribute.String("str.emoji_zwj", "👩‍👩‍👧 family, 🇯🇵 flag, 👍🏽 tone"),
	attribute.String("str.rtl", "مرحبا بالعالم"),
	attribute.String("str.combining", "e\u0301 vs é"),
	attribute.String("str.quotes", `she said "hi" and 'bye'`),
	attribute.String("str.backslashes", `C:\Users\zoo\file.txt and \n literally`),
	attribute.String("str.newlines", "line one\nline two\nline three"),
	attribute.String("str.tabs", "col1\tcol2\tcol3"),
	attribute.String("str.carriage_return", "progress 10%\rprogress 100%"),
	attribute.String("str.terminal_title", "\x1b]0;pwned\x07"),
	attribute.String("str.ansi_color", "\x1b[31mred\x1b[0m normal"),
	attribute.String("str.clear_screen", "\x1b[2J\x1b[Hscreen cleared?"),
	attribute.String("str.c1_csi", "\u009b31mC1 CSI"),
	attribute.String("str.nul", "before\x00after"),
	attribute.String("str.del", "del\x7fchar"),
	attribute.String("str.bidi_override", "abc\u202edcba\u202c xyz"),
	attribute.String("str.line_separator", "a\u2028b\u2029c"),
	attribute.String("str.html", "<script>alert('x')</script> & co"),
	attribute.String("str.invalid_utf8", "bad \xff\xfe bytes"),
	attribute.String("str.empty", ""),
	attribute.String("str.spaces", "   padded   "),
	attribute.String("str.long", strings.Repeat("lorem ipsum dolor sit amet ", 48)),
	attribute.String("ключ.юникод", "key with non-ASCII characters"),
	attribute.String("key with spaces", "value"),
}

var numberAttrs = []attribute.KeyValue{
	attribute.Int64("int.max", math.MaxInt64),
	attribute.Int64("int.min", math.MinInt64),
	attribute.Int64("int.2p53", 1<<53),
	attribute.Int64("int.2p53_plus_1", 1<<53+1),
	attribute.Int64("int.big", 1234567890123456789),
	attribute.Int64("int.negative", -42),
	attribute.Int("int.zero", 0),
	attribute.Float64("float.pi", 3.14159),
	attribute.Float64("float.tiny", 1e-7),
	attribute.Float64("float.negative", -2.5),
	attribute.Float64("float.point_three", pointOne+0.2), // computed at run time: 0.30000000000000004
	attribute.Float64("float.max", math.MaxFloat64),
	attribute.Float64("float.smallest_subnormal", math.SmallestNonzeroFloat64),
	attribute.Float64("float.1e21", 1e21),
	attribute.Float64("float.integral", 2.0),
	attribute.Float64("float.negative_zero", math.Copysign(0, -1)),
	attribute.Float64("float.large_exact", 123456789.125),
}

var sliceAttrs = []attribute.KeyValue{
	attribute.BoolSlice("slice.bool", []bool{true, false, true}),
	attribute.Int64Slice("slice.int64", []int64{-1, 0, 42, 1<<53 + 1, math.MaxInt64, math.MinInt64}),
	attribute.IntSlice("slice.int", []int{1, 2, 3}),
	attribute.Float64Slice("slice.float64", []float64{1e-7, 3.14159, -2.5, 2.0, 1e21}),
	attribute.StringSlice("slice.string", []string{"日本語", "café", "🚀", `a "quoted" \ value`, "tab\there", "new\nline", "\x1b]0;pwned\x07", ""}),
	attribute.BoolSlice("slice.bool_empty", []bool{}),
	attribute.Int64Slice("slice.int64_empty", []int64{}),
	attribute.Float64Slice("slice.float64_empty", []float64{}),
	attribute.StringSlice("slice.string_empty", []string{}),
	attribute.StringSlice("slice.string_single", []string{"only"}),
}

// A variable, so that 0.1+0.2 is float64 arithmetic rather than exact
// constant arithmetic.
var pointOne = 0.1

type zooError struct{ code int }

func (e *zooError) Error() string {
	return fmt.Sprintf("zoo failure %d:\n\tcaused by: \"quota exceeded\" for user 'ü' \x1b[1mBOLD\x1b[0m", e.code)
}

// genAttributeTypes: 3 traces, 14 spans. Trace A and B are single PRODUCER
// spans; trace C holds every attribute type, every span kind, a TraceState,
// links to A and B (and to a trace that is not in the file), dropped
// attributes/events, a span name with an ANSI escape and one error.
func genAttributeTypes(dir string) {
	w := newWorld(dir, "attribute-types.jsonl", false)
	w.limits = &sdktrace.SpanLimits{
		AttributeCountLimit:         64,
		EventCountLimit:             16,
		LinkCountLimit:              8,
		AttributePerEventCountLimit: 64,
		AttributePerLinkCountLimit:  16,
	}
	zooTP := w.provider(svcZoo)
	backTP := w.provider(svcZooBackend)
	zoo := tracer(zooTP, "github.com/spanview/samples/zoo", "1.0.0")
	zooMsg := tracer(zooTP, libMessaging, libMsgVer)
	back := tracer(backTP, "github.com/spanview/samples/zoo-backend", "1.0.0")
	backMsg := tracer(backTP, libMessaging, libMsgVer)

	msgAttrs := func(id string) []attribute.KeyValue {
		return []attribute.KeyValue{
			semconv.MessagingSystemKey.String("kafka"),
			semconv.MessagingDestinationKey.String("zoo.events"),
			semconv.MessagingDestinationKindKey.String("topic"),
			semconv.MessagingMessageIDKey.String(id),
		}
	}

	// Traces A and B: two upstream publishes, each its own trace.
	var upstream []trace.SpanContext
	for i, id := range []string{"msg-A-001", "msg-B-002"} {
		_, p := zooMsg.Start(context.Background(), "zoo.events publish", trace.WithSpanKind(trace.SpanKindProducer),
			trace.WithAttributes(msgAttrs(id)...), trace.WithAttributes(attribute.Int("upstream.index", i)))
		sleepMs(0.7)
		p.End()
		upstream = append(upstream, p.SpanContext())
		sleepMs(0.5)
	}

	// Trace C.
	ctx, root := zoo.Start(context.Background(), "GET /zoo", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(httpServerAttrs("GET", "/zoo", "/zoo?q=%E6%97%A5%E6%9C%AC&x=1", "zoo.test", 8080)...),
		trace.WithAttributes(
			attribute.Bool("bool.true", true),
			attribute.Bool("bool.false", false),
			attribute.Int64("int64.answer", 42),
			attribute.Float64("float64.pi", 3.14159),
			attribute.String("string.plain", "hello world"),
			attribute.StringSlice("stringslice.plain", []string{"a", "b"}),
			attribute.BoolSlice("boolslice.plain", []bool{false}),
			attribute.Int64Slice("int64slice.plain", []int64{1, 2}),
			attribute.Float64Slice("float64slice.plain", []float64{0.5, 1.5}),
		))
	sleepMs(0.5)

	_, s := zoo.Start(ctx, "slices", trace.WithAttributes(sliceAttrs...))
	sleepMs(0.4)
	s.End()

	_, s = zoo.Start(ctx, "strings", trace.WithAttributes(trickyStrings...))
	sleepMs(0.4)
	s.End()

	_, s = zoo.Start(ctx, "numbers", trace.WithAttributes(numberAttrs...))
	sleepMs(0.4)
	s.End()

	_, s = zoo.Start(ctx, "\x1b[31mred\x1b[0m name with ANSI escape \x1b]0;pwned\x07 and 日本語",
		trace.WithAttributes(attribute.String("note", "the span name itself contains escape sequences")))
	sleepMs(0.3)
	s.End()

	// Events carrying every attribute type, and events with awkward names.
	_, s = zoo.Start(ctx, "events")
	all := append(append(append([]attribute.KeyValue{
		attribute.Bool("bool", true),
		attribute.Int64("int64", -9007199254740993),
		attribute.Float64("float64", 1e-7),
		attribute.String("string", "日本語 café 🚀 \"q\" \\ \t \n \x1b]0;pwned\x07"),
	}, sliceAttrs[:5]...), numberAttrs[:4]...), trickyStrings[11:14]...)
	s.AddEvent("every type", trace.WithAttributes(all...))
	sleepMs(0.2)
	s.AddEvent("日本語のイベント 🚀")
	sleepMs(0.2)
	s.AddEvent("event\twith\ttabs\nand newline \x1b]0;pwned\x07", trace.WithAttributes(attribute.Int("n", 1)))
	sleepMs(0.2)
	s.AddEvent("")
	s.End()

	// A CLIENT call whose span context carries a W3C TraceState; the
	// backend's SERVER span inherits it through the tracestate header.
	ts, err := trace.ParseTraceState("zoo=t61rcWkgMzE,rojo=00f067aa0ba902b7")
	if err != nil {
		fatal(err)
	}
	tsCtx := trace.ContextWithSpanContext(ctx, root.SpanContext().WithTraceState(ts))
	cctx, call := zoo.Start(tsCtx, "GET zoo-backend/lookup", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(httpClientAttrs("GET", "http://zoo-backend.test:9000/lookup?id=7", "zoo-backend.test", 9000)...))
	sleepMs(0.3)
	{
		_, srv := back.Start(overTheWire(cctx), "GET /lookup", trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(httpServerAttrs("GET", "/lookup", "/lookup?id=7", "zoo-backend.test", 9000)...))
		sleepMs(1.0)
		srv.SetAttributes(semconv.HTTPStatusCodeKey.Int(200))
		srv.End()
	}
	call.SetAttributes(semconv.HTTPStatusCodeKey.Int(200))
	call.End()

	// PRODUCER -> CONSUMER inside trace C; the consumer processes a batch
	// and links to the upstream publishes of traces A and B, plus one
	// message whose trace is not in this file.
	pctx, prod := zooMsg.Start(ctx, "zoo.events publish", trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(msgAttrs("msg-C-003")...))
	sleepMs(0.4)
	prod.End()
	absentTrace, _ := trace.TraceIDFromHex("0af7651916cd43dd8448eb211c80319c")
	absentSpan, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	absent := trace.NewSpanContext(trace.SpanContextConfig{TraceID: absentTrace, SpanID: absentSpan,
		TraceFlags: trace.FlagsSampled, Remote: true})
	links := []trace.Link{
		{SpanContext: upstream[0], Attributes: []attribute.KeyValue{
			attribute.String("link.reason", "batch member"), semconv.MessagingMessageIDKey.String("msg-A-001"), attribute.Int("batch.index", 0)}},
		{SpanContext: upstream[1], Attributes: []attribute.KeyValue{
			attribute.String("link.reason", "batch member"), semconv.MessagingMessageIDKey.String("msg-B-002"), attribute.Int("batch.index", 1),
			attribute.Bool("redelivered", true), attribute.Float64("lag_s", 0.25), attribute.StringSlice("tags", []string{"retry", "日本語"})}},
		{SpanContext: absent, Attributes: []attribute.KeyValue{
			attribute.String("link.reason", "batch member from a trace that is not in this file"), attribute.Int("batch.index", 2)}},
	}
	{
		_, cons := backMsg.Start(overTheWire(pctx), "zoo.events process", trace.WithSpanKind(trace.SpanKindConsumer),
			trace.WithLinks(links...),
			trace.WithAttributes(msgAttrs("msg-C-003")...),
			trace.WithAttributes(semconv.MessagingOperationKey.String("process"), attribute.Int("messaging.batch.size", 4)))
		sleepMs(1.2)
		cons.End()
	}

	// More attributes and events than the limits allow: DroppedAttributes
	// and DroppedEvents become non-zero.
	_, s = zoo.Start(ctx, "over the limits")
	for i := 0; i < 70; i++ {
		s.SetAttributes(attribute.Int(fmt.Sprintf("attr.%02d", i), i))
	}
	for i := 0; i < 20; i++ {
		s.AddEvent(fmt.Sprintf("tick %d", i), trace.WithAttributes(attribute.Int("i", i)))
	}
	sleepMs(0.3)
	s.End()

	// One failing span; its error message and status description contain a
	// newline, a tab, quotes, non-ASCII and an escape sequence.
	_, s = zoo.Start(ctx, "failing step")
	sleepMs(0.3)
	zerr := &zooError{code: 7}
	s.RecordError(zerr, trace.WithAttributes(attribute.Int("retry.count", 3)))
	s.SetStatus(codes.Error, zerr.Error())
	s.End()

	sleepMs(0.2)
	root.SetAttributes(semconv.HTTPStatusCodeKey.Int(200))
	root.SetStatus(codes.Ok, "")
	root.End()
	w.close()
}
