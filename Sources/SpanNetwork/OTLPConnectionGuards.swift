import NIOCore
import NIOHTTP1

/// Said by `ByteArrivalNotifier` before each read's bytes go to the HTTP decoder.
struct BytesArrived {}

/// First in a connection's pipeline: tells the handlers behind the HTTP decoder that bytes came
/// in, before the decoder has made anything of them (the first byte of a request head, which
/// starts the head's clock, is seen nowhere else).
final class ByteArrivalNotifier: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireUserInboundEventTriggered(BytesArrived())
        context.fireChannelRead(data)
    }
}

/// Closes a connection that holds one of the receiver's slots without making progress, so that
/// slow or silent clients (slowloris) cannot fill `maxConnections`:
/// - between requests (and after connecting) it may stay silent for `idleTimeout`;
/// - a request head must be complete `headTimeout` after its first byte;
/// - while a body arrives, no gap between its reads may be longer than `bodyTimeout` (the
///   request is answered 408 before the close).
///
/// Between a request's end and its answer there is no clock: that is the receiver's own work.
/// One timer per connection, moved rather than rescheduled on every read: when it fires early
/// (the deadline moved on since) it is set again for the new deadline.
final class ConnectionDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    enum Phase: Equatable {
        /// Connected or answered; nothing of the next request yet.
        case waiting
        /// Part of a request head.
        case head
        /// The body of the request with this head.
        case body(HTTPRequestHead)
        /// The request is whole; the receiver is answering it.
        case answering
    }

    private let receiver: OTLPReceiver
    private let headTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private(set) var phase = Phase.waiting
    /// When the current phase runs out (unused while answering).
    private var deadline = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var timerAt = NIODeadline.distantFuture
    /// Bytes of a next request came while answering (a pipelined or early head).
    private var bytesWhileAnswering = false

    init(receiver: OTLPReceiver) {
        self.receiver = receiver
        let configuration = receiver.configuration
        headTimeout = TimeAmount(configuration.headTimeout)
        bodyTimeout = TimeAmount(configuration.bodyTimeout)
        idleTimeout = TimeAmount(configuration.idleTimeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        enter(.waiting, for: idleTimeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is BytesArrived else { return context.fireUserInboundEventTriggered(event) }
        switch phase {
        case .waiting: enter(.head, for: headTimeout, context: context)
        case .body: deadline = .now() + bodyTimeout
        case .answering: bytesWhileAnswering = true
        case .head: break
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            bytesWhileAnswering = false
            enter(.body(head), for: bodyTimeout, context: context)
        case .body:
            if case .body = phase { deadline = .now() + bodyTimeout }
        case .end:
            if case .body = phase { phase = .answering }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            switch phase {
            case .answering, .waiting:
                // Answered: the next request's head, if it began meanwhile, is on its clock now.
                if bytesWhileAnswering {
                    bytesWhileAnswering = false
                    enter(.head, for: headTimeout, context: context)
                } else {
                    enter(.waiting, for: idleTimeout, context: context)
                }
            case .head, .body:
                break   // an early answer (the connection closes) or the decoder's error answer
            }
        }
        context.write(data, promise: promise)
    }

    private func enter(_ phase: Phase, for timeout: TimeAmount, context: ChannelHandlerContext) {
        self.phase = phase
        deadline = .now() + timeout
        if deadline < timerAt {
            cancelTimer()
            schedule(at: deadline, context: context)
        }
    }

    private func schedule(at when: NIODeadline, context: ChannelHandlerContext) {
        timerAt = when
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: when) {
            let (handler, context) = bound.value
            handler.timerFired(context: context)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerAt = .distantFuture
    }

    private func timerFired(context: ChannelHandlerContext) {
        timer = nil
        timerAt = .distantFuture
        guard context.channel.isActive else { return }
        switch phase {
        case .answering:
            return   // no clock until the answer is written
        case .waiting, .head, .body:
            if NIODeadline.now() < deadline { return schedule(at: deadline, context: context) }
        }
        receiver.countTimeout()
        if case .body(let head) = phase {
            // The request is known: say why it ends.
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: "0")
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .requestTimeout, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [context = NIOLoopBound(context, eventLoop: context.eventLoop)] _ in
                context.value.close(promise: nil)
            }
        } else {
            context.close(promise: nil)
        }
    }
}

/// Answers what NIO's HTTP decoder could not parse, then lets the connection close: 431 Request
/// Header Fields Too Large for a head over `maxHeaderBytes` or `maxHeaderFields` (NIO's
/// `HTTPParserError.headerOverflow`), 400 for anything else. NIO's own
/// `HTTPServerProtocolErrorHandler` answers 400 to both.
final class OTLPProtocolErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let receiver: OTLPReceiver
    private var hasUnterminatedResponse = false

    init(receiver: OTLPReceiver) {
        self.receiver = receiver
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else { return context.fireErrorCaught(error) }
        // An answer only if none has begun; the decoder cannot go on, so the handler behind
        // closes the connection on the error passed on below, after this is flushed.
        if !hasUnterminatedResponse {
            let status: HTTPResponseStatus = parserError == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
            let reason = switch parserError {
            case .headerOverflow: "request head over the limits"
            case .invalidEOFState: "the connection ended inside a request"
            default: "not an HTTP/1.1 request (\(parserError))"
            }
            receiver.countFailure(bytes: 0, status: status, reason: reason)
            let headers = HTTPHeaders([("Connection", "close"), ("Content-Length", "0")])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code < 200: break   // 100 Continue: more to come
        case .head: hasUnterminatedResponse = true
        case .body: break
        case .end: hasUnterminatedResponse = false
        }
        context.write(data, promise: promise)
    }
}

extension TimeAmount {
    /// A `Duration` as NIO's time amount (whole nanoseconds).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
