import Foundation
import HelpdeskCore
import HTTPTypes
import Hummingbird
import Platform

/// HTTP adapters for `/api/v1/files`.
struct FileRoutes {
    let files: Files

    func add(to routes: Routes) {
        routes.post { request, context in
            let p = try context.requirePrincipal()
            // The multipart envelope adds a little to the file's own size.
            if let length = request.headers[.contentLength].flatMap(Int64.init),
               length > files.configuration.maxFileBytes + 64 * 1024 {
                throw FileErrors.tooLarge(limit: files.configuration.maxFileBytes)
            }
            if let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/") {
                guard let boundary = MultipartFileBody<RequestBody>.boundary(from: type) else {
                    throw HelpdeskError.malformedBody("multipart uploads need multipart/form-data with a boundary.", field: "file")
                }
                let body = MultipartFileBody(base: request.body, boundary: boundary)
                guard try await body.prepare() else { throw HelpdeskError.validation(field: "file", "is required (a form field named file)") }
                let file = try await files.upload(p, filename: body.filename ?? request.query("filename"), body: body,
                                                  context: context)
                return try .json(file, status: .created)
            }
            let file = try await files.upload(p, filename: request.query("filename"), body: request.body, context: context)
            return try .json(file, status: .created)
        }
        routes.get(":id") { _, context in
            let p = try context.requirePrincipal()
            return try .json(try await files.get(p, id: try context.parameters.uuid("id", what: "file")))
        }
        routes.get(":id/content") { request, context in
            let p = try context.requirePrincipal()
            let file = try await files.get(p, id: try context.parameters.uuid("id", what: "file"))
            var headers = Self.downloadHeaders(file)
            if let raw = request.headers[.range] {
                guard let range = Self.byteRange(raw, size: file.size) else {
                    headers[.contentRange] = "bytes */\(file.size)"
                    return Response(status: .rangeNotSatisfiable, headers: headers)
                }
                if let range {
                    headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(file.size)"
                    let body = try await files.content(file, range: range, context: context)
                    return Response(status: .partialContent, headers: headers, body: body)
                }
            }
            return Response(status: .ok, headers: headers, body: try await files.content(file, range: nil, context: context))
        }
        routes.delete(":id") { _, context in
            let p = try context.requirePrincipal()
            try await files.delete(p, id: try context.parameters.uuid("id", what: "file"))
            return Response(status: .noContent)
        }
    }

    /// What every download carries. An upload is someone else's content on our origin: it is never sniffed, runs no
    /// script and reaches no cookie even when opened directly (`sandbox`), and a type a browser would render as a
    /// page (HTML, SVG, XML, JavaScript) is sent as bytes to save, whatever its name says.
    static func downloadHeaders(_ file: StoredFile) -> HTTPFields {
        [
            .contentType: ContentSniffer.isActive(file.contentType) ? "application/octet-stream" : file.contentType,
            .eTag: "\"\(file.sha256)\"", .acceptRanges: "bytes",
            .contentDisposition: Self.disposition(file), .cacheControl: "private, max-age=0",
            .contentSecurityPolicy: "sandbox", HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
    }

    /// RFC 6266: `attachment` for anything a browser could run, `filename*` for non-ASCII names.
    static func disposition(_ file: StoredFile) -> String {
        let inline = file.contentType.hasPrefix("image/") && file.contentType != "image/svg+xml"
            || file.contentType == "application/pdf" || file.contentType == "text/plain"
        let kind = inline && !ContentSniffer.isActive(file.contentType) ? "inline" : "attachment"
        let ascii = String(file.filename.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" })
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "!#$&+-.^_`|~")
        let encoded = file.filename.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "\(kind); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    /// `bytes=a-b`, `bytes=a-` or `bytes=-n`: `.some(range)`; several ranges or another unit: `.some(nil)`
    /// (answer the whole file); unsatisfiable: `nil`.
    static func byteRange(_ header: String, size: Int64) -> ClosedRange<Int>?? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return .some(nil) }
        let spec = header.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard spec.count == 2, size > 0 else { return nil }
        let last = Int(size) - 1
        if spec[0].isEmpty {
            guard let n = Int(spec[1]), n > 0 else { return nil }
            return .some(max(0, last - n + 1)...last)
        }
        guard let start = Int(spec[0]), start <= last else { return nil }
        let end = spec[1].isEmpty ? last : min(Int(spec[1]) ?? -1, last)
        guard end >= start else { return nil }
        return .some(start...end)
    }
}

/// Removes uploads that were never attached, once an hour.
struct UnattachedFileReaper: Service {
    let files: Files
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let removed = try await files.removeExpired()
                    if removed > 0 { logger.info("removed unattached uploads", metadata: ["count": "\(removed)"]) }
                } catch {
                    logger.warning("unattached upload cleanup failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: .seconds(3600))
            }
        }
    }
}

import Logging
import ServiceLifecycle
