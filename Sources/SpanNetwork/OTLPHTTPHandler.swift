import NIOCore
import NIOHTTP1
import SpanFormats
import SpanIngest

/// One connection's requests: collects each body (bounded), decodes it and answers as OTLP/HTTP
/// says. Runs on the connection's event loop and never waits there for anything but decoding.
final class OTLPHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// Taking a body to decode.
        case collecting(HTTPRequestHead, OTLPEncoding, gzip: Bool)
        /// Reading past a body that will not be decoded, to answer at its end.
        case discarding(HTTPRequestHead, OTLPResponse)
        /// Answered early (a body over the limit): the connection closes.
        case closing
    }

    private let receiver: OTLPReceiver
    private var state = State.idle
    private var body: ByteBuffer?
    private var discarded = 0

    init(receiver: OTLPReceiver) {
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            begin(head, context: context)
        case .body(var part):
            switch state {
            case .collecting:
                let size = (body?.readableBytes ?? 0) + part.readableBytes
                if size > receiver.configuration.maxBodyBytes {
                    tooLarge(context: context)
                } else if body == nil {
                    body = part
                } else {
                    body!.writeBuffer(&part)
                }
            case .discarding:
                discarded += part.readableBytes
            case .idle, .closing:
                break
            }
        case .end:
            switch state {
            case .collecting(let head, let encoding, let gzip):
                let bytes = body ?? ByteBuffer()
                body = nil
                state = .idle
                let receiver = self.receiver
                guard bytes.readableBytes >= receiver.configuration.decodeElsewhereFromBytes else {
                    let response = OTLPRequestDecoder.answer(body: bytes, encoding: encoding, gzip: gzip, receiver: receiver)
                    return respond(response, head: head, context: context)
                }
                // A big body: decoded on the pool, answered back on this event loop. NIO's
                // pipelining handler holds the connection's next request until then.
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                receiver.decodingPool.runIfActive(eventLoop: context.eventLoop) {
                    OTLPRequestDecoder.answer(body: bytes, encoding: encoding, gzip: gzip, receiver: receiver)
                }.whenComplete { result in
                    let (handler, context) = bound.value
                    let response = (try? result.get()) ?? .status(.serviceUnavailable, code: 14, message: "the receiver is stopping", encoding: encoding)
                    handler.respond(response, head: head, context: context)
                }
            case .discarding(let head, let response):
                receiver.countFailure(bytes: discarded, response)
                state = .idle
                respond(response, head: head, context: context)
            case .idle, .closing:
                break
            }
        }
    }

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        body = nil
        discarded = 0
        defer {
            // `Expect: 100-continue` (curl with big bodies): go on at once rather than let the
            // client wait a second; a body refused at its head is still read past, then answered.
            if case .closing = state {} else if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
        }
        let contentType = head.headers.first(name: "content-type") ?? ""
        let encoding = OTLPEncoding(contentType: contentType)
        let replyAs = encoding ?? .json
        func refuse(_ status: HTTPResponseStatus, _ code: Int, _ message: String) {
            state = .discarding(head, .status(status, code: code, message: message, encoding: replyAs))
        }
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
        guard path == "/v1/traces" else {
            return refuse(.notFound, RPCCode.notFound, "no such path: \(path) (spans go to POST /v1/traces)")
        }
        guard head.method == .POST else {
            return refuse(.methodNotAllowed, RPCCode.unimplemented, "method \(head.method.rawValue) not allowed: use POST")
        }
        if let token = receiver.configuration.token {
            let given = head.headers.first(name: "authorization") ?? ""
            guard constantTimeEqual(given, "Bearer \(token)") else {
                return refuse(.unauthorized, RPCCode.unauthenticated, "missing or wrong bearer token")
            }
        }
        guard let encoding else {
            return refuse(.unsupportedMediaType, RPCCode.invalidArgument,
                          "unsupported content type '\(contentType)': use application/x-protobuf or application/json")
        }
        let contentEncoding = (head.headers.first(name: "content-encoding") ?? "identity").lowercased()
        guard contentEncoding == "gzip" || contentEncoding == "identity" || contentEncoding.isEmpty else {
            return refuse(.unsupportedMediaType, RPCCode.invalidArgument,
                          "unsupported content encoding '\(contentEncoding)': use gzip or none")
        }
        if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > receiver.configuration.maxBodyBytes {
            state = .collecting(head, encoding, gzip: false)
            return tooLarge(context: context)
        }
        state = .collecting(head, encoding, gzip: contentEncoding == "gzip")
    }

    /// Over the size limit: answered at once, and the connection closed (the rest of the body
    /// is never read).
    private func tooLarge(context: ChannelHandlerContext) {
        guard case .collecting(let head, let encoding, _) = state else { return }
        body = nil
        state = .closing
        let response = OTLPResponse.status(.payloadTooLarge, code: RPCCode.resourceExhausted,
                                           message: "request body over the limit of \(receiver.configuration.maxBodyBytes) bytes",
                                           encoding: encoding)
        receiver.countFailure(bytes: 0, response)
        respond(response, head: head, context: context, close: true)
    }

    private func respond(_ response: OTLPResponse, head: HTTPRequestHead, context: ChannelHandlerContext, close: Bool = false) {
        let keepAlive = head.isKeepAlive && !close
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.encoding.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                bound.value.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Compares without stopping at the first difference (a token is a secret).
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var difference = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) {
        difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
    }
    return difference == 0
}
