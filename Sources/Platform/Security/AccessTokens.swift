import Foundation
import HelpdeskCore
import JWTKit
import NIOConcurrencyHelpers

/// The claims of an access token: user, workspace, role and session.
struct AccessTokenClaims: JWTPayload {
    var sub: SubjectClaim
    var wid: String
    var role: String
    var sid: String
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var iss: IssuerClaim

    // Expiry is checked by `AccessTokens.verify` against its injectable clock.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Signs and verifies access tokens (EdDSA JWTs, 15 minutes by default). Every service verifies locally.
///
/// A verified token is remembered until it expires: verification costs more than a simple request.
public final class AccessTokens: Sendable {
    public static let issuer = "helpdesk"
    public let lifetime: TimeInterval
    let keys: JWTKeyCollection
    let signingKey: SigningKey
    let clock: TimeSource
    private let cache = NIOLockedValueBox<[String: (principal: Principal, expires: Date)]>([:])
    private let cacheLimit = 10_000

    public init(signingKey: SigningKey, lifetime: TimeInterval = 15 * 60, clock: TimeSource = .system) async {
        self.signingKey = signingKey
        self.lifetime = lifetime
        self.clock = clock
        self.keys = JWTKeyCollection()
        await keys.add(eddsa: EdDSA.PrivateKey(backing: signingKey.privateKey), kid: JWKIdentifier(string: signingKey.kid))
    }

    /// The JWKS document listing the public keys tokens may be signed with.
    public var jwks: [String: [[String: String]]] { ["keys": [signingKey.publicJWK]] }

    /// A signed token for `principal`, valid for `lifetime` seconds from now.
    public func issue(for principal: Principal) async throws -> String {
        let now = clock.now
        let claims = AccessTokenClaims(
            sub: SubjectClaim(value: principal.userID.lowercased), wid: principal.workspaceID.lowercased,
            role: principal.role.rawValue, sid: principal.sessionID.lowercased,
            iat: IssuedAtClaim(value: now), exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)),
            iss: IssuerClaim(value: Self.issuer))
        return try await keys.sign(claims, kid: JWKIdentifier(string: signingKey.kid))
    }

    /// The principal a token stands for; throws `unauthenticated` for a bad, foreign or expired token.
    public func verify(_ token: String) async throws -> Principal {
        try await verifyWithExpiry(token).principal
    }

    /// Like `verify`, with the moment the token stops being valid (long-lived connections close then).
    public func verifyWithExpiry(_ token: String) async throws -> (principal: Principal, expires: Date) {
        let now = clock.now
        if let cached = cache.withLockedValue({ $0[token] }), cached.expires > now { return cached }
        let claims: AccessTokenClaims
        do {
            claims = try await keys.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw HelpdeskError.unauthenticated("The access token is invalid.")
        }
        guard claims.exp.value > now else { throw HelpdeskError.unauthenticated("The access token has expired.") }
        guard claims.iss.value == Self.issuer, let userID = UUID(uuidString: claims.sub.value),
              let workspaceID = UUID(uuidString: claims.wid), let role = Role(rawValue: claims.role),
              let sessionID = UUID(uuidString: claims.sid) else {
            throw HelpdeskError.unauthenticated("The access token is invalid.")
        }
        let principal = Principal(userID: userID, workspaceID: workspaceID, role: role, sessionID: sessionID)
        cache.withLockedValue { entries in
            // Crude bound: tokens live 15 minutes, so dropping everything now and then costs little.
            if entries.count >= cacheLimit { entries.removeAll(keepingCapacity: true) }
            entries[token] = (principal, claims.exp.value)
        }
        return (principal, claims.exp.value)
    }
}
