import NIOCore

/// One response line from the server, with the literals (`{n}` + n bytes) it carried spliced out: `text` holds
/// the line with each literal replaced by `{n}`, `literals` the bytes in order.
public struct IMAPLine: Sendable, Equatable {
    public let text: String
    public let literals: [[UInt8]]

    /// `* …` lines are untagged; `+ …` asks for a continuation; anything else starts with a tag.
    public var tag: String? {
        guard let space = text.firstIndex(of: " ") else { return nil }
        let tag = String(text[..<space])
        return tag == "*" || tag == "+" ? nil : tag
    }
    public var isContinuation: Bool { text.hasPrefix("+") }
}

/// Splits the stream into `IMAPLine`s, reading literals wherever a line ends in `{n}`.
struct IMAPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = IMAPLine
    static let maxLiteral = 64 << 20
    static let maxLine = 1 << 20

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var view = buffer
        var text = ""
        var literals: [[UInt8]] = []
        while true {
            guard let lineBytes = Self.readLine(&view) else {
                if view.readableBytes > Self.maxLine { throw IMAPError.protocolViolation("line too long") }
                return .needMoreData
            }
            let line = String(decoding: lineBytes, as: UTF8.self)
            text += line
            // A literal: the line ends with {n} (or {n+} for LITERAL+ from a client; servers send {n}).
            guard line.hasSuffix("}"), let open = line.lastIndex(of: "{"),
                  let count = Int(line[line.index(after: open)..<line.index(before: line.endIndex)]) else { break }
            guard count >= 0, count <= Self.maxLiteral else { throw IMAPError.protocolViolation("bad literal size \(count)") }
            guard literals.count < 1_000 else { throw IMAPError.protocolViolation("too many literals on one line") }
            guard view.readableBytes >= count, let literal = view.readBytes(length: count) else { return .needMoreData }
            literals.append(literal)
        }
        buffer = view
        context.fireChannelRead(Self.wrapInboundOut(IMAPLine(text: text, literals: literals)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while buffer.readableBytes > 0, try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    /// The next CRLF-terminated line without its CRLF, or nil when incomplete.
    static func readLine(_ buffer: inout ByteBuffer) -> [UInt8]? {
        let view = buffer.readableBytesView
        guard let lf = view.firstIndex(of: 0x0A) else { return nil }
        var bytes = buffer.readBytes(length: lf - view.startIndex + 1)!
        bytes.removeLast()
        if bytes.last == 0x0D { bytes.removeLast() }
        return bytes
    }
}

public enum IMAPError: Error, Sendable, Equatable, CustomStringConvertible {
    case connectionFailed(String)
    case timeout(during: String)
    case connectionClosed
    /// The server answered NO or BAD.
    case refused(command: String, text: String)
    case protocolViolation(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .connectionFailed(let reason): "IMAP connection failed: \(reason)"
        case .timeout(let during): "IMAP timeout during \(during)"
        case .connectionClosed: "IMAP connection closed"
        case let .refused(command, text): "IMAP server refused \(command): \(text)"
        case .protocolViolation(let reason): "IMAP protocol violation: \(reason)"
        case .unsupported(let what): "IMAP server does not support \(what)"
        }
    }
}
