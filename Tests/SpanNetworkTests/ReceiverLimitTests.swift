#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SpanFormats
import SpanIngest
import SpanModel
@testable import SpanNetwork
import Testing

/// Clients that try to hold the receiver's connections, or to make it read without end.
@Suite("OTLP/HTTP receiver: slow, silent, huge and many clients")
struct ReceiverLimitTests {
    static let head = Array("POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: 10\r\n\r\n".utf8)

    @Test("slowloris: heads sent a byte at a time are closed headTimeout after their first byte; a good client is served meanwhile and a new one gets in after")
    func slowloris() throws {
        let harness = try ReceiverHarness { $0.maxConnections = 5; $0.headTimeout = .seconds(1); $0.idleTimeout = .seconds(30) }
        let good = try RawHTTP(port: harness.port)
        good.request(body: Requests.protobuf(Requests.spans(2, trace: 1)))
        #expect(good.response()?.status == 200)
        let slow = try (0..<4).map { _ in try RawHTTP(port: harness.port) }
        #expect(eventually { harness.receiver.openConnections == 5 })
        // Every slot held: one more is closed at once.
        let refused = try RawHTTP(port: harness.port)
        #expect(refused.closes(within: 2))

        let started = Date()
        var closedAfter: [Double?] = Array(repeating: nil, count: slow.count)
        var sent = 0, goodRequests = 1
        while closedAfter.contains(nil) && Date().timeIntervalSince(started) < 10 {
            for (i, client) in slow.enumerated() where closedAfter[i] == nil {
                _ = client.sendSome([Self.head[sent % Self.head.count]])
                if client.closes(within: 0) { closedAfter[i] = Date().timeIntervalSince(started) }
            }
            sent += 1
            // The good client, on its kept-alive connection, is answered all the while.
            good.request(body: Requests.protobuf(Requests.spans(2, trace: UInt64(goodRequests + 1))))
            #expect(good.response()?.status == 200)
            goodRequests += 1
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(sent < Self.head.count, "the heads should not have been completed")
        for after in closedAfter {
            let after = try #require(after, "a slowloris connection was never closed")
            #expect(after > 0.7 && after < 3, "closed after \(after) s")
        }
        #expect(harness.receiver.currentCounts.timedOutConnections == 4)
        #expect(eventually { harness.receiver.openConnections == 1 })

        let late = try RawHTTP(port: harness.port)
        late.request(body: Requests.protobuf(Requests.spans(3, trace: 99)))
        #expect(late.response()?.status == 200)
        #expect(harness.waitForSpans(goodRequests * 2 + 3).count == goodRequests * 2 + 3)
    }

    @Test("idle: a silent connection and a kept-alive one are closed after idleTimeout; a stalled body gets 408 after bodyTimeout; a slow body that keeps coming is taken")
    func idleAndStalled() throws {
        let harness = try ReceiverHarness { $0.idleTimeout = .seconds(1); $0.bodyTimeout = .seconds(1); $0.headTimeout = .seconds(5) }
        let started = Date()
        let silent = try RawHTTP(port: harness.port)
        let keptAlive = try RawHTTP(port: harness.port)
        keptAlive.request(body: Requests.protobuf(Requests.spans(1, trace: 1)))
        #expect(keptAlive.response()?.status == 200)
        let stalled = try RawHTTP(port: harness.port)
        stalled.send(Array("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1000\r\n\r\n".utf8)
                     + [UInt8](repeating: 0, count: 100))

        // A body in pieces 0.4 s apart, 2 s in all: each gap is under the timeout.
        let trickle = try RawHTTP(port: harness.port)
        let body = Requests.protobuf(Requests.spans(5, trace: 2))
        trickle.send("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: \(body.count)\r\n\r\n")
        let pieces = 5
        for i in 0..<pieces {
            Thread.sleep(forTimeInterval: 0.4)
            trickle.send(Array(body[(body.count * i / pieces)..<(body.count * (i + 1) / pieces)]))
        }
        #expect(trickle.response()?.status == 200)

        #expect(silent.closes(within: 5))
        #expect(keptAlive.closes(within: 5))
        #expect(stalled.closes(within: 5))
        #expect(Date().timeIntervalSince(started) > 0.9)
        #expect(stalled.response()?.status == 408)
        #expect(trickle.closes(within: 5))   // idle after its answer
        #expect(harness.receiver.currentCounts.timedOutConnections == 4)
        #expect(harness.waitForSpans(6).count == 6)
    }

    @Test("1,000 connections at once: those over maxConnections are closed at once, the receiver goes on delivering, and a new client gets in once they go")
    func thousandConnections() throws {
        // Each connection costs this process two descriptors (the server is in it too).
        let wanted = 1000
        let limit = raiseOpenFileLimit(to: 2 * wanted + 200)
        let flood = limit >= 2 * wanted + 200 ? wanted : 300
        if flood < wanted { print("open-file limit \(limit): 300 connections, not 1,000") }
        let maxConnections = 100
        let harness = try ReceiverHarness { $0.maxConnections = maxConnections }
        let good = try RawHTTP(port: harness.port)
        good.request(body: Requests.protobuf(Requests.spans(2, trace: 1)))
        #expect(good.response()?.status == 200)

        var clients: [RawHTTP] = []
        var failedToConnect = 0
        for _ in 0..<flood {
            if let client = try? RawHTTP(port: harness.port) { clients.append(client) } else { failedToConnect += 1 }
        }
        #expect(failedToConnect == 0)
        let refused = clients.count - (maxConnections - 1)
        #expect(eventually { harness.receiver.currentCounts.refusedConnections == refused },
                "refused \(harness.receiver.currentCounts.refusedConnections) of \(refused)")
        #expect(harness.receiver.openConnections == maxConnections)
        // The refused ones see their close at once; the others are held.
        Thread.sleep(forTimeInterval: 0.2)
        let closed = clients.filter { $0.closes(within: 0) }.count
        #expect(closed == refused)

        // While they are all open, the good client is served and its spans are delivered.
        good.request(body: Requests.protobuf(Requests.spans(3, trace: 2)))
        #expect(good.response()?.status == 200)
        #expect(harness.waitForSpans(5).count == 5)

        clients.removeAll()
        #expect(eventually { harness.receiver.openConnections == 1 })
        let late = try RawHTTP(port: harness.port)
        late.request(body: Requests.protobuf(Requests.spans(4, trace: 3)))
        #expect(late.response()?.status == 200)
        #expect(harness.waitForSpans(9).count == 9)
    }

    @Test("a 100 KB header: 431 Request Header Fields Too Large, and the connection closed; too many fields too")
    func headerTooLarge() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port)
        client.request(headers: ["X-Padding": String(repeating: "p", count: 100_000)], body: Requests.protobuf(Requests.spans(1)))
        #expect(client.response()?.status == 431)
        #expect(client.closes(within: 5))

        let many = try RawHTTP(port: harness.port)
        let fields = Dictionary(uniqueKeysWithValues: (0..<150).map { ("X-Field-\($0)", "v") })
        many.request(headers: fields, body: Requests.protobuf(Requests.spans(1)))
        #expect(many.response()?.status == 431)
        #expect(many.closes(within: 5))

        // Under the limits: taken.
        let fine = try RawHTTP(port: harness.port)
        fine.request(headers: ["X-Padding": String(repeating: "p", count: 10_000)], body: Requests.protobuf(Requests.spans(1)))
        #expect(fine.response()?.status == 200)
        #expect(harness.receiver.currentCounts.failedRequests == 2)
    }

    @Test("a garbled request line: 400, and the connection closed")
    func garbledHead() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port)
        client.send("NOT HTTP AT ALL\r\n\r\n")
        #expect(client.response()?.status == 400)
        #expect(client.closes(within: 5))
    }

    @Test("Content-Length: 1 GiB with only the head sent: 413 within a second, the connection closed")
    func gigabyteLength() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port, receiveTimeout: 1)
        let started = Date()
        client.send("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1073741824\r\n\r\n")
        let response = try #require(client.response())
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(response.status == 413)
        #expect(client.closes(within: 5))
    }

    @Test("a chunked body streamed without end: 413 once past maxBodyBytes, closed; the client gets no further than the limit and the socket buffers")
    func endlessChunkedBody() throws {
        let limit = 1 << 20
        let harness = try ReceiverHarness { $0.maxBodyBytes = limit }
        let client = try RawHTTP(port: harness.port)
        client.send("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunkSize = 64 << 10
        let chunk = Array((String(chunkSize, radix: 16) + "\r\n").utf8) + [UInt8](repeating: 0x41, count: chunkSize) + Array("\r\n".utf8)
        var sent = 0
        var pending = chunk[...]
        let started = Date()
        var closed = false
        // Up to 1 GiB, as fast as the receiver takes it, until it closes.
        while sent < 1 << 30 && Date().timeIntervalSince(started) < 30 {
            guard let n = client.sendSome(Array(pending)) else { closed = true; break }
            if n == 0 {
                if client.closes(within: 0.05) { closed = true; break }
                continue
            }
            sent += n
            pending = pending.dropFirst(n)
            if pending.isEmpty { pending = chunk[...] }
        }
        if !closed { closed = client.closes(within: 5) }
        #expect(closed)
        print("chunked body: the client sent \(sent) bytes before the close (limit \(limit))")
        #expect(sent > limit)
        #expect(sent < limit + (32 << 20), "sent \(sent) bytes")
        #expect(client.response()?.status == 413)
    }
}
