import Foundation
import Hummingbird
import NIOPosix

/// Blobs as files under `<data-dir>/files/blobs/ab/cd/<sha256>`.
public struct DiskBlobStore: BlobStore {
    let root: String
    let fileIO = FileIO()

    public init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func path(_ key: String) -> String {
        let k = key.lowercased()
        return "\(root)/\(k.prefix(2))/\(k.dropFirst(2).prefix(2))/\(k)"
    }

    public func put(localFile: String, key: String) async throws {
        let target = path(key)
        try await NIOThreadPool.singleton.runIfActive {
            let fm = FileManager.default
            if fm.fileExists(atPath: target) { return }
            try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            do {
                try fm.moveItem(atPath: localFile, toPath: target)
            } catch where fm.fileExists(atPath: target) {
                // A concurrent upload of the same bytes got there first.
            }
        }
    }

    public func exists(key: String) async throws -> Bool {
        FileManager.default.fileExists(atPath: path(key))
    }

    public func read(key: String, range: ClosedRange<Int>?, context: some RequestContext) async throws -> ResponseBody {
        if let range { return try await fileIO.loadFile(path: path(key), range: range, context: context) }
        return try await fileIO.loadFile(path: path(key), context: context)
    }

    public func delete(key: String) async throws {
        let target = path(key)
        try await NIOThreadPool.singleton.runIfActive {
            if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
        }
    }
}
