import Foundation

/// A bounded flood of identical HTTP requests at 127.0.0.1, from one thread with
/// non-blocking sockets and poll(2): `total` connections, `concurrency` open at once, each
/// sending `head` and then `bodyLength` bytes, reading until the server answers or closes.
/// A connection the server closes or resets before answering counts as `cut`.
public enum HTTPFlood {
    public struct Report: Sendable, CustomStringConvertible {
        /// Answers by status code.
        public var statuses: [Int: Int] = [:]
        public var cut = 0
        public var connectFailures = 0
        public var elapsed: Duration = .zero
        public var description: String {
            "statuses \(statuses.sorted { $0.key < $1.key }), cut \(cut), connect failures \(connectFailures), \(elapsed)"
        }
    }

    private struct Slot {
        var descriptor: Int32
        var sent = 0
        var sending = true
        var received: [UInt8] = []
    }

    public static func run(port: Int, total: Int, concurrency: Int, head: String, bodyLength: Int, deadline: Duration = .seconds(60)) -> Report {
        let headBytes = Array(head.utf8)
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
        let length = headBytes.count + bodyLength
        var report = Report()
        var slots: [Slot] = []
        var started = 0
        let start = ContinuousClock.now
        var buffer = [UInt8](repeating: 0, count: 16 << 10)

        func finish(_ slot: Slot) {
            close(slot.descriptor)
            let text = String(decoding: slot.received.prefix(64), as: UTF8.self)
            if text.hasPrefix("HTTP/1.1 "), let status = Int(text.dropFirst(9).prefix(3)) {
                report.statuses[status, default: 0] += 1
            } else {
                report.cut += 1
            }
        }

        while (started < total || !slots.isEmpty) && ContinuousClock.now - start < deadline {
            while slots.count < concurrency && started < total {
                started += 1
                let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                let result = RawConnection.connect(descriptor, port: port)
                if descriptor < 0 || (result != 0 && errno != EINPROGRESS) {
                    if descriptor >= 0 { close(descriptor) }
                    report.connectFailures += 1
                    continue
                }
                slots.append(Slot(descriptor: descriptor))
            }
            var entries = slots.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN) | ($0.sending ? Int16(POLLOUT) : 0), revents: 0) }
            guard poll(&entries, nfds_t(entries.count), 50) >= 0 else { continue }
            var index = 0
            var kept: [Slot] = []
            kept.reserveCapacity(slots.count)
            for var slot in slots {
                let events = entries[index].revents
                index += 1
                var done = false
                if slot.sending, events & Int16(POLLOUT) != 0 {
                    while slot.sent < length {
                        let count: Int
                        if slot.sent < headBytes.count {
                            count = headBytes[slot.sent...].withUnsafeBytes { send(slot.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        } else {
                            let size = min(chunk.count, length - slot.sent)
                            count = chunk.withUnsafeBytes { send(slot.descriptor, $0.baseAddress, size, Int32(MSG_NOSIGNAL)) }
                        }
                        if count > 0 {
                            slot.sent += count
                        } else {
                            if errno != EAGAIN && errno != EWOULDBLOCK { slot.sending = false }
                            break
                        }
                    }
                    if slot.sent >= length { slot.sending = false }
                }
                if events & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 {
                    let count = recv(slot.descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                    if count > 0 {
                        slot.received += buffer[0..<count]
                        // The status line and headers are all this flood wants of an answer.
                        if slot.received.count >= 12, slot.received.firstRange(of: Array("\r\n\r\n".utf8)) != nil { done = true }
                    } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                        done = true
                    }
                }
                if done { finish(slot) } else { kept.append(slot) }
            }
            slots = kept
        }
        for slot in slots { finish(slot) }
        report.elapsed = ContinuousClock.now - start
        return report
    }
}
