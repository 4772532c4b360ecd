import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Applies `RequestPrecheck` on the connection, on the event loop, between the HTTP decoder
/// and the application: a refused request never reaches a handler, no task is started for
/// it and its body is never buffered.
///
/// The answer carries `Connection: close`. A short rest of the body (up to `drainLimit`) is
/// read and dropped so the client reads the answer cleanly. For a longer one the agent sends
/// the answer, shuts its side (the client sees the answer, then the end), stops reading and
/// closes `linger` later (Go's server waits for the same reason: a close with unread bytes
/// is a reset, which could overtake the answer). Nothing dropped is kept, and a flood's
/// bodies are not even read.
final class WebhookGate: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let drainLimit = 256 << 10
    static let lingerLimit = 1 << 20
    static let linger: TimeAmount = .milliseconds(100)

    private let precheck: RequestPrecheck
    private let onRefusal: @Sendable (RequestPrecheck.Refusal) -> Void
    /// Requests passed on whose answers have not ended: a refusal must not overtake them.
    private var answering = 0
    /// After a refusal: how much of its body has been dropped (nil while nothing is refused).
    private var dropped: Int?
    /// After a refusal: its answer is flushed; its body has ended.
    private var answered = false
    private var ended = false
    private var lingering = false

    init(precheck: RequestPrecheck, onRefusal: @escaping @Sendable (RequestPrecheck.Refusal) -> Void) {
        self.precheck = precheck
        self.onRefusal = onRefusal
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if let dropped {
            switch part {
            case .head: break
            case .body(let buffer):
                let total = dropped + buffer.readableBytes
                self.dropped = total
                if total > Self.lingerLimit {
                    context.close(promise: nil)
                } else if total > Self.drainLimit {
                    closeAfterLinger(context)
                }
            case .end:
                ended = true
                if answered { context.close(promise: nil) }
            }
            return
        }
        if case .head(let head) = part {
            if answering == 0, let refusal = precheck.refusal(head) {
                refuse(context, refusal, head)
                return
            }
            answering += 1
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { answering = max(0, answering - 1) }
        context.write(data, promise: promise)
    }

    private func refuse(_ context: ChannelHandlerContext, _ refusal: RequestPrecheck.Refusal, _ head: HTTPRequest) {
        onRefusal(refusal)
        dropped = 0
        let body = ByteBuffer(string: refusal.message)
        let fields: HTTPFields = [
            .contentType: "text/plain; charset=utf-8", .contentLength: String(body.readableBytes), .connection: "close",
        ]
        context.write(wrapOutboundOut(.head(HTTPResponse(status: refusal.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let flushed = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: flushed)
        let length = head.headerFields[.contentLength].flatMap { Int($0) }
        if length ?? 0 > Self.drainLimit || (length == nil && head.headerFields[.transferEncoding] != nil) {
            // Too much to read for nothing: answer, shut our side, linger, close.
            closeAfterLinger(context)
            return
        }
        // The rest of a small body is dropped as it arrives; whichever of the flush and the
        // body's end comes last closes.
        flushed.futureResult.assumeIsolated().whenComplete { _ in
            self.answered = true
            if self.ended { context.close(promise: nil) }
        }
    }

    private func closeAfterLinger(_ context: ChannelHandlerContext) {
        guard !lingering else { return }
        lingering = true
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        context.close(mode: .output, promise: nil)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.linger) { channel.close(promise: nil) }
    }
}
