package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.7.0"
	"go.opentelemetry.io/otel/trace"
)

var (
	svcGateway = service{name: "api-gateway", version: "1.22.0", namespace: "shop", env: "production",
		host: "api-gateway-5f7d8c9b-2xq8r"}
	svcEmail = service{name: "email-worker", version: "0.9.4", namespace: "shop", env: "production",
		host: "email-worker-7c6b5-kd8s1"}
)

const (
	interleavedTraces  = 150
	interleavedWorkers = 6
	interleavedSeed    = 20240501
)

type cardDeclinedError struct{ code string }

func (e *cardDeclinedError) Error() string { return "card declined: " + e.code }

type smtpError struct {
	code int
	msg  string
}

func (e *smtpError) Error() string { return fmt.Sprintf("smtp: %d %s", e.code, e.msg) }

var errConnReset = errors.New("read tcp 10.12.7.3:43122->10.12.9.8:5432: read: connection reset by peer")

// tracers of the interleaved sample, one provider per service.
type shop struct {
	gwHTTP, gwApp, gwCache     trace.Tracer
	ordHTTP, ordApp, ordSQL    trace.Tracer
	ordMsg                     trace.Tracer
	invHTTP, invSQL, invCache  trace.Tracer
	payHTTP, paySQL            trace.Tracer
	mailMsg, mailApp, mailSMTP trace.Tracer
	async                      sync.WaitGroup
}

// genInterleaved: 150 traces from 5 services produced by 6 concurrent
// workers, so spans of different traces interleave in the file. Every
// trace's structure comes from its own seeded RNG, so span, trace and error
// counts are identical on every run; only IDs, timestamps and the
// interleaving differ.
func genInterleaved(dir string) {
	w := newWorld(dir, "interleaved.jsonl", false)
	gw := w.provider(svcGateway)
	ord := w.provider(svcOrder)
	inv := w.provider(svcInventory)
	pay := w.provider(svcPaymentAPI)
	mail := w.provider(svcEmail)
	s := &shop{
		gwHTTP: tracer(gw, libHTTP, libHTTPVer), gwApp: tracer(gw, "github.com/acme/shop/api-gateway/auth", "1.22.0"),
		gwCache: tracer(gw, "github.com/acme/shop/internal/redisx", "2.1.0"),
		ordHTTP: tracer(ord, libHTTP, libHTTPVer), ordApp: tracer(ord, "github.com/acme/shop/order-service/orders", "2.8.1"),
		ordSQL: tracer(ord, libSQL, libSQLVer), ordMsg: tracer(ord, libMessaging, libMsgVer),
		invHTTP: tracer(inv, libHTTP, libHTTPVer), invSQL: tracer(inv, libSQL, libSQLVer),
		invCache: tracer(inv, "github.com/acme/shop/internal/redisx", "2.1.0"),
		payHTTP:  tracer(pay, libHTTP, libHTTPVer), paySQL: tracer(pay, libSQL, libSQLVer),
		mailMsg: tracer(mail, libMessaging, libMsgVer), mailApp: tracer(mail, "github.com/acme/shop/email-worker/templates", "0.9.4"),
		mailSMTP: tracer(mail, "github.com/acme/shop/internal/smtpx", "0.2.0"),
	}

	jobs := make(chan int)
	var wg sync.WaitGroup
	for k := 0; k < interleavedWorkers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r := rand.New(rand.NewSource(interleavedSeed + int64(i)))
				switch kind := r.Intn(100); {
				case kind < 48:
					s.checkout(i, r)
				case kind < 78:
					s.browse(i, r)
				case kind < 94:
					s.orderStatus(i, r)
				default:
					s.config(i, r)
				}
				sleepMs(between(r, 0, 4))
			}
		}()
	}
	for i := 0; i < interleavedTraces; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	s.async.Wait()
	w.close()
}

// between returns a duration in ms uniformly drawn from [lo, hi].
func between(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

func fail(span trace.Span, msg string, code int) {
	if code != 0 {
		span.SetAttributes(semconv.HTTPStatusCodeKey.Int(code))
	}
	span.SetStatus(codes.Error, msg)
}

func (s *shop) gatewayRoot(method, route, target string, i int, r *rand.Rand) (context.Context, trace.Span) {
	return s.gwHTTP.Start(context.Background(), method+" "+route, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(httpServerAttrs(method, route, target, "api.acme.test", 443)...),
		trace.WithAttributes(
			semconv.HTTPSchemeKey.String("https"),
			semconv.HTTPUserAgentKey.String([]string{"Mozilla/5.0 (X11; Linux x86_64)", "acme-ios/4.2.0", "acme-android/4.1.9", "curl/8.5.0"}[r.Intn(4)]),
			semconv.HTTPClientIPKey.String(fmt.Sprintf("198.51.100.%d", 1+i%250)),
		))
}

func (s *shop) authenticate(ctx context.Context, i int, r *rand.Rand) {
	actx, auth := s.gwApp.Start(ctx, "authenticate", trace.WithAttributes(attribute.String("auth.scheme", "bearer")))
	sleepMs(between(r, 0.05, 0.3))
	_, get := s.gwCache.Start(actx, "GET session", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(semconv.DBSystemRedis, semconv.DBOperationKey.String("GET"),
			semconv.DBStatementKey.String(fmt.Sprintf("GET session:%08x", 0x5eed0000+i)),
			semconv.NetPeerNameKey.String("redis-sessions.shop.svc"), semconv.NetPeerPortKey.Int(6379)))
	sleepMs(between(r, 0.1, 0.9))
	get.End()
	auth.SetAttributes(semconv.EnduserIDKey.String(fmt.Sprintf("customer-%d", 10000+i*37%9000)))
	auth.End()
}

// gatewayCall wraps the api-gateway CLIENT span around a downstream call.
// The callee returns the HTTP status code and an error description ("" for
// success).
func (s *shop) gatewayCall(ctx context.Context, method, url, peer string, port int,
	callee func(ctx context.Context) (int, string)) (int, string) {
	cctx, call := s.gwHTTP.Start(ctx, method+" "+peer, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(httpClientAttrs(method, url, peer, port)...))
	code, msg := callee(overTheWire(cctx))
	call.SetAttributes(semconv.HTTPStatusCodeKey.Int(code))
	if code >= 500 {
		call.SetStatus(codes.Error, msg)
	}
	call.End()
	return code, msg
}

func (s *shop) checkout(i int, r *rand.Rand) {
	items := 1 + r.Intn(4)
	failure := r.Intn(100) // <7 inventory DB timeout, <16 card declined, <22 SMTP failure
	orderID := fmt.Sprintf("ord_%06d", 500000+i)

	ctx, root := s.gatewayRoot("POST", "/api/checkout", "/api/checkout", i, r)
	s.authenticate(ctx, i, r)
	code, msg := s.gatewayCall(ctx, "POST", "http://order-service.shop.svc:8080/orders", "order-service.shop.svc", 8080,
		func(ctx context.Context) (int, string) { return s.createOrder(ctx, orderID, items, failure, r) })
	root.SetAttributes(semconv.HTTPStatusCodeKey.Int(code), attribute.String("order.id", orderID))
	if code >= 500 {
		root.SetStatus(codes.Error, msg)
	}
	sleepMs(between(r, 0.05, 0.2))
	root.End()
}

func (s *shop) createOrder(ctx context.Context, orderID string, items, failure int, r *rand.Rand) (int, string) {
	sctx, srv := s.ordHTTP.Start(ctx, "POST /orders", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(httpServerAttrs("POST", "/orders", "/orders", "order-service.shop.svc", 8080)...),
		trace.WithAttributes(attribute.String("order.id", orderID), attribute.Int("order.items", items)))
	defer srv.End()

	_, v := s.ordApp.Start(sctx, "validate cart", trace.WithAttributes(attribute.Int("cart.items", items)))
	sleepMs(between(r, 0.02, 0.4))
	v.End()

	_, ins := s.ordSQL.Start(sctx, "INSERT orders", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "orders", "INSERT", "orders",
			"INSERT INTO orders (id, customer_id, status) VALUES ($1, $2, 'pending')", "pg-orders.shop.svc", 5432)...))
	sleepMs(between(r, 0.5, 4))
	ins.End()

	// Reserve stock.
	cctx, call := s.ordHTTP.Start(sctx, "POST inventory-service/reserve", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(httpClientAttrs("POST", "http://inventory-service.shop.svc:8081/reserve", "inventory-service.shop.svc", 8081)...))
	code, msg := s.reserve(overTheWire(cctx), orderID, items, failure < 7, r)
	call.SetAttributes(semconv.HTTPStatusCodeKey.Int(code))
	if code >= 500 {
		call.SetStatus(codes.Error, msg)
		call.End()
		fail(srv, "inventory reservation failed: "+msg, 502)
		return 502, "upstream inventory-service: " + msg
	}
	call.End()

	// Charge.
	cctx, call = s.ordHTTP.Start(sctx, "POST payment-api/charge", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(httpClientAttrs("POST", "http://payment-api.payments.svc:8443/api/payments", "payment-api.payments.svc", 8443)...))
	code, msg = s.charge(overTheWire(cctx), orderID, failure >= 7 && failure < 16, r)
	call.SetAttributes(semconv.HTTPStatusCodeKey.Int(code))
	if code >= 400 {
		call.SetStatus(codes.Error, msg)
		call.End()
		_, upd := s.ordSQL.Start(sctx, "UPDATE orders", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "orders", "UPDATE", "orders",
				"UPDATE orders SET status = 'payment_failed' WHERE id = $1", "pg-orders.shop.svc", 5432)...))
		sleepMs(between(r, 0.3, 2))
		upd.End()
		srv.SetAttributes(semconv.HTTPStatusCodeKey.Int(402)) // a 4xx: the server span stays Unset
		return 402, msg
	}
	call.End()

	// Publish order.created; email-worker consumes it asynchronously.
	pctx, pub := s.ordMsg.Start(sctx, "order.created publish", trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(semconv.MessagingSystemKey.String("rabbitmq"), semconv.MessagingDestinationKey.String("order.created"),
			semconv.MessagingDestinationKindKey.String("topic"), semconv.MessagingMessageIDKey.String("m-"+orderID)))
	sleepMs(between(r, 0.1, 0.6))
	pub.End()
	msgCtx := overTheWire(pctx)
	lag := between(r, 1, 25)
	smtpFail := failure >= 16 && failure < 22
	render, send := between(r, 0.5, 6), between(r, 5, 60)
	s.async.Add(1)
	go func() {
		defer s.async.Done()
		sleepMs(lag)
		s.sendEmail(msgCtx, orderID, smtpFail, render, send)
	}()

	_, upd := s.ordSQL.Start(sctx, "UPDATE orders", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "orders", "UPDATE", "orders",
			"UPDATE orders SET status = 'confirmed' WHERE id = $1", "pg-orders.shop.svc", 5432)...))
	sleepMs(between(r, 0.3, 2))
	upd.End()
	srv.SetAttributes(semconv.HTTPStatusCodeKey.Int(201))
	return 201, ""
}

func (s *shop) reserve(ctx context.Context, orderID string, items int, dbTimeout bool, r *rand.Rand) (int, string) {
	sctx, srv := s.invHTTP.Start(ctx, "POST /reserve", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(httpServerAttrs("POST", "/reserve", "/reserve", "inventory-service.shop.svc", 8081)...),
		trace.WithAttributes(attribute.String("order.id", orderID)))
	defer srv.End()
	for k := 0; k < items; k++ {
		sku := fmt.Sprintf("SKU-%04d", 1000+r.Intn(9000))
		_, upd := s.invSQL.Start(sctx, "UPDATE stock", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(dbAttrs(semconv.DBSystemMySQL, "inventory", "UPDATE", "stock",
				"UPDATE stock SET reserved = reserved + ? WHERE sku = ?", "mysql-inventory.shop.svc", 3306)...),
			trace.WithAttributes(attribute.String("inventory.sku", sku)))
		if dbTimeout && k == items-1 {
			qctx, cancel := context.WithTimeout(sctx, 15*time.Millisecond)
			<-qctx.Done() // lock wait on a hot row
			err := qctx.Err()
			cancel()
			upd.RecordError(err, trace.WithStackTrace(true))
			upd.SetStatus(codes.Error, err.Error())
			upd.End()
			fail(srv, "reserve stock: "+err.Error(), 500)
			return 500, "reserve stock: " + err.Error()
		}
		sleepMs(between(r, 0.2, 5))
		upd.SetAttributes(attribute.Int("db.rows_affected", 1))
		upd.End()
	}
	srv.SetAttributes(semconv.HTTPStatusCodeKey.Int(200))
	return 200, ""
}

func (s *shop) charge(ctx context.Context, orderID string, declined bool, r *rand.Rand) (int, string) {
	sctx, srv := s.payHTTP.Start(ctx, "POST /api/payments", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(httpServerAttrs("POST", "/api/payments", "/api/payments", "payment-api.payments.svc", 8443)...),
		trace.WithAttributes(attribute.String("order.id", orderID), attribute.Float64("payment.amount", float64(500+r.Intn(30000))/100)))
	defer srv.End()

	_, sel := s.paySQL.Start(sctx, "SELECT accounts", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "payments", "SELECT", "accounts",
			"SELECT id, balance, status FROM accounts WHERE id = $1", "pg-primary.payments.svc", 5432)...))
	sleepMs(between(r, 0.3, 3))
	sel.End()

	_, psp := s.payHTTP.Start(sctx, "POST api.stripe.test", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(httpClientAttrs("POST", "https://api.stripe.test/v1/charges", "api.stripe.test", 443)...))
	sleepMs(between(r, 20, 100))
	if declined {
		err := &cardDeclinedError{code: []string{"insufficient_funds", "expired_card", "do_not_honor"}[r.Intn(3)]}
		psp.SetAttributes(semconv.HTTPStatusCodeKey.Int(402))
		psp.RecordError(err)
		psp.SetStatus(codes.Error, err.Error())
		psp.End()
		fail(srv, err.Error(), 402)
		return 402, err.Error()
	}
	psp.SetAttributes(semconv.HTTPStatusCodeKey.Int(200))
	psp.End()

	_, ins := s.paySQL.Start(sctx, "INSERT payments", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "payments", "INSERT", "payments",
			"INSERT INTO payments (id, order_id, amount, status) VALUES ($1, $2, $3, 'captured')", "pg-primary.payments.svc", 5432)...))
	sleepMs(between(r, 0.3, 3))
	ins.End()
	srv.SetAttributes(semconv.HTTPStatusCodeKey.Int(200))
	return 200, ""
}

func (s *shop) sendEmail(ctx context.Context, orderID string, smtpFail bool, renderMs, sendMs float64) {
	cctx, cons := s.mailMsg.Start(ctx, "order.created process", trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(semconv.MessagingSystemKey.String("rabbitmq"), semconv.MessagingDestinationKey.String("order.created"),
			semconv.MessagingDestinationKindKey.String("topic"), semconv.MessagingOperationKey.String("process"),
			semconv.MessagingMessageIDKey.String("m-"+orderID)))
	defer cons.End()
	_, tpl := s.mailApp.Start(cctx, "render template", trace.WithAttributes(attribute.String("template", "order-confirmation.html")))
	sleepMs(renderMs)
	tpl.End()
	_, send := s.mailSMTP.Start(cctx, "SMTP send", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(semconv.NetPeerNameKey.String("smtp.mailrelay.test"), semconv.NetPeerPortKey.Int(587),
			attribute.Int("email.recipients", 1)))
	sleepMs(sendMs)
	if smtpFail {
		err := &smtpError{code: 451, msg: "4.7.1 Greylisted, please try again later"}
		send.RecordError(err)
		send.SetStatus(codes.Error, err.Error())
		send.End()
		cons.AddEvent("message requeued", trace.WithAttributes(attribute.Int("delivery.attempt", 1)))
		cons.SetStatus(codes.Error, "send confirmation email: "+err.Error())
		return
	}
	send.End()
}

func (s *shop) browse(i int, r *rand.Rand) {
	page := 1 + r.Intn(20)
	failure := r.Intn(100) // <5 redis timeout (falls back to the database)
	miss := r.Intn(2) == 0 || failure < 5
	target := fmt.Sprintf("/api/products?page=%d", page)
	ctx, root := s.gatewayRoot("GET", "/api/products", target, i, r)
	code, _ := s.gatewayCall(ctx, "GET", "http://inventory-service.shop.svc:8081/products?page="+fmt.Sprint(page), "inventory-service.shop.svc", 8081,
		func(ctx context.Context) (int, string) {
			sctx, srv := s.invHTTP.Start(ctx, "GET /products", trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(httpServerAttrs("GET", "/products", fmt.Sprintf("/products?page=%d", page), "inventory-service.shop.svc", 8081)...))
			defer srv.End()
			key := fmt.Sprintf("products:page:%d", page)
			_, get := s.invCache.Start(sctx, "GET "+key, trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(semconv.DBSystemRedis, semconv.DBOperationKey.String("GET"), semconv.DBStatementKey.String("GET "+key),
					semconv.NetPeerNameKey.String("redis-cache.shop.svc"), semconv.NetPeerPortKey.Int(6379)))
			if failure < 5 {
				sleepMs(10)
				err := errors.New("redis: i/o timeout after 10ms")
				get.RecordError(err, trace.WithStackTrace(true))
				get.SetStatus(codes.Error, err.Error())
			} else {
				sleepMs(between(r, 0.05, 0.8))
				get.SetAttributes(attribute.Bool("cache.hit", !miss))
			}
			get.End()
			if miss {
				_, sel := s.invSQL.Start(sctx, "SELECT products", trace.WithSpanKind(trace.SpanKindClient),
					trace.WithAttributes(dbAttrs(semconv.DBSystemMySQL, "inventory", "SELECT", "products",
						"SELECT sku, name, price, available FROM products ORDER BY sku LIMIT 50 OFFSET ?", "mysql-inventory.shop.svc", 3306)...))
				sleepMs(between(r, 1, 12))
				sel.SetAttributes(attribute.Int("db.rows_returned", 50))
				sel.End()
				_, set := s.invCache.Start(sctx, "SET "+key, trace.WithSpanKind(trace.SpanKindClient),
					trace.WithAttributes(semconv.DBSystemRedis, semconv.DBOperationKey.String("SET"), semconv.DBStatementKey.String("SET "+key+" ? EX 300"),
						semconv.NetPeerNameKey.String("redis-cache.shop.svc"), semconv.NetPeerPortKey.Int(6379)))
				sleepMs(between(r, 0.05, 0.6))
				set.End()
			}
			srv.SetAttributes(semconv.HTTPStatusCodeKey.Int(200))
			return 200, ""
		})
	root.SetAttributes(semconv.HTTPStatusCodeKey.Int(code))
	root.End()
}

func (s *shop) orderStatus(i int, r *rand.Rand) {
	failure := r.Intn(100) // <6 DB connection reset, <16 order not found (404, not an error)
	orderID := fmt.Sprintf("ord_%06d", 400000+r.Intn(100000))
	ctx, root := s.gatewayRoot("GET", "/api/orders/{id}", "/api/orders/"+orderID, i, r)
	s.authenticate(ctx, i, r)
	code, msg := s.gatewayCall(ctx, "GET", "http://order-service.shop.svc:8080/orders/"+orderID, "order-service.shop.svc", 8080,
		func(ctx context.Context) (int, string) {
			sctx, srv := s.ordHTTP.Start(ctx, "GET /orders/{id}", trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(httpServerAttrs("GET", "/orders/{id}", "/orders/"+orderID, "order-service.shop.svc", 8080)...),
				trace.WithAttributes(attribute.String("order.id", orderID)))
			defer srv.End()
			_, sel := s.ordSQL.Start(sctx, "SELECT orders", trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "orders", "SELECT", "orders",
					"SELECT id, status, total FROM orders WHERE id = $1", "pg-orders.shop.svc", 5432)...))
			sleepMs(between(r, 0.3, 4))
			if failure < 6 {
				sel.RecordError(errConnReset)
				sel.SetStatus(codes.Error, errConnReset.Error())
				sel.End()
				fail(srv, "load order: "+errConnReset.Error(), 500)
				return 500, "load order: " + errConnReset.Error()
			}
			if failure < 16 {
				sel.SetAttributes(attribute.Int("db.rows_returned", 0))
				sel.End()
				srv.SetAttributes(semconv.HTTPStatusCodeKey.Int(404))
				return 404, "order not found"
			}
			sel.SetAttributes(attribute.Int("db.rows_returned", 1))
			sel.End()
			_, items := s.ordSQL.Start(sctx, "SELECT order_items", trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "orders", "SELECT", "order_items",
					"SELECT sku, quantity, price FROM order_items WHERE order_id = $1", "pg-orders.shop.svc", 5432)...))
			sleepMs(between(r, 0.3, 3))
			items.SetAttributes(attribute.Int("db.rows_returned", 1+r.Intn(4)))
			items.End()
			srv.SetAttributes(semconv.HTTPStatusCodeKey.Int(200))
			return 200, ""
		})
	root.SetAttributes(semconv.HTTPStatusCodeKey.Int(code))
	if code >= 500 {
		root.SetStatus(codes.Error, msg)
	}
	root.End()
}

// config is answered by the gateway alone: a shallow, two-level trace.
func (s *shop) config(i int, r *rand.Rand) {
	ctx, root := s.gatewayRoot("GET", "/api/config", "/api/config", i, r)
	_, load := s.gwApp.Start(ctx, "load feature flags", trace.WithAttributes(
		attribute.Int("flags.count", 37), attribute.Bool("flags.from_cache", r.Intn(4) != 0)))
	sleepMs(between(r, 0.02, 0.3))
	load.End()
	root.SetAttributes(semconv.HTTPStatusCodeKey.Int(200))
	root.End()
}
