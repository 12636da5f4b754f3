import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// bcrypt password hashing, off the event loops (a cost-12 hash takes ~200 ms of CPU).
///
/// The password is SHA-256'd and base64'd before bcrypt: bcrypt ignores everything past 72 bytes, and the
/// policy allows 128 characters of any script.
public struct PasswordHasher: Sendable {
    public let cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let input = Self.prehash(password)
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(input, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        let input = Self.prehash(password)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(input, hash: hash) }
    }

    static func prehash(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }
}
