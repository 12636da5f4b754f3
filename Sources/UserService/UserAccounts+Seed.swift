import Foundation
import HelpdeskCore
import Platform

/// The users a benchmark or demo workspace is seeded with.
public struct SeededUsers: Sendable {
    public var agentIDs: [UUID] = []
    /// Customers with their organization, if any.
    public var customers: [(id: UUID, organizationID: UUID?)] = []
}

extension UserAccounts {
    static let firstNames = ["Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Gabriel", "Hana", "Inès", "Jules",
                             "Karim", "Léa", "Marc", "Nina", "Oscar", "Paula", "Quentin", "Rosa", "Sami", "Tara",
                             "Ugo", "Vera", "William", "Yasmine", "Zoé"]
    static let lastNames = ["Martin", "Bernard", "Dubois", "Smith", "Johnson", "Nguyen", "Garcia", "Müller", "Rossi",
                            "Kowalski", "Silva", "Haddad", "Leroy", "Moreau", "Fournier", "Brown", "Tanaka", "Novak"]
    static let companies = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Tyrell",
                            "Cyberdyne", "Soylent", "Aperture", "Vandelay", "Dunder", "Pied Piper", "Massive Dynamic"]

    /// Writes `agents` agents (`agent<n>@bench.example`), `customers` customers (`customer<n>@bench.example`) and a
    /// few organizations, straight into the tables in large statements (no events: seeding is not an action
    /// anybody took). Existing seeded users are skipped, so a second run adds only what is missing.
    public func seed(workspaceID: UUID, agents: Int, customers: Int, at now: Date) async throws -> SeededUsers {
        let store = self.store
        // Organizations first, then read back: a second run (or an existing "Acme") keeps the ids already there.
        let companies = Array(Self.companies.prefix(max(1, customers / 50)))
        let orgRows: [[any Encodable & Sendable]] = companies.enumerated().map { i, company in
            [UUIDv7.make(at: now).lowercased, workspaceID.lowercased, company, company.lowercased(),
             "[\"\(company.lowercased().replacingOccurrences(of: " ", with: ""))-bench.example\"]",
             i % 2 == 0, now.epochMilliseconds, now.epochMilliseconds]
        }
        try await database.transaction { db in
            try await store.insertSeeded(users: [], organizations: orgRows, on: db)
        }
        let orgIDs = try await store.organizationIDs(workspaceID: workspaceID, names: companies.map { $0.lowercased() },
                                                     on: database.sql)
        var rows: [[any Encodable & Sendable]] = []
        func name(_ i: Int) -> String {
            "\(Self.firstNames[i % Self.firstNames.count]) \(Self.lastNames[(i / Self.firstNames.count) % Self.lastNames.count])"
        }
        func add(_ email: String, _ name: String, _ role: Role, _ org: UUID?, _ locale: String) {
            rows.append([UUIDv7.make(at: now).lowercased, workspaceID.lowercased, email, email, name, role.rawValue,
                         org?.lowercased, locale, "UTC", true, now.epochMilliseconds, now.epochMilliseconds])
        }
        for i in 1...max(1, agents) where agents > 0 {
            add("agent\(i)@bench.example", name(i), .agent, nil, i % 3 == 0 ? "fr" : "en")
        }
        for i in 1...max(1, customers) where customers > 0 {
            // Two customers in three belong to a company; the rest write on their own.
            let org = i % 3 == 0 || orgIDs.isEmpty ? nil : orgIDs[i % orgIDs.count]
            add("customer\(i)@bench.example", name(i + 7), .customer, org, i % 4 == 0 ? "fr" : "en")
        }
        let userRows = rows
        try await database.transaction { db in
            try await store.insertSeeded(users: userRows, organizations: [], on: db)
        }
        // Read back what is there: users seeded by an earlier run keep their ids.
        var seeded = SeededUsers()
        for (id, role, org) in try await store.seededUsers(workspaceID: workspaceID, on: database.sql) {
            if role == .customer { seeded.customers.append((id, org)) } else { seeded.agentIDs.append(id) }
        }
        return seeded
    }
}
