import Crypto
import Foundation
import Logging

/// The Ed25519 key access tokens are signed with, and its public half as a JWK.
///
/// It comes from `HELPDESK_JWT_PRIVATE_KEY` (base64 of the 32-byte seed) when set, otherwise from
/// `<data-dir>/keys/jwt-ed25519.key`, generated with mode 0600 on first start. Every process of one install must
/// share it (set the variable when running services as separate processes).
public struct SigningKey: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey
    /// Key id: the first 16 characters of the base64url SHA-256 of the public key, stable for a key.
    public let kid: String

    public init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        let digest = SHA256.hash(data: privateKey.publicKey.rawRepresentation)
        self.kid = String(Base64URL.encode(Data(digest)).prefix(16))
    }

    /// A fresh random key (tests, and the first start).
    public static func generate() -> SigningKey {
        SigningKey(privateKey: Curve25519.Signing.PrivateKey())
    }

    /// Loads the configured key, or the data-dir key, generating and saving it if absent.
    public static func load(environmentValue: String?, dataDirectory: String, logger: Logger) throws -> SigningKey {
        if let value = environmentValue, !value.isEmpty {
            guard let seed = Data(base64Encoded: value) ?? Base64URL.decode(value), seed.count == 32 else {
                throw ConfigurationError("HELPDESK_JWT_PRIVATE_KEY: expected base64 of a 32-byte Ed25519 seed")
            }
            return SigningKey(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: seed))
        }
        let folder = (dataDirectory as NSString).appendingPathComponent("keys")
        let path = (folder as NSString).appendingPathComponent("jwt-ed25519.key")
        if let stored = FileManager.default.contents(atPath: path) {
            let text = String(decoding: stored, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let seed = Data(base64Encoded: text), seed.count == 32 else {
                throw ConfigurationError("\(path): not a base64 Ed25519 seed; delete it to generate a new key")
            }
            return SigningKey(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: seed))
        }
        let key = generate()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let written = FileManager.default.createFile(
            atPath: path, contents: Data(key.privateKey.rawRepresentation.base64EncodedString().utf8),
            attributes: [.posixPermissions: 0o600])
        guard written else { throw ConfigurationError("\(path): cannot write the signing key") }
        logger.notice("generated a new token signing key", metadata: ["kid": "\(key.kid)", "path": "\(path)"])
        return key
    }

    /// The public key as a JWK (RFC 8037), as `/.well-known/jwks.json` publishes it.
    public var publicJWK: [String: String] {
        ["kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid,
         "x": Base64URL.encode(privateKey.publicKey.rawRepresentation)]
    }
}
