import Crypto
import Foundation
import HelpdeskCore
import Platform

/// One immutable entry of a workspace's audit log: an event as it happened, where it came from, and its place
/// in the workspace's hash chain.
public struct AuditRecord: Sendable, Equatable {
    public let id: UUID
    public let workspaceID: UUID
    /// 1, 2, 3 … per workspace: the chain order.
    public let position: Int64
    public let eventID: UUID?
    public let action: String
    public let actorID: UUID?
    public let actorType: String
    public let actorRole: String?
    public let subjectType: String
    public let subjectID: UUID?
    public let ip: String?
    public let userAgent: String?
    public let via: String?
    public let requestID: String?
    public let occurredAt: Date
    public let recordedAt: Date
    /// The event's data as canonical JSON (sorted keys): exactly the bytes the hash covers.
    public let data: String
    public let previousHash: String
    public let hash: String

    /// The text the hash covers: every field but the hash itself, in a fixed order, each on its own line
    /// with newlines escaped (JSON string literals), so no two records can produce the same text.
    var canonicalText: String {
        let fields: [String?] = [
            id.lowercased, workspaceID.lowercased, String(position), eventID?.lowercased, action, actorID?.lowercased,
            actorType, actorRole, subjectType, subjectID?.lowercased, ip, userAgent, via, requestID,
            String(occurredAt.epochMilliseconds), String(recordedAt.epochMilliseconds), data, previousHash,
        ]
        return fields.map { value in
            guard let value else { return "null" }
            let encoded = try? JSONEncoder().encode(value)
            return encoded.map { String(decoding: $0, as: UTF8.self) } ?? "null"
        }.joined(separator: "\n")
    }

    /// SHA-256 (hex) of the canonical text: what `hash` must equal.
    var computedHash: String {
        SHA256.hash(data: Data(canonicalText.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A record with its hash filled in.
    func sealed() -> AuditRecord {
        AuditRecord(id: id, workspaceID: workspaceID, position: position, eventID: eventID, action: action,
                    actorID: actorID, actorType: actorType, actorRole: actorRole, subjectType: subjectType,
                    subjectID: subjectID, ip: ip, userAgent: userAgent, via: via, requestID: requestID,
                    occurredAt: occurredAt, recordedAt: recordedAt, data: data, previousHash: previousHash,
                    hash: computedHash)
    }
}

extension AuditRecord: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, type, action, position, actor, subject, ip, via, data, hash
        case eventID = "event_id"
        case userAgent = "user_agent"
        case requestID = "request_id"
        case occurredAt = "occurred_at"
        case recordedAt = "recorded_at"
        case previousHash = "prev_hash"
    }

    struct Actor: Encodable {
        let id: String?
        let type: String
        let role: String?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(type, forKey: .type)
            try c.encode(role, forKey: .role)
        }
        enum CodingKeys: String, CodingKey { case id, type, role }
    }

    struct Subject: Encodable {
        let type: String
        let id: String?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(type, forKey: .type)
            try c.encode(id, forKey: .id)
        }
        enum CodingKeys: String, CodingKey { case type, id }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.lowercased, forKey: .id)
        try c.encode(action, forKey: .type)   // the event shape of the API
        try c.encode(action, forKey: .action)
        try c.encode(position, forKey: .position)
        try c.encode(eventID?.lowercased, forKey: .eventID)
        try c.encode(Actor(id: actorID?.lowercased, type: actorType, role: actorRole), forKey: .actor)
        try c.encode(Subject(type: subjectType, id: subjectID?.lowercased), forKey: .subject)
        try c.encode(ip, forKey: .ip)
        try c.encode(userAgent, forKey: .userAgent)
        try c.encode(via, forKey: .via)
        try c.encode(requestID, forKey: .requestID)
        try c.encode(occurredAt, forKey: .occurredAt)
        try c.encode(recordedAt, forKey: .recordedAt)
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8))) ?? .null
        try c.encode(json, forKey: .data)
        try c.encode(previousHash, forKey: .previousHash)
        try c.encode(hash, forKey: .hash)
    }
}

/// What `GET /audit/verify` answers.
public struct AuditVerification: Sendable, Encodable, Equatable {
    public let ok: Bool
    public let checked: Int
    public let firstBadID: UUID?
    /// What is wrong, in words, when `ok` is false.
    public let problem: String?

    public init(ok: Bool, checked: Int, firstBadID: UUID?, problem: String? = nil) {
        self.ok = ok
        self.checked = checked
        self.firstBadID = firstBadID
        self.problem = problem
    }

    enum CodingKeys: String, CodingKey {
        case ok, checked, problem
        case firstBadID = "first_bad_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ok, forKey: .ok)
        try c.encode(checked, forKey: .checked)
        try c.encodeIfPresent(firstBadID?.lowercased, forKey: .firstBadID)
        try c.encodeIfPresent(problem, forKey: .problem)
    }
}

/// The filters of the audit list and export.
public struct AuditFilter: Sendable, Equatable {
    public var actorID: UUID?
    public var action: String?
    public var subjectType: String?
    public var subjectID: UUID?
    public var from: Date?
    public var to: Date?

    public init() {}
}
