package main

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.7.0"
	"go.opentelemetry.io/otel/trace"
)

var (
	svcOrder = service{name: "order-service", version: "2.8.1", namespace: "shop", env: "production",
		host: "order-service-6b7c9d-4hx2m"}
	svcInventory = service{name: "inventory-service", version: "5.0.3", namespace: "shop", env: "production",
		host: "inventory-service-84f6c-mp9tt"}
)

// genOrderInventory: 3 traces of 5 spans, all successful.
func genOrderInventory(dir string) {
	w := newWorld(dir, "order-inventory.jsonl", false)
	orderTP := w.provider(svcOrder)
	invTP := w.provider(svcInventory)
	oHTTP := tracer(orderTP, libHTTP, libHTTPVer)
	oSQL := tracer(orderTP, libSQL, libSQLVer)
	iHTTP := tracer(invTP, libHTTP, libHTTPVer)
	iSQL := tracer(invTP, libSQL, libSQLVer)

	skus := []string{"SKU-1001", "SKU-2040", "SKU-3377"}
	for i := 0; i < 3; i++ {
		orderID := fmt.Sprintf("ord_%06d", 41870+i)
		qty := i + 1
		ctx, root := oHTTP.Start(context.Background(), "POST /orders", trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(httpServerAttrs("POST", "/orders", "/orders", "order-service.shop.svc", 8080)...),
			trace.WithAttributes(semconv.HTTPUserAgentKey.String("acme-web/5.1"), semconv.HTTPRequestContentLengthKey.Int(180+20*i)))
		sleepMs(0.6)

		_, ins := oSQL.Start(ctx, "INSERT orders", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(dbAttrs(semconv.DBSystemPostgreSQL, "orders", "INSERT", "orders",
				"INSERT INTO orders (id, customer_id, status) VALUES ($1, $2, 'pending')", "pg-orders.shop.svc", 5432)...))
		sleepMs(2.0 + float64(i)*0.7)
		ins.End()

		cctx, call := oHTTP.Start(ctx, "POST inventory-service/reserve", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(httpClientAttrs("POST", "http://inventory-service.shop.svc:8081/reserve", "inventory-service.shop.svc", 8081)...))
		sleepMs(0.4)
		{
			sctx, srv := iHTTP.Start(overTheWire(cctx), "POST /reserve", trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(httpServerAttrs("POST", "/reserve", "/reserve", "inventory-service.shop.svc", 8081)...),
				trace.WithAttributes(attribute.String("order.id", orderID), attribute.String("inventory.sku", skus[i]), attribute.Int("inventory.quantity", qty)))
			sleepMs(0.5)
			_, upd := iSQL.Start(sctx, "UPDATE stock", trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(dbAttrs(semconv.DBSystemMySQL, "inventory", "UPDATE", "stock",
					"UPDATE stock SET reserved = reserved + ? WHERE sku = ? AND available - reserved >= ?", "mysql-inventory.shop.svc", 3306)...))
			sleepMs(3.0 + float64(i))
			upd.SetAttributes(attribute.Int("db.rows_affected", 1))
			upd.End()
			sleepMs(0.3)
			srv.SetAttributes(semconv.HTTPStatusCodeKey.Int(200))
			srv.End()
		}
		sleepMs(0.4)
		call.SetAttributes(semconv.HTTPStatusCodeKey.Int(200))
		call.End()

		sleepMs(0.5)
		root.SetAttributes(semconv.HTTPStatusCodeKey.Int(201), attribute.String("order.id", orderID))
		root.SetStatus(codes.Ok, "")
		root.End()
		sleepMs(2)
	}
	w.close()
}
