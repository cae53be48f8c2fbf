package main

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.7.0"
	"go.opentelemetry.io/otel/trace"
)

var (
	svcPaymentAPI = service{name: "payment-api", version: "3.12.0", namespace: "shop", env: "production",
		host:  "payment-api-7d9f8b6c4-x2kqp",
		extra: []attribute.KeyValue{attribute.String("k8s.namespace.name", "payments"), attribute.String("k8s.pod.name", "payment-api-7d9f8b6c4-x2kqp")}}
	svcFraudChecker = service{name: "fraud-checker", version: "1.4.7", namespace: "shop", env: "production",
		host:  "fraud-checker-5c8d9-qq7wz",
		extra: []attribute.KeyValue{attribute.String("k8s.namespace.name", "risk")}}
)

// genPaymentTimeout: one trace, 7 spans, two services. The fraud-checker
// call fails twice to connect (two "retry" events), then the third attempt
// reaches fraud-checker, which is slow; the client's 60 ms deadline expires
// (a real context.DeadlineExceeded, recorded with a stack trace) while the
// fraud-checker SERVER span keeps running and ends last, after the root.
func genPaymentTimeout(dir string) {
	w := newWorld(dir, "payment-timeout.json", true)
	apiTP := w.provider(svcPaymentAPI)
	fraudTP := w.provider(svcFraudChecker)
	apiHTTP := tracer(apiTP, libHTTP, libHTTPVer)
	apiApp := tracer(apiTP, "github.com/acme/shop/payment-api/payments", "3.12.0")
	apiSQL := tracer(apiTP, libSQL, libSQLVer)
	fraudHTTP := tracer(fraudTP, libHTTP, libHTTPVer)
	fraudApp := tracer(fraudTP, "github.com/acme/risk/fraud-checker/scoring", "1.4.7")

	var wg sync.WaitGroup

	ctx, root := apiHTTP.Start(context.Background(), "POST /api/payments",
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(httpServerAttrs("POST", "/api/payments", "/api/payments", "payments.acme.test", 8443)...),
		trace.WithAttributes(
			semconv.HTTPUserAgentKey.String("acme-checkout/2.3.1 (+https://acme.test)"),
			semconv.HTTPClientIPKey.String("203.0.113.42"),
			semconv.HTTPRequestContentLengthKey.Int(412),
			semconv.EnduserIDKey.String("customer-88213"),
			attribute.String("payment.id", "pay_01HZX3K9Q4R7"),
		))
	sleepMs(0.8)

	// Validate the request body.
	_, v := apiApp.Start(ctx, "validate payment request", trace.WithAttributes(
		attribute.Float64("payment.amount", 129.99),
		attribute.String("payment.currency", "EUR"),
		attribute.String("payment.method", "card"),
	))
	sleepMs(1.2)
	v.End()

	// Load the account.
	_, db := apiSQL.Start(ctx, "SELECT accounts", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "payments", "SELECT", "accounts",
			"SELECT id, balance, status FROM accounts WHERE id = $1 FOR UPDATE", "pg-primary.payments.svc", 5432)...),
		trace.WithAttributes(semconv.DBUserKey.String("payment_api")))
	sleepMs(4.5)
	db.SetAttributes(attribute.Int("db.rows_affected", 1))
	db.End()

	// Call the fraud checker with a 60 ms budget and up to 3 attempts.
	cctx, call := apiHTTP.Start(ctx, "POST fraud-check", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(httpClientAttrs("POST", "http://fraud-checker.risk.svc:9090/v1/check", "fraud-checker.risk.svc", 9090)...),
		trace.WithAttributes(attribute.Int("http.request_content_length", 238)))
	deadline, cancel := context.WithTimeout(cctx, 60*time.Millisecond)
	var callErr error
	backoff := 4.0
	for attempt := 0; attempt < 3; attempt++ {
		if attempt < 2 {
			// The first two attempts fail to connect: the pod is being
			// rescheduled.
			sleepMs(2.5)
			call.AddEvent("retry", trace.WithAttributes(
				attribute.Int("attempt", attempt+1),
				attribute.String("error", "dial tcp 10.12.4.22:9090: connect: connection refused"),
				attribute.Float64("backoff_ms", backoff),
			))
			sleepMs(backoff)
			backoff *= 2
			continue
		}
		done := make(chan struct{})
		sctx := overTheWire(cctx)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fraudServer(sctx, fraudHTTP, fraudApp, done)
		}()
		select {
		case <-done:
		case <-deadline.Done():
			callErr = deadline.Err()
		}
	}
	cancel()
	call.RecordError(callErr, trace.WithStackTrace(true))
	call.SetStatus(codes.Error, callErr.Error())
	call.End()

	// Mark the payment as failed.
	_, upd := apiSQL.Start(ctx, "UPDATE payments", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "payments", "UPDATE", "payments",
			"UPDATE payments SET status = 'failed', failure_reason = $2 WHERE id = $1", "pg-primary.payments.svc", 5432)...),
		trace.WithAttributes(semconv.DBUserKey.String("payment_api")))
	sleepMs(2.2)
	upd.SetAttributes(attribute.Int("db.rows_affected", 1))
	upd.End()

	root.SetAttributes(semconv.HTTPStatusCodeKey.Int(504), semconv.HTTPResponseContentLengthKey.Int(96))
	root.SetStatus(codes.Error, "fraud check failed: "+callErr.Error())
	root.End()

	wg.Wait()
	w.close()
}

func fraudServer(ctx context.Context, httpT, appT trace.Tracer, done chan struct{}) {
	sctx, srv := httpT.Start(ctx, "POST /v1/check", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(httpServerAttrs("POST", "/v1/check", "/v1/check", "fraud-checker.risk.svc", 9090)...),
		trace.WithAttributes(semconv.HTTPUserAgentKey.String("Go-http-client/1.1"), semconv.NetPeerIPKey.String("10.12.3.17")))
	sleepMs(3)
	_, score := appT.Start(sctx, "score transaction", trace.WithAttributes(
		attribute.String("model.name", "gbdt-fraud"),
		attribute.String("model.version", "2024-04-18"),
		attribute.Int("features.count", 212),
	))
	sleepMs(140) // cold model cache: far beyond the caller's budget
	score.SetAttributes(attribute.Float64("fraud.score", 0.0731), attribute.Bool("fraud.flagged", false))
	score.End()
	close(done)
	srv.AddEvent("response write failed", trace.WithAttributes(
		attribute.String("error", "write tcp 10.12.4.22:9090->10.12.3.17:51544: write: broken pipe")))
	srv.SetAttributes(semconv.HTTPStatusCodeKey.Int(200))
	srv.End()
}
