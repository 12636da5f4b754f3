import AsyncHTTPClient
import Crypto
import Foundation
import HelpdeskCore
import Hummingbird
import NIOCore
import NIOHTTP1

/// Blobs in an S3-compatible bucket (path-style URLs), signed with SigV4. Files up to `partSize` go up in one
/// PUT; larger ones in a multipart upload, one part in memory at a time.
public struct S3BlobStore: BlobStore {
    let bucket: String
    let endpoint: URL
    let signer: SigV4
    let client: HTTPClient
    let partSize: Int

    /// From `s3://bucket?endpoint=http://host:port&region=…`, with `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` from the environment.
    public init(url: String, environment: [String: String], partSize: Int = 5 * 1024 * 1024) throws {
        guard let parts = URLComponents(string: url), parts.scheme == "s3", let bucket = parts.host, !bucket.isEmpty else {
            throw ConfigurationError("blob-url: expected s3://bucket?endpoint=…&region=…")
        }
        let items = Dictionary((parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let region = items["region"] ?? environment["AWS_REGION"] ?? "us-east-1"
        let endpointText = items["endpoint"] ?? "https://s3.\(region).amazonaws.com"
        guard let endpoint = URL(string: endpointText), endpoint.host != nil else {
            throw ConfigurationError("blob-url: endpoint is not a URL")
        }
        guard let access = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"] else {
            throw ConfigurationError("blob-url: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for S3 storage")
        }
        self.bucket = bucket
        self.endpoint = endpoint
        self.signer = SigV4(accessKey: access, secretKey: secret, region: region)
        self.client = HTTPClient.shared
        self.partSize = max(5 * 1024 * 1024, partSize)
    }

    struct S3Error: Error, CustomStringConvertible {
        let description: String
    }

    private var hostHeader: String {
        endpoint.port.map { "\(endpoint.host!):\($0)" } ?? endpoint.host!
    }

    private func request(_ method: HTTPMethod, key: String?, query: [(String, String)] = [], headers: [String: String] = [:],
                         body: HTTPClientRequest.Body? = nil, payloadHash: String = SigV4.emptyHash) -> HTTPClientRequest {
        let path = "/\(bucket)" + (key.map { "/\($0)" } ?? "")
        let signed = signer.sign(method: method.rawValue, host: hostHeader, path: path, query: query, headers: headers,
                                 payloadHash: payloadHash)
        let queryText = query.map { "\(SigV4.encode($0.0))=\(SigV4.encode($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: endpoint.absoluteString.trimmingSuffix("/") + SigV4.encodePath(path)
                                        + (queryText.isEmpty ? "" : "?\(queryText)"))
        request.method = method
        for (name, value) in headers.merging(signed, uniquingKeysWith: { $1 }) { request.headers.add(name: name, value: value) }
        if let body { request.body = body }
        return request
    }

    private func execute(_ request: HTTPClientRequest, expecting: Set<UInt> = [200, 204]) async throws -> (HTTPClientResponse, ByteBuffer) {
        let response = try await client.execute(request, timeout: .seconds(300))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard expecting.contains(response.status.code) else {
            throw S3Error(description: "S3 \(request.method.rawValue) answered \(response.status.code): \(String(buffer: body).prefix(300))")
        }
        return (response, body)
    }

    public func exists(key: String) async throws -> Bool {
        let response = try await client.execute(request(.HEAD, key: key), timeout: .seconds(60))
        switch response.status.code {
        case 200: return true
        case 404: return false
        default: throw S3Error(description: "S3 HEAD answered \(response.status.code)")
        }
    }

    public func put(localFile: String, key: String) async throws {
        if try await exists(key: key) { return }
        let size = (try FileManager.default.attributesOfItem(atPath: localFile)[.size] as? NSNumber)?.intValue ?? 0
        if size <= partSize {
            // The key is the SHA-256 of the content: exactly the payload hash SigV4 wants.
            let body = FileSlice(path: localFile, offset: 0, length: size)
            _ = try await execute(request(.PUT, key: key, headers: ["content-type": "application/octet-stream"],
                                          body: .stream(body, length: .known(Int64(size))), payloadHash: key))
            return
        }
        let (_, created) = try await execute(request(.POST, key: key, query: [("uploads", "")],
                                                     headers: ["content-type": "application/octet-stream"]))
        guard let uploadID = Self.xmlValue("UploadId", in: String(buffer: created)) else {
            throw S3Error(description: "S3 did not return an UploadId")
        }
        var etags: [String] = []
        do {
            // Each part is read from disk twice in small chunks (hash, then send): memory stays flat.
            for (index, offset) in stride(from: 0, to: size, by: partSize).enumerated() {
                let part = FileSlice(path: localFile, offset: offset, length: min(partSize, size - offset))
                var hasher = SHA256()
                for try await chunk in part { chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
                let hash = SigV4.hex(hasher.finalize())
                let (response, _) = try await execute(request(.PUT, key: key,
                                                              query: [("partNumber", String(index + 1)), ("uploadId", uploadID)],
                                                              body: .stream(part, length: .known(Int64(part.length))),
                                                              payloadHash: hash))
                etags.append(response.headers.first(name: "etag") ?? "")
            }
            let xml = "<CompleteMultipartUpload>" + etags.enumerated().map {
                "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\($0.element)</ETag></Part>"
            }.joined() + "</CompleteMultipartUpload>"
            let data = Data(xml.utf8)
            _ = try await execute(request(.POST, key: key, query: [("uploadId", uploadID)], headers: ["content-type": "application/xml"],
                                          body: .bytes(ByteBuffer(bytes: data)), payloadHash: SigV4.hex(SHA256.hash(data: data))))
        } catch {
            _ = try? await execute(request(.DELETE, key: key, query: [("uploadId", uploadID)]), expecting: [200, 204, 404])
            throw error
        }
    }

    public func read(key: String, range: ClosedRange<Int>?, context: some RequestContext) async throws -> ResponseBody {
        var headers: [String: String] = [:]
        if let range { headers["range"] = "bytes=\(range.lowerBound)-\(range.upperBound)" }
        let response = try await client.execute(request(.GET, key: key, headers: headers), timeout: .seconds(300))
        guard response.status.code == 200 || response.status.code == 206 else {
            throw S3Error(description: "S3 GET answered \(response.status.code)")
        }
        let length = response.headers.first(name: "content-length").flatMap(Int.init)
        let body = response.body
        let write: @Sendable (inout any ResponseBodyWriter) async throws -> Void = { writer in
            for try await buffer in body { try await writer.write(buffer) }
            try await writer.finish(nil)
        }
        if let length { return ResponseBody(contentLength: length, write) }
        return ResponseBody(write)
    }

    public func delete(key: String) async throws {
        _ = try await execute(request(.DELETE, key: key), expecting: [200, 204, 404])
    }

    static func xmlValue(_ tag: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(tag)>"), let end = xml.range(of: "</\(tag)>", range: start.upperBound..<xml.endIndex) else {
            return nil
        }
        return String(xml[start.upperBound..<end.lowerBound])
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

/// A byte range of a local file, read in 64 KiB chunks on demand.
struct FileSlice: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String
    let offset: Int
    let length: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let path: String
        var position: Int
        var remaining: Int
        var handle: FileHandle?

        mutating func next() async throws -> ByteBuffer? {
            guard remaining > 0 else {
                try? handle?.close()
                handle = nil
                return nil
            }
            if handle == nil {
                guard let opened = FileHandle(forReadingAtPath: path) else { throw S3BlobStore.S3Error(description: "cannot open \(path)") }
                try opened.seek(toOffset: UInt64(position))
                handle = opened
            }
            let data = try handle!.read(upToCount: Swift.min(64 * 1024, remaining)) ?? Data()
            guard !data.isEmpty else { throw S3BlobStore.S3Error(description: "\(path) ended early") }
            remaining -= data.count
            position += data.count
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(path: path, position: offset, remaining: length, handle: nil) }
}
