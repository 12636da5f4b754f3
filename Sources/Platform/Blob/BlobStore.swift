import Hummingbird

/// Where file contents live, content-addressed: the key is the SHA-256 of the bytes, so identical uploads are
/// stored once. Disk is the embedded default; S3-compatible storage comes next.
public protocol BlobStore: Sendable {
    /// Takes a complete local file into storage under `key` (it may be moved away); when `key` is already stored
    /// the file is left where it is. The caller removes whatever remains.
    func put(localFile path: String, key: String) async throws
    /// Whether an object is stored under `key`.
    func exists(key: String) async throws -> Bool
    /// Streams the object, or `range` of it (byte offsets, inclusive).
    func read(key: String, range: ClosedRange<Int>?, context: some RequestContext) async throws -> ResponseBody
    func delete(key: String) async throws
}
