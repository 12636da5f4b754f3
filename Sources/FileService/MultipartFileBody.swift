import Foundation
import HelpdeskCore
import MultipartKit
import NIOCore

/// Streams the `file` part of a `multipart/form-data` body without holding it in memory: the request body is
/// fed to the parser chunk by chunk and the part's bytes come out as they are parsed.
///
/// One task reads it from start to end, hence `@unchecked Sendable`.
final class MultipartFileBody<Base: AsyncSequence & Sendable>: AsyncSequence, @unchecked Sendable
where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer

    private var base: Base.AsyncIterator
    private let parser: MultipartParser
    private var headers: [String: String] = [:]
    private var inFilePart = false
    private var fileDone = false
    private var pending: [ByteBuffer] = []
    private(set) var filename: String?
    private(set) var foundFile = false

    init(base: Base, boundary: String) {
        self.base = base.makeAsyncIterator()
        self.parser = MultipartParser(boundary: boundary)
        parser.onHeader = { [unowned self] name, value in headers[name.lowercased()] = value }
        parser.onBody = { [unowned self] buffer in
            if !inFilePart && !fileDone { startPartIfFile() }
            if inFilePart { pending.append(buffer) }
        }
        parser.onPartComplete = { [unowned self] in
            if !inFilePart && !fileDone { startPartIfFile() }   // an empty file part has no body callback
            if inFilePart { fileDone = true; inFilePart = false }
            headers = [:]
        }
    }

    private func startPartIfFile() {
        guard let disposition = headers["content-disposition"], Self.parameter("name", in: disposition) == "file" else { return }
        inFilePart = true
        foundFile = true
        filename = Self.parameter("filename*", in: disposition).flatMap(Self.decodeRFC5987)
            ?? Self.parameter("filename", in: disposition)
    }

    /// Reads until the file part's headers are known; false when the body has no `file` part.
    func prepare() async throws -> Bool {
        while !foundFile, let chunk = try await base.next() { try feed(chunk) }
        return foundFile
    }

    private func feed(_ chunk: ByteBuffer) throws {
        do { try parser.execute(chunk) } catch {
            throw HelpdeskError.malformedBody("The multipart body could not be parsed.", field: "file")
        }
    }

    private func nextChunk() async throws -> ByteBuffer? {
        while true {
            if !pending.isEmpty { return pending.removeFirst() }
            if fileDone { return nil }
            guard let chunk = try await base.next() else { return nil }
            try feed(chunk)
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let body: MultipartFileBody
        mutating func next() async throws -> ByteBuffer? { try await body.nextChunk() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self) }

    /// The boundary of a `multipart/form-data` content type.
    static func boundary(from contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        return parameter("boundary", in: contentType).flatMap { $0.isEmpty || $0.count > 200 ? nil : $0 }
    }

    /// A `key=value` or `key="value"` parameter of a header value.
    static func parameter(_ key: String, in header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value
        }
        return nil
    }

    /// `UTF-8''na%C3%AFve.txt` → `naïve.txt`.
    static func decodeRFC5987(_ value: String) -> String? {
        let parts = value.components(separatedBy: "''")
        guard parts.count == 2, parts[0].lowercased() == "utf-8" else { return nil }
        return parts[1].removingPercentEncoding
    }
}
