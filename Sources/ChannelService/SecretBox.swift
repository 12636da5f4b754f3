import Crypto
import Foundation
import Logging

/// Encrypts secrets at rest (mailbox passwords) with AES-GCM. The key comes from `HELPDESK_SECRET_KEY`
/// (base64, 32 bytes) or is generated once into `<data-dir>/keys/secrets.key`; every process of an install
/// needs the same key.
public struct SecretBox: Sendable {
    let key: SymmetricKey

    public init(key: SymmetricKey) { self.key = key }

    public static func load(environmentValue: String?, dataDirectory: String, logger: Logger) throws -> SecretBox {
        if let value = environmentValue, !value.isEmpty {
            guard let data = Data(base64Encoded: value), data.count == 32 else {
                throw SecretBoxError("HELPDESK_SECRET_KEY must be 32 bytes in base64")
            }
            return SecretBox(key: SymmetricKey(data: data))
        }
        let dir = (dataDirectory as NSString).appendingPathComponent("keys")
        let path = (dir as NSString).appendingPathComponent("secrets.key")
        if let data = FileManager.default.contents(atPath: path), let decoded = Data(base64Encoded: data), decoded.count == 32 {
            return SecretBox(key: SymmetricKey(data: decoded))
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let key = SymmetricKey(size: .bits256)
        let encoded = key.withUnsafeBytes { Data($0).base64EncodedData() }
        guard FileManager.default.createFile(atPath: path, contents: encoded, attributes: [.posixPermissions: 0o600]) else {
            throw SecretBoxError("cannot write \(path)")
        }
        logger.notice("generated the secrets key", metadata: ["path": "\(path)"])
        return SecretBox(key: key)
    }

    public func seal(_ text: String) throws -> String {
        try AES.GCM.seal(Data(text.utf8), using: key).combined!.base64EncodedString()
    }

    public func open(_ sealed: String) throws -> String {
        guard let data = Data(base64Encoded: sealed) else { throw SecretBoxError("not a sealed secret") }
        return String(decoding: try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key), as: UTF8.self)
    }
}

public struct SecretBoxError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
