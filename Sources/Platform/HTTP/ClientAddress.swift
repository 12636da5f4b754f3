import Foundation
import Hummingbird

/// Addresses allowed to say who the client is through `X-Forwarded-For` (`--trusted-proxies`): the gateway for a
/// service process, a load balancer or ingress for a gateway. IPv4 and IPv6, single addresses or CIDR blocks.
public struct TrustedProxies: Sendable, Equatable {
    struct Block: Sendable, Equatable {
        let bytes: [UInt8]
        let prefix: Int
    }

    let blocks: [Block]

    public static let none = TrustedProxies(blocks: [])

    init(blocks: [Block]) { self.blocks = blocks }

    public var isEmpty: Bool { blocks.isEmpty }

    /// Parses a comma list such as `127.0.0.1,10.0.0.0/8,fd00::/8`.
    public static func parse(_ list: String) throws -> TrustedProxies {
        var blocks: [Block] = []
        for item in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = IPAddressBytes.parse(parts[0]) else {
                throw ConfigurationError("trusted-proxies: \(item) is not an IP address or CIDR block")
            }
            let prefix = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let prefix, (0...(bytes.count * 8)).contains(prefix) else {
                throw ConfigurationError("trusted-proxies: \(item) has a bad prefix length")
            }
            blocks.append(Block(bytes: bytes, prefix: prefix))
        }
        return TrustedProxies(blocks: blocks)
    }

    public func contains(_ address: String) -> Bool {
        guard let bytes = IPAddressBytes.parse(address) else { return false }
        return blocks.contains { block in
            guard block.bytes.count == bytes.count else { return false }
            var remaining = block.prefix
            for (a, b) in zip(block.bytes, bytes) where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if a & mask != b & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    /// The client: the peer, unless the peer is trusted; then the right-most `X-Forwarded-For` entry that is not
    /// itself a trusted proxy (entries left of it could be anything the client wrote).
    public func client(peer: String?, forwardedFor: String?) -> String? {
        guard let peer, contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard IPAddressBytes.parse(hop) != nil else { return peer }
            if !contains(hop) { return hop }
        }
        return hops.first ?? peer
    }
}

/// Text IP addresses as bytes (4 or 16), through inet_pton.
public enum IPAddressBytes {
    public static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

/// Replaces the request's client address with the one trusted proxies forwarded, before anything records it.
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let trusted: TrustedProxies

    public init(trusted: TrustedProxies) { self.trusted = trusted }

    public func handle(_ request: Request, context: AppRequestContext,
                       next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = trusted.client(peer: context.clientAddress,
                                               forwardedFor: request.headers[.init("X-Forwarded-For")!])
        return try await next(request, context)
    }
}
