import Foundation
import HelpdeskCore
import Platform

/// Per user, per kind × channel: on or off. A user's choice beats the workspace default (set by admins),
/// which beats "on".
public struct NotificationPreferences: Sendable {
    let database: Database
    let store: NotificationStore
    let users: any UserDirectory

    /// The settings as the API shows them.
    public struct Settings: Sendable, Encodable {
        public let locale: String?
        public let effectiveLocale: String?
        public let events: [String: [String: Bool]]

        enum CodingKeys: String, CodingKey {
            case locale, events
            case effectiveLocale = "effective_locale"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(locale, forKey: .locale)
            try c.encodeIfPresent(effectiveLocale, forKey: .effectiveLocale)
            try c.encode(events, forKey: .events)
        }
    }

    /// What a `PUT` may change: a locale (nil: leave; `.some(nil)`: follow the user's locale) and switches.
    public struct Changes: Sendable {
        public var locale: FieldUpdate<String?> = .absent
        public var switches: [(NotificationKind, NotificationChannel, Bool)] = []
        public init() {}
    }

    static let workspaceDefault = ""

    /// Whether `userID` gets `kind` on `channel`.
    func enabled(workspaceID: UUID, userIDs: [UUID]) async throws -> (UUID, NotificationKind, NotificationChannel) -> Bool {
        let rows = try await store.preferences(workspaceID: workspaceID,
                                               userIDs: [Self.workspaceDefault] + userIDs.map(\.lowercased), on: database.sql)
        var table: [String: Bool] = [:]
        for row in rows { table["\(row.user)|\(row.kind)|\(row.channel)"] = row.enabled }
        return { user, kind, channel in
            table["\(user.lowercased)|\(kind.rawValue)|\(channel.rawValue)"]
                ?? table["\(Self.workspaceDefault)|\(kind.rawValue)|\(channel.rawValue)"] ?? true
        }
    }

    public func settings(_ p: Principal) async throws -> Settings {
        let lookup = try await enabled(workspaceID: p.workspaceID, userIDs: [p.userID])
        let locale = try await store.locale(workspaceID: p.workspaceID, userID: p.userID, on: database.sql)
        let userLocale = try await users.user(workspaceID: p.workspaceID, id: p.userID)?.locale
        return Settings(locale: locale, effectiveLocale: NotificationLocale.resolve(locale ?? userLocale),
                        events: Self.table { lookup(p.userID, $0, $1) })
    }

    public func update(_ p: Principal, _ changes: Changes) async throws -> Settings {
        try await database.transaction { db in
            for (kind, channel, on) in changes.switches {
                try await store.setPreference(workspaceID: p.workspaceID, userID: p.userID.lowercased, kind: kind,
                                              channel: channel, enabled: on, on: db)
            }
            if case .set(let locale) = changes.locale {
                try await store.setLocale(workspaceID: p.workspaceID, userID: p.userID, locale: locale, on: db)
            }
        }
        return try await settings(p)
    }

    public func workspaceDefaults(_ p: Principal) async throws -> Settings {
        try p.require(.admin)
        let rows = try await store.preferences(workspaceID: p.workspaceID, userIDs: [Self.workspaceDefault], on: database.sql)
        var table: [String: Bool] = [:]
        for row in rows { table["\(row.kind)|\(row.channel)"] = row.enabled }
        return Settings(locale: nil, effectiveLocale: nil, events: Self.table { table["\($0.rawValue)|\($1.rawValue)"] ?? true })
    }

    public func updateWorkspaceDefaults(_ p: Principal, _ changes: Changes) async throws -> Settings {
        try p.require(.admin)
        try await database.transaction { db in
            for (kind, channel, on) in changes.switches {
                try await store.setPreference(workspaceID: p.workspaceID, userID: Self.workspaceDefault, kind: kind,
                                              channel: channel, enabled: on, on: db)
            }
        }
        return try await workspaceDefaults(p)
    }

    static func table(_ value: (NotificationKind, NotificationChannel) -> Bool) -> [String: [String: Bool]] {
        var out: [String: [String: Bool]] = [:]
        for kind in NotificationKind.allCases {
            var channels: [String: Bool] = [:]
            for channel in NotificationChannel.allCases { channels[channel.rawValue] = value(kind, channel) }
            out[kind.rawValue] = channels
        }
        return out
    }
}
