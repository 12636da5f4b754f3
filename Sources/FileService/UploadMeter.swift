import Crypto
import Foundation
import HelpdeskCore
import NIOConcurrencyHelpers
import NIOCore

/// Counts, hashes and keeps the first bytes of an upload as it streams past, and stops it at the size limit.
final class UploadMeter: Sendable {
    private struct State {
        var hasher = SHA256()
        var size: Int64 = 0
        var head: [UInt8] = []
        var failure: HelpdeskError?
    }

    let limit: Int64
    private let state = NIOLockedValueBox(State())

    init(limit: Int64) { self.limit = limit }

    func consume(_ buffer: ByteBuffer) throws {
        try state.withLockedValue { s in
            s.size += Int64(buffer.readableBytes)
            if s.size > limit { throw FileErrors.tooLarge(limit: limit) }
            buffer.withUnsafeReadableBytes { raw in
                s.hasher.update(bufferPointer: raw)
                if s.head.count < 1024 { s.head.append(contentsOf: raw.prefix(1024 - s.head.count)) }
            }
        }
    }

    var size: Int64 { state.withLockedValue { $0.size } }
    /// Why the body stopped, when it was our own refusal: the file writer wraps errors thrown by its source.
    var failure: HelpdeskError? { state.withLockedValue { $0.failure } }

    func record(_ error: HelpdeskError) { state.withLockedValue { $0.failure = $0.failure ?? error } }
    var head: [UInt8] { state.withLockedValue { $0.head } }
    var sha256: String { state.withLockedValue { $0.hasher.finalize().map { String(format: "%02x", $0) }.joined() } }
}

/// A request body seen through an `UploadMeter`.
struct MeteredBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let meter: UploadMeter

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let meter: UploadMeter

        mutating func next() async throws -> ByteBuffer? {
            do {
                guard let buffer = try await base.next() else { return nil }
                try meter.consume(buffer)
                return buffer
            } catch let error as HelpdeskError {
                meter.record(error)
                throw error
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), meter: meter) }
}

/// The files service's errors, one code each.
enum FileErrors {
    static func tooLarge(limit: Int64) -> HelpdeskError {
        HelpdeskError(status: 413, code: "file_too_large", title: "File too large",
                      detail: "Files may be at most \(limit) bytes.")
    }

    static func typeNotAllowed(_ type: String) -> HelpdeskError {
        HelpdeskError(status: 415, code: "file_type_not_allowed", title: "File type not allowed",
                      detail: "Files of type \(type) are not accepted (executables and scripts are refused).")
    }
}

/// Display names: no path, no control characters, at most 255 bytes, never empty.
enum FileName {
    static func sanitize(_ raw: String) -> String? {
        var name = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        name = String(name.unicodeScalars.filter { $0.properties.generalCategory != .control && $0 != "\u{7F}" }
            .map(Character.init))
        name = name.trimmingCharacters(in: .whitespaces)
        while name.hasPrefix(".") { name.removeFirst() }
        guard !name.isEmpty else { return nil }
        while name.utf8.count > 255 {
            // Keep the extension while shortening.
            if let dot = name.lastIndex(of: "."), name.distance(from: dot, to: name.endIndex) < 16 {
                name.remove(at: name.index(before: dot))
            } else {
                name.removeLast()
            }
        }
        return name
    }
}
