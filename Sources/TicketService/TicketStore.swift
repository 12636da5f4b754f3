import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// All SQL of the tickets service. Every statement is scoped by workspace.
struct TicketStore: Sendable {
    let kind: DatabaseKind
    static let columns = """
        id, workspace_id, number, subject, status, priority, type, requester_id, assignee_id, team_id, organization_id, \
        tags, followers, created_at, updated_at, solved_at, version, custom_fields, channel, merged_into, sla, sla_due_at
        """

    /// `columns`, each prefixed with `tickets.` (for joins), computed once.
    static let qualifiedColumns = columns.split(separator: ",")
        .map { "tickets." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    // MARK: - Numbers

    /// The next ticket number of the workspace on SQLite. Called inside the creating transaction, so a rollback
    /// gives the number back (no gaps); SQLite has one writer at a time, so holding the counter costs nothing.
    func nextNumber(workspaceID: UUID, on db: any SQLDatabase) async throws -> Int {
        try await db.raw("""
            INSERT INTO ticket_counters (workspace_id, last_number) VALUES (\(bind: workspaceID.lowercased), 0)
            ON CONFLICT (workspace_id) DO NOTHING
            """).run()
        guard let row = try await db.raw("""
            UPDATE ticket_counters SET last_number = last_number + 1 WHERE workspace_id = \(bind: workspaceID.lowercased)
            RETURNING last_number
            """).first() else { throw HelpdeskError.internalError() }
        return Int(try row.decode(column: "last_number", as: Int64.self))
    }

    /// The next ticket number of the workspace on PostgreSQL, committed on its own before the ticket is written.
    /// Inside the creating transaction the counter row stayed locked through a dozen statements and the commit's
    /// WAL flush, so concurrent creators queued on it (~150 creations/s). The procedure (migration tickets@10)
    /// increments and commits in one call, holding the row for microseconds. A creation that fails after this
    /// leaves a gap in the numbers.
    ///
    /// Its commit does not wait for the WAL flush: the creating transaction commits later with a flush that covers
    /// this record too, so a number used by a durable ticket is itself durable.
    func reserveNumber(workspaceID: UUID, on db: any SQLDatabase) async throws -> Int {
        guard let row = try await db.raw("""
            CALL reserve_ticket_number(\(bind: workspaceID.lowercased), NULL)
            """).first() else { throw HelpdeskError.internalError() }
        return Int(try row.decode(column: "number", as: Int64.self))
    }

    // MARK: - Tickets

    func insert(_ t: Ticket, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO tickets (id, workspace_id, number, subject, status, status_rank, priority, priority_rank, type,
                                 requester_id, assignee_id, team_id, organization_id, tags, followers, created_at,
                                 updated_at, solved_at, version, custom_fields, channel)
            VALUES (\(bind: t.id.lowercased), \(bind: t.workspaceID.lowercased), \(bind: t.number), \(bind: t.subject),
                    \(bind: t.status.rawValue), \(bind: t.status.rank), \(bind: t.priority.rawValue), \(bind: t.priority.rank),
                    \(bind: t.type?.rawValue), \(bind: t.requesterID.lowercased), \(bind: t.assigneeID?.lowercased),
                    \(bind: t.teamID?.lowercased), \(bind: t.organizationID?.lowercased), \(bind: Self.json(t.tags)),
                    \(bind: Self.json(t.followerIDs.map(\.lowercased))), \(bind: t.createdAt.epochMilliseconds),
                    \(bind: t.updatedAt.epochMilliseconds), \(bind: t.solvedAt?.epochMilliseconds), \(bind: t.version),
                    \(bind: Self.json(t.customFields)), \(bind: t.channel))
            """).run()
        try await insertTags(t, on: db)
    }

    /// Writes the ticket's fields; its tag rows only when `previousTags` differ (nil: rewrite them).
    func update(_ t: Ticket, previousTags: [String]? = nil, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE tickets SET subject = \(bind: t.subject), status = \(bind: t.status.rawValue),
                status_rank = \(bind: t.status.rank), priority = \(bind: t.priority.rawValue),
                priority_rank = \(bind: t.priority.rank), type = \(bind: t.type?.rawValue),
                assignee_id = \(bind: t.assigneeID?.lowercased), team_id = \(bind: t.teamID?.lowercased),
                organization_id = \(bind: t.organizationID?.lowercased), tags = \(bind: Self.json(t.tags)),
                followers = \(bind: Self.json(t.followerIDs.map(\.lowercased))),
                updated_at = \(bind: t.updatedAt.epochMilliseconds), solved_at = \(bind: t.solvedAt?.epochMilliseconds),
                version = \(bind: t.version), custom_fields = \(bind: Self.json(t.customFields))
            WHERE workspace_id = \(bind: t.workspaceID.lowercased) AND id = \(bind: t.id.lowercased)
            """).run()
        if previousTags != t.tags { try await replaceTags(t, on: db) }
    }

    func softDelete(workspaceID: UUID, id: UUID, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE tickets SET deleted_at = \(bind: now.epochMilliseconds)
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND id = \(bind: id.lowercased)
            """).run()
    }

    func markMerged(ticketID: UUID, into target: UUID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE tickets SET merged_into = \(bind: target.lowercased) WHERE id = \(bind: ticketID.lowercased)
            """).run()
    }

    /// Tickets merged into `ticketID` (their comments belong to its conversation).
    func mergedSources(workspaceID: UUID, into ticketID: UUID, on db: any SQLDatabase) async throws -> [Ticket] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM tickets
            WHERE workspace_id = \(bind: workspaceID.lowercased) AND merged_into = \(bind: ticketID.lowercased)
            """).all().map(Self.decodeTicket)
    }

    private func replaceTags(_ t: Ticket, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM ticket_tags WHERE ticket_id = \(bind: t.id.lowercased)").run()
        try await insertTags(t, on: db)
    }

    /// One statement for all of the ticket's tags.
    private func insertTags(_ t: Ticket, on db: any SQLDatabase) async throws {
        guard !t.tags.isEmpty else { return }
        try await BulkInsert.run(into: "ticket_tags", columns: ["ticket_id", "workspace_id", "tag"],
                                 rows: t.tags.map { [t.id.lowercased, t.workspaceID.lowercased, $0] }, on: db)
    }

    /// A live (not deleted) ticket by id or, when `reference` is digits, by number; locked for update when asked.
    func ticket(workspaceID: UUID, reference: String, forUpdate: Bool = false, on db: any SQLDatabase) async throws -> Ticket? {
        var query = SQLQueryString("SELECT \(unsafeRaw: Self.columns) FROM tickets WHERE workspace_id = \(bind: workspaceID.lowercased) AND deleted_at IS NULL")
        if let number = Int(reference), number > 0, !reference.contains("-") {
            query.appendInterpolation(unsafeRaw: " AND number = ")
            query.appendInterpolation(bind: number)
        } else if let id = UUID(uuidString: reference) {
            query.appendInterpolation(unsafeRaw: " AND id = ")
            query.appendInterpolation(bind: id.lowercased)
        } else {
            return nil
        }
        if forUpdate && kind == .postgres { query.appendInterpolation(unsafeRaw: " FOR UPDATE") }
        return try await db.raw(query).first().map(Self.decodeTicket)
    }

    func tickets(workspaceID: UUID, filter: TicketFilter, order: TicketOrder, limit: Int, probeWindow: Int = 0,
                 on db: any SQLDatabase) async throws -> [Ticket] {
        if case .newestMatches(let offset) = order, kind == .postgres, !filter.onlyText, filter.filtersOnCreationIndex,
           offset + limit <= probeWindow {
            let found = try await newestMatchesInWindow(workspaceID: workspaceID, filter: filter, offset: offset,
                                                        limit: limit, window: probeWindow, on: db)
            if found.count == limit { return found }
        }
        let searching = !filter.text.isEmpty && searchJoin(filter.text, workspaceID: workspaceID, scope: filter.scope) != nil
        var probing = false
        // Only for a plain search: with other filters (or a customer's own tickets) the walk could pass most of
        // the workspace before finding a page, while the join is bounded by the number of matches.
        if case .newestMatches = order, searching, kind == .postgres, filter.onlyText { probing = true }
        var q = filtered(select: Self.qualifiedColumns, workspaceID: workspaceID, filter: filter, joinSearch: !probing)
        if probing { q.appendInterpolation(newestMatchCondition(filter.text, scope: filter.scope)) }
        switch order {
        case .relevance(let offset):
            let rank = searching ? "\(rankOrder), " : ""
            q.appendInterpolation(unsafeRaw: " ORDER BY \(rank)tickets.created_at DESC, tickets.id DESC LIMIT \(limit) OFFSET \(offset)")
        case .newestMatches(let offset):
            // SQLite: the search document's rowid follows the ticket's (insertion order), and FTS5 walks it
            // backwards without sorting. PostgreSQL walks the creation index and probes the search rows.
            let order = searching && kind == .sqlite ? "search.doc DESC" : "tickets.created_at DESC, tickets.id DESC"
            q.appendInterpolation(unsafeRaw: " ORDER BY \(order) LIMIT \(limit) OFFSET \(offset)")
        case .keyset(let sort, let after):
            if let after {
                // Keyset pagination: strictly after the last row in (sort column, id) order, so rows added while
                // a client pages never shift what it has not seen yet.
                let op = sort.descending ? "<" : ">"
                q.appendInterpolation(unsafeRaw: " AND (tickets.\(sort.column) \(op) ")
                q.appendInterpolation(bind: after.value)
                q.appendInterpolation(unsafeRaw: " OR (tickets.\(sort.column) = ")
                q.appendInterpolation(bind: after.value)
                q.appendInterpolation(unsafeRaw: " AND tickets.id \(op) ")
                q.appendInterpolation(bind: after.id.lowercased)
                q.appendInterpolation(unsafeRaw: "))")
            }
            let dir = sort.descending ? "DESC" : "ASC"
            q.appendInterpolation(unsafeRaw: " ORDER BY tickets.\(sort.column) \(dir), tickets.id \(dir) LIMIT \(limit)")
        }
        return try await db.raw(q).all().map(Self.decodeTicket)
    }

    /// PostgreSQL, a broad search with filters, newest first: probes the documents of the newest `window` tickets
    /// that pass the filters, walking the creation index. When that yields `limit` rows after `offset`, they are
    /// exactly the page (every match outside the window is older than all inside it); otherwise the caller joins
    /// every match instead. The planner, misjudging how many documents match (543 for 3,328), chose the join:
    /// 30 ms for `password reset status:solved`, against 4–5 ms this way.
    private func newestMatchesInWindow(workspaceID: UUID, filter: TicketFilter, offset: Int, limit: Int, window: Int,
                                       on db: any SQLDatabase) async throws -> [Ticket] {
        var q = SQLQueryString("SELECT tickets.* FROM (")
        q.appendInterpolation(filtered(select: Self.qualifiedColumns, workspaceID: workspaceID, filter: filter, joinSearch: false))
        q.appendInterpolation(unsafeRaw: " ORDER BY tickets.created_at DESC, tickets.id DESC LIMIT \(window)) AS tickets WHERE TRUE")
        q.appendInterpolation(newestMatchCondition(filter.text, scope: filter.scope))
        q.appendInterpolation(unsafeRaw: " ORDER BY tickets.created_at DESC, tickets.id DESC LIMIT \(limit) OFFSET \(offset)")
        return try await db.raw(q).all().map(Self.decodeTicket)
    }

    /// How many live tickets match `filter` (views show counts). With `cap`, counting stops there, so a
    /// count over a large workspace costs at most `cap` index rows.
    func count(workspaceID: UUID, filter: TicketFilter, cap: Int? = nil, on db: any SQLDatabase) async throws -> Int {
        guard let cap else {
            let q = filtered(select: "COUNT(*) AS n", workspaceID: workspaceID, filter: filter)
            return try await db.raw(q).first()?.decode(column: "n", as: Int.self) ?? 0
        }
        var q = SQLQueryString("SELECT COUNT(*) AS n FROM (")
        q.appendInterpolation(filtered(select: "1 AS one", workspaceID: workspaceID, filter: filter))
        q.appendInterpolation(unsafeRaw: " LIMIT \(cap)) AS capped")
        return try await db.raw(q).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// A `LIKE` pattern that every ticket carrying `tag` matches on its own tag list (`tickets.tags`, JSON
    /// written by `json(_:)` from the same array as `ticket_tags`), checked before the exact lookup: a view of a
    /// tag walks tickets in sort order, and the pattern spares most of them a lookup (PostgreSQL, tag `billing`
    /// over 100,000 tickets: 2.5 → 0.4 ms). A superset by construction: `/`, which the encoder escapes, becomes
    /// `%`, and `_` matches any character, itself included; tags with characters the encoder might escape (not
    /// ASCII) get no pattern.
    static func tagPrefilter(_ tag: String) -> String? {
        guard !tag.isEmpty, tag.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic
            || ("0"..."9").contains($0) || "_-:.".unicodeScalars.contains($0) || $0 == "/") }) else { return nil }
        return "%" + tag.replacingOccurrences(of: "/", with: "%") + "%"
    }

    /// `SELECT <select> FROM tickets [search join] WHERE <workspace, live, filter>`.
    private func filtered(select: String, workspaceID: UUID, filter: TicketFilter, joinSearch: Bool = true) -> SQLQueryString {
        let join = filter.text.isEmpty || !joinSearch ? nil : searchJoin(filter.text, workspaceID: workspaceID, scope: filter.scope)
        var q = SQLQueryString("SELECT \(unsafeRaw: select) FROM tickets")
        if let join { q.appendInterpolation(join) }
        q.appendInterpolation(unsafeRaw: " WHERE tickets.workspace_id = ")
        q.appendInterpolation(bind: workspaceID.lowercased)
        q.appendInterpolation(unsafeRaw: " AND tickets.deleted_at IS NULL")
        if let exclusion = exclusionFilter(filter.text, scope: filter.scope) { q.appendInterpolation(exclusion) }
        func and(_ sql: String, _ value: some Encodable & Sendable) {
            q.appendInterpolation(unsafeRaw: " AND tickets.\(sql) ")
            q.appendInterpolation(bind: value)
        }
        func anyOf(_ column: String, _ values: [String]) {
            q.appendInterpolation(unsafeRaw: " AND tickets.\(column) IN (")
            for (i, v) in values.enumerated() {
                if i > 0 { q.appendInterpolation(unsafeRaw: ", ") }
                q.appendInterpolation(bind: v)
            }
            q.appendInterpolation(unsafeRaw: ")")
        }
        if let visible = filter.visibleTo {
            q.appendInterpolation(unsafeRaw: " AND (tickets.requester_id = ")
            q.appendInterpolation(bind: visible.requesterID.lowercased)
            if let org = visible.sharedOrganizationID {
                q.appendInterpolation(unsafeRaw: " OR tickets.organization_id = ")
                q.appendInterpolation(bind: org.lowercased)
            }
            q.appendInterpolation(unsafeRaw: ")")
        }
        if !filter.statuses.isEmpty { anyOf("status", filter.statuses.map(\.rawValue)) }
        if !filter.priorities.isEmpty { anyOf("priority", filter.priorities.map(\.rawValue)) }
        if !filter.types.isEmpty { anyOf("type", filter.types.map(\.rawValue)) }
        switch filter.assignee {
        case .any: break
        case .none: q.appendInterpolation(unsafeRaw: " AND tickets.assignee_id IS NULL")
        case .user(let id): and("assignee_id =", id.lowercased)
        }
        if let id = filter.teamID { and("team_id =", id.lowercased) }
        if let id = filter.requesterID { and("requester_id =", id.lowercased) }
        if let id = filter.organizationID { and("organization_id =", id.lowercased) }
        for tag in filter.tags {
            // Not with a text search: PostgreSQL takes the pattern and the lookup as independent, expects a tenth
            // of the rows, and joins every tagged ticket to the search instead (invoice tag:billing 20 -> 134 ms).
            if filter.text.isEmpty, let pattern = Self.tagPrefilter(tag) {
                q.appendInterpolation(unsafeRaw: " AND tickets.tags LIKE ")
                q.appendInterpolation(bind: pattern)
            }
            q.appendInterpolation(unsafeRaw: " AND EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = tickets.id AND tt.tag = ")
            q.appendInterpolation(bind: tag)
            q.appendInterpolation(unsafeRaw: ")")
        }
        if let date = filter.createdAfter { and("created_at >", date.epochMilliseconds) }
        if let date = filter.createdBefore { and("created_at <", date.epochMilliseconds) }
        if let date = filter.updatedAfter { and("updated_at >", date.epochMilliseconds) }
        if let date = filter.updatedBefore { and("updated_at <", date.epochMilliseconds) }
        switch filter.sla {
        case nil: break
        case .breached?: and("sla_due_at <=", filter.now.epochMilliseconds)
        case .atRisk?:
            and("sla_at_risk_at <=", filter.now.epochMilliseconds)
            and("sla_due_at >", filter.now.epochMilliseconds)
        }
        return q
    }

    // MARK: - Decoding

    static func decodeTicket(_ row: any SQLRow) throws -> Ticket {
        Ticket(
            id: try row.uuid("id"), workspaceID: try row.uuid("workspace_id"),
            number: Int(try row.decode(column: "number", as: Int64.self)),
            subject: try row.decode(column: "subject", as: String.self),
            status: TicketStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .open,
            priority: TicketPriority(rawValue: try row.decode(column: "priority", as: String.self)) ?? .normal,
            type: try row.decode(column: "type", as: String?.self).flatMap(TicketType.init(rawValue:)),
            requesterID: try row.uuid("requester_id"),
            assigneeID: try row.decode(column: "assignee_id", as: String?.self).flatMap { UUID.parse($0) },
            teamID: try row.decode(column: "team_id", as: String?.self).flatMap { UUID.parse($0) },
            organizationID: try row.decode(column: "organization_id", as: String?.self).flatMap { UUID.parse($0) },
            tags: strings(try row.decode(column: "tags", as: String.self)),
            customFields: fields(try row.decode(column: "custom_fields", as: String.self)),
            followerIDs: strings(try row.decode(column: "followers", as: String.self)).compactMap { UUID.parse($0) },
            createdAt: Date(epochMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(epochMilliseconds: try row.decode(column: "updated_at", as: Int64.self)),
            solvedAt: try row.decode(column: "solved_at", as: Int64?.self).map(Date.init(epochMilliseconds:)),
            version: try row.decode(column: "version", as: Int.self),
            channel: try row.decode(column: "channel", as: String.self),
            mergedIntoID: try row.decode(column: "merged_into", as: String?.self).flatMap { UUID.parse($0) },
            sla: try row.decode(column: "sla", as: String?.self).flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) },
            slaDueAt: try row.decode(column: "sla_due_at", as: Int64.self))
    }

    static func fields(_ json: String) -> [String: JSONValue] {
        if json == "{}" { return [:] }   // most tickets: skip the decoder
        return (try? JSONDecoder().decode([String: JSONValue].self, from: Data(json.utf8))) ?? [:]
    }

    static func json(_ values: [String: JSONValue]) -> String {
        String(decoding: (try? EventJSON.encoder().encode(values)) ?? Data("{}".utf8), as: UTF8.self)
    }


    static func json(_ strings: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(strings)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// A stored JSON array of strings (tags, follower ids). These are written by `json(_:)`; plain ones (no
    /// escapes) are split directly, the decoder handles the rest.
    static func strings(_ json: String) -> [String] {
        if json == "[]" { return [] }
        var json = json
        let plain: [String]? = json.withUTF8 { utf8 in
            // ["a","b"]: quotes around each part, commas between, nothing to unescape.
            guard utf8.count >= 4, utf8.first == UInt8(ascii: "["), utf8.last == UInt8(ascii: "]"),
                  !utf8.contains(UInt8(ascii: "\\")) else { return nil }
            var result: [String] = []
            var at = 1
            let end = utf8.count - 1
            while at < end {
                guard utf8[at] == UInt8(ascii: "\"") else { return nil }
                var close = at + 1
                while close < end, utf8[close] != UInt8(ascii: "\"") { close += 1 }
                guard close < end else { return nil }
                result.append(String(decoding: UnsafeBufferPointer(rebasing: utf8[(at + 1)..<close]), as: UTF8.self))
                at = close + 1
                if at < end {
                    guard utf8[at] == UInt8(ascii: ",") else { return nil }
                    at += 1
                    guard at < end else { return nil }
                }
            }
            return result
        }
        if let plain { return plain }
        return (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }
}
