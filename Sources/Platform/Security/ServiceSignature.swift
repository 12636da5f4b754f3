import Crypto
import Foundation

/// Proof that a request between services comes from a process of the same install: an HMAC-SHA256 over the time,
/// the path and the body, keyed by a key derived from the token signing key every process shares. Sent as
/// `X-Helpdesk-Service: t=<unix seconds>,s=<hex>`; accepted for five minutes either side of now.
public struct ServiceSignature: Sendable {
    public static let header = "X-Helpdesk-Service"
    let key: SymmetricKey
    let clock: @Sendable () -> Date

    public init(signingKey: SigningKey, clock: @escaping @Sendable () -> Date = { Date() }) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: signingKey.privateKey.rawRepresentation),
                                     info: Data("helpdesk internal calls v1".utf8), outputByteCount: 32)
        self.clock = clock
    }

    public func sign(path: String, body: [UInt8]) -> String {
        let time = Int(clock().timeIntervalSince1970)
        return "t=\(time),s=\(mac(time: time, path: path, body: body))"
    }

    public func verify(_ header: String?, path: String, body: [UInt8]) -> Bool {
        guard let header else { return false }
        var time: Int?
        var signature: String?
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { time = Int(pair[1]) } else if pair[0] == "s" { signature = String(pair[1]) }
        }
        guard let time, let signature, abs(Int(clock().timeIntervalSince1970) - time) <= 300 else { return false }
        let expected = mac(time: time, path: path, body: body)
        // Constant time: compare every byte whatever the first difference.
        guard expected.utf8.count == signature.utf8.count else { return false }
        return zip(expected.utf8, signature.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    func mac(time: Int, path: String, body: [UInt8]) -> String {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array("\(time)\n\(path)\n".utf8))
        hmac.update(data: body)
        return hmac.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
