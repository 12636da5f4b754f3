import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The web UI's files, held in memory with their content type and ETag. Built from the module's resources once;
/// with `live` (the `--web-root` development mode) the folder is read again for every request, so edits show on
/// reload (slow, and meant only for working on the UI).
final class WebAssets: Sendable {
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
        let etag: String
    }

    let root: URL
    let live: Bool
    private let cache: NIOLockedValueBox<[String: Asset]>

    init(root: URL, live: Bool) throws {
        self.root = root.standardizedFileURL
        self.live = live
        self.cache = NIOLockedValueBox(try Self.load(root: self.root))
    }

    /// The asset at a URL path such as `/js/app.js`, or nil.
    func asset(at path: String) -> Asset? {
        if live, let fresh = try? Self.load(root: root) { cache.withLockedValue { $0 = fresh } }
        return cache.withLockedValue { $0[path] }
    }

    /// Every regular file under `root`, keyed by its URL path. Enumerating (rather than joining the request path
    /// to the folder) means no request path can reach outside it.
    static func load(root: URL) throws -> [String: Asset] {
        var assets: [String: Asset] = [:]
        let rootPath = root.path
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return [:]
        }
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(rootPath) else { continue }
            let data = try Data(contentsOf: url)
            let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
            assets[String(path.dropFirst(rootPath.count))] = Asset(
                body: ByteBuffer(bytes: data), contentType: contentType(for: url.pathExtension), etag: "\"\(digest)\"")
        }
        return assets
    }

    static func contentType(for ext: String) -> String {
        switch ext.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "woff2": "font/woff2"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}
