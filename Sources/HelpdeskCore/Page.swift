import Foundation

/// One page of a cursor-paginated list: `{"items": [...], "next_cursor": "..." | null}`.
public struct Page<Item: Sendable & Encodable>: Sendable, Encodable {
    public let items: [Item]
    public let nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(nextCursor, forKey: .nextCursor)   // explicit null, as the API promises
    }
}

/// `?limit=&cursor=` as parsed from a request: limit defaults to 25 and is capped at 100.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 25
    public static let maxLimit = 100

    public let limit: Int
    /// The key of the last item of the previous page (opaque to clients).
    public let after: String?

    public init(limit: Int = PageRequest.defaultLimit, after: String? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Parses the raw query values; a bad value is a 400 naming the parameter.
    public static func parse(limit: String?, cursor: String?) throws -> PageRequest {
        var parsedLimit = defaultLimit
        if let limit {
            guard let n = Int(limit), (1...maxLimit).contains(n) else {
                throw HelpdeskError.badParameter("limit", "must be an integer between 1 and \(maxLimit)")
            }
            parsedLimit = n
        }
        var after: String?
        if let cursor, !cursor.isEmpty {
            guard let key = Cursor.decode(cursor) else {
                throw HelpdeskError.badParameter("cursor", "is not a cursor this API issued")
            }
            after = key
        }
        return PageRequest(limit: parsedLimit, after: after)
    }
}

extension PageRequest {
    /// The id a list keyed by UUID continues after; a cursor holding anything else is a 400, never a silent
    /// restart from the first page.
    public func afterID() throws -> UUID? {
        guard let after else { return nil }
        guard let id = UUID(uuidString: after) else { throw HelpdeskError.badParameter("cursor", "does not belong to this list") }
        return id
    }
}

/// Opaque cursors: the base64url form of a sort key, so clients cannot depend on its shape.
public enum Cursor {
    /// `v1:<key>` in unpadded base64url, written byte by byte (Foundation's three `replacingOccurrences` were
    /// a twentieth of a ticket list).
    public static func encode(_ key: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var input: [UInt8] = Array("v1:".utf8)
        input.append(contentsOf: key.utf8)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        if input.count - i == 1 {
            let n = UInt32(input[i]) << 16
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)]]
        } else if input.count - i == 2 {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ cursor: String) -> String? {
        var b64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard b64.count <= 1024, let data = Data(base64Encoded: b64),
              let text = String(data: data, encoding: .utf8), text.hasPrefix("v1:") else { return nil }
        return String(text.dropFirst(3))
    }
}

extension Page {
    /// A page from rows fetched with `limit + 1`: the extra row is not shown, it only says a next page exists,
    /// whose cursor is made from the last item shown.
    public init(rows: [Item], limit: Int, cursor: (Item) -> String) {
        let items = Array(rows.prefix(limit))
        self.init(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode(cursor($0)) } : nil)
    }
}
