import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// The ticket lifecycle: who may see and change which ticket, and the history each change writes.
public struct Tickets: Sendable {
    let database: Database
    let directory: any UserDirectory
    let clock: TimeSource
    let store: TicketStore
    public let fields: TicketFields
    let attachments: (any AttachmentRegistry)?
    /// Replaces `relevanceLimit` (tests exercise the switch with a handful of tickets).
    public var relevanceLimitOverride: Int?
    /// Replaces `probeWindow` (tests exercise both sides of it with a handful of tickets).
    public var probeWindowOverride: Int?

    public init(database: Database, directory: any UserDirectory, attachments: (any AttachmentRegistry)? = nil,
                clock: TimeSource = .system) {
        self.database = database
        self.directory = directory
        self.attachments = attachments
        self.clock = clock
        self.store = TicketStore(kind: database.kind)
        self.fields = TicketFields(database: database, clock: clock)
    }

    /// The ticket as `p` may see it: values of deactivated fields dropped, and internal fields and the SLA (an
    /// internal promise) for customers.
    func presented(_ t: Ticket, to p: Principal, fields: [TicketField]) -> Ticket {
        var out = t
        out.customFields = self.fields.visible(t.customFields, fields: fields, role: p.role)
        if !p.role.isStaff { out.sla = nil }
        return out
    }

    // MARK: - Creating

    /// - Parameter routedTeamID: a team chosen by the channel the ticket came through (a mailbox's team), set
    ///   whoever the requester is; `input.teamID` is the caller's own choice, refused from customers.
    public func create(_ p: Principal, _ input: NewTicket, attachmentIDs: [UUID] = [],
                       idempotency: IdempotencyKey? = nil, routedTeamID: UUID? = nil,
                       origin: MessageOrigin? = nil) async throws -> Created<Ticket> {
        var errors: [FieldError] = []
        let subject = TicketValidation.subject(input.subject, errors: &errors)
        let description = TicketValidation.body(input.description, field: "description", errors: &errors)
        let priority = input.priority.map { TicketValidation.priority($0, errors: &errors) } ?? .normal
        let type = input.type.flatMap { TicketValidation.type($0, errors: &errors) }
        let tags = TicketValidation.tags(input.tags ?? [], errors: &errors) ?? []
        if p.role == .customer {
            // Customers may tag a new ticket (a form's category), but never assign it.
            for (field, set) in [("assignee_id", input.assigneeID != nil), ("team_id", input.teamID != nil)] where set {
                errors.append(.init(field: field, message: "cannot be set by customers"))
            }
            if let requester = input.requesterID, requester != p.userID {
                errors.append(.init(field: "requester_id", message: "customers open tickets for themselves only"))
            }
        }
        let requesterID = input.requesterID ?? p.userID
        let requester = try await directory.user(workspaceID: p.workspaceID, id: requesterID)
        if requester == nil || requester?.active == false {
            errors.append(.init(field: "requester_id", message: "is not an active user of this workspace"))
        }
        try await checkAssignment(p.workspaceID, assigneeID: input.assigneeID, teamID: input.teamID ?? routedTeamID,
                                  errors: &errors)
        let definitions = try await store.fields(workspaceID: p.workspaceID, on: database.sql)
        let values = fields.merge(input.customFields ?? [:], into: [:], fields: definitions, role: p.role, errors: &errors)
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }

        let now = clock.now
        let store = self.store
        let workspaceID = p.workspaceID
        var ticketDraft = Ticket(id: UUIDv7.make(at: now), workspaceID: workspaceID, number: 0, subject: subject!,
                            status: input.assigneeID == nil ? .new : .open, priority: priority ?? .normal, type: type,
                            requesterID: requesterID, assigneeID: input.assigneeID, teamID: input.teamID ?? routedTeamID,
                            organizationID: requester?.organizationID, tags: tags, customFields: values, followerIDs: [],
                            createdAt: now,
                            updatedAt: now, solvedAt: nil, version: 1)
        if let idempotency, let earlier = try await store.idempotentResponse(
            workspaceID: workspaceID, userID: p.userID, scope: "tickets.create", key: idempotency.key, on: database.sql) {
            // A retry: answer before trying to attach the (already attached) files again.
            guard earlier.hash == idempotency.requestHash else { throw Self.keyReused() }
            return .replayed(status: earlier.status, body: earlier.body)
        }
        ticketDraft.channel = Self.channel(origin)
        let draft = ticketDraft
        var comment = Comment(id: UUIDv7.make(at: now), ticketID: draft.id, authorID: p.userID, body: description!,
                              isPublic: true, createdAt: now)
        comment.stamp(origin)
        comment.attachments = try await attach(attachmentIDs, p, ticketID: draft.id, commentID: comment.id, isPublic: true)
        let described = comment
        let events = TicketHistory(principal: p, at: now)
        let reserved = store.kind == .postgres ? try await store.reserveNumber(workspaceID: workspaceID, on: database.sql) : nil
        do {
            return try await withAttachments(p, commentID: comment.id, attached: !comment.attachments.isEmpty) {
            try await database.transaction { db in
                if let idempotency, let earlier = try await store.idempotentResponse(
                    workspaceID: workspaceID, userID: p.userID, scope: "tickets.create", key: idempotency.key, on: db) {
                    guard earlier.hash == idempotency.requestHash else { throw Self.keyReused() }
                    return .replayed(status: earlier.status, body: earlier.body)
                }
                var ticket = draft
                if let reserved { ticket.number = reserved } else {
                    ticket.number = try await store.nextNumber(workspaceID: workspaceID, on: db)
                }
                try await store.insert(ticket, on: db)
                try await store.insert(described, workspaceID: workspaceID, on: db)
                try await store.indexNew(ticket, comments: [described], on: db)
                try await store.record(events.created(ticket, comment: described), ticketID: ticket.id, on: db)
                let shown = self.presented(ticket, to: p, fields: definitions)
                if let idempotency {
                    let body = String(decoding: try EventJSON.encoder().encode(shown), as: UTF8.self)
                    try await store.rememberResponse(workspaceID: workspaceID, userID: p.userID, scope: "tickets.create",
                                                     key: idempotency.key, hash: idempotency.requestHash, status: 201,
                                                     body: body, at: now, on: db)
                }
                return .created(shown)
            }
            }
        } catch where Database.isUniqueViolation(error) && idempotency != nil {
            // A concurrent request with the same key won the race; answer as it did.
            guard let earlier = try await store.idempotentResponse(workspaceID: workspaceID, userID: p.userID,
                                                                   scope: "tickets.create", key: idempotency!.key,
                                                                   on: database.sql) else { throw error }
            guard earlier.hash == idempotency!.requestHash else { throw Self.keyReused() }
            return .replayed(status: earlier.status, body: earlier.body)
        }
    }

    /// Attaches uploads through the files service before the comment is written.
    func attach(_ ids: [UUID], _ p: Principal, ticketID: UUID, commentID: UUID, isPublic: Bool) async throws -> [AttachmentInfo] {
        guard !ids.isEmpty else { return [] }
        guard let attachments else { throw HelpdeskError.validation(field: "attachment_ids", "files are not served by this process") }
        return try await attachments.attach(workspaceID: p.workspaceID, fileIDs: ids, uploaderID: p.userID, ticketID: ticketID,
                                            commentID: commentID, isPublic: isPublic)
    }

    /// Runs `body`; if it fails after files were attached, detaches them again so they can be reused.
    func withAttachments<T>(_ p: Principal, commentID: UUID, attached: Bool, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch {
            if attached { try? await attachments?.detach(workspaceID: p.workspaceID, commentID: commentID) }
            throw error
        }
    }

    static func keyReused() -> HelpdeskError {
        HelpdeskError(status: 422, code: "idempotency_key_reused", title: "Idempotency key reused",
                      detail: "This Idempotency-Key was used with a different request body.",
                      errors: [FieldError(field: "Idempotency-Key", message: "was used with another body")])
    }

    /// An assignee must be an active agent or admin; a team must exist.
    func checkAssignment(_ workspaceID: UUID, assigneeID: UUID?, teamID: UUID?, errors: inout [FieldError]) async throws {
        if let assigneeID {
            let user = try await directory.user(workspaceID: workspaceID, id: assigneeID)
            if user == nil || user?.active == false || user?.role.isStaff == false {
                errors.append(.init(field: "assignee_id", message: "must be an active agent of this workspace"))
            }
        }
        if let teamID, try await !directory.teamExists(workspaceID: workspaceID, id: teamID) {
            errors.append(.init(field: "team_id", message: "does not exist"))
        }
    }

    // MARK: - Reading

    /// The ticket if the caller may see it; otherwise 404, so a customer cannot learn it exists.
    public func get(_ p: Principal, reference: String) async throws -> Ticket {
        let ticket = try await visibleTicket(p, reference: reference)
        return presented(ticket, to: p, fields: try await store.presentationFields(workspaceID: p.workspaceID, on: database.sql))
    }

    /// The stored ticket, all values included, if `p` may see it.
    func visibleTicket(_ p: Principal, reference: String) async throws -> Ticket {
        guard let ticket = try await store.ticket(workspaceID: p.workspaceID, reference: reference, on: database.sql),
              try await canSee(p, ticket) else { throw HelpdeskError.notFound("ticket") }
        return ticket
    }

    func canSee(_ p: Principal, _ ticket: Ticket) async throws -> Bool {
        if p.role.isStaff || ticket.requesterID == p.userID { return true }
        guard let org = ticket.organizationID else { return false }
        return try await sharedOrganization(of: p) == org
    }

    /// The customer's organization when it shares tickets among its members.
    func sharedOrganization(of p: Principal) async throws -> UUID? {
        guard let me = try await directory.user(workspaceID: p.workspaceID, id: p.userID), let org = me.organizationID,
              let details = try await directory.organization(workspaceID: p.workspaceID, id: org),
              details.sharedTickets else { return nil }
        return org
    }

    /// Lists tickets by filters and `q`. With free text and no explicit `sort`, results come by relevance.
    public func list(_ p: Principal, query: (String) -> String?, page: PageRequest) async throws -> Page<Ticket> {
        var filter = try TicketFilter.parse(query, me: p.userID)
        if p.role == .customer {
            filter.visibleTo = .init(requesterID: p.userID, sharedOrganizationID: try await sharedOrganization(of: p))
            filter.scope = .publicText
        }
        if let q = query("q") { try await apply(try TicketSearchQuery.parse(q), to: &filter, p) }
        filter.now = clock.now
        if filter.sla != nil, !p.role.isStaff { throw HelpdeskError.badParameter("sla", "is for agents") }
        let order: TicketOrder
        if filter.text.hasPositive && query("sort") == nil {
            let (offset, newest) = try Self.searchCursor(page.after)
            if let newest {
                // The first page chose the order; later pages keep it (and skip the count that chose it), so a
                // search crossing the limit while someone pages through it never switches order mid-way.
                order = newest ? .newestMatches(offset: offset) : .relevance(offset: offset)
            } else {
                // Ranking costs a pass over every match: past `relevanceLimit` matches, newest first instead.
                let matches = try await store.searchMatches(filter.text, workspaceID: p.workspaceID, scope: filter.scope,
                                                            cap: relevanceLimit + 1, on: database.sql)
                order = matches > relevanceLimit ? .newestMatches(offset: offset) : .relevance(offset: offset)
            }
        } else {
            let sort = try TicketSort.parse(query("sort"))
            if sort.field == "sla_due", !p.role.isStaff { throw HelpdeskError.badParameter("sort", "sla_due is for agents") }
            order = .keyset(sort, after: try sort.decode(page.after))
        }
        let rows = try await store.tickets(workspaceID: p.workspaceID, filter: filter, order: order,
                                           limit: page.limit + 1, probeWindow: probeWindow, on: database.sql)
        let items = Array(rows.prefix(page.limit))
        let definitions = try await store.presentationFields(workspaceID: p.workspaceID, on: database.sql)
        var next: String?
        if rows.count > page.limit {
            switch order {
            case .relevance(let offset): next = Cursor.encode("rank:\(offset + page.limit)")
            case .newestMatches(let offset): next = Cursor.encode("newest:\(offset + page.limit)")
            case .keyset(let sort, _): next = items.last.map(sort.cursor(for:))
            }
        }
        return Page(items: items.map { presented($0, to: p, fields: definitions) }, nextCursor: next)
    }

    /// A search page's cursor: the offset, and the order the first page chose (`rank:`, `newest:`); `rel:`, from
    /// before the order was carried, leaves it to be chosen again.
    static func searchCursor(_ raw: String?) throws -> (offset: Int, newest: Bool?) {
        guard let raw else { return (0, nil) }
        for (prefix, newest) in [("rank:", false as Bool?), ("newest:", true), ("rel:", nil)] where raw.hasPrefix(prefix) {
            if let n = Int(raw.dropFirst(prefix.count)), n >= 0 { return (n, newest) }
        }
        throw HelpdeskError.badParameter("cursor", "does not belong to this search")
    }

    /// Folds the field terms of `q` into the filter; emails become user ids.
    private func apply(_ search: TicketSearchQuery, to filter: inout TicketFilter, _ p: Principal) async throws {
        filter.text = search.text
        filter.statuses += search.statuses
        filter.priorities += search.priorities
        filter.types += search.types
        filter.tags += search.tags
        filter.createdAfter = search.createdAfter ?? filter.createdAfter
        filter.createdBefore = search.createdBefore ?? filter.createdBefore
        filter.updatedAfter = search.updatedAfter ?? filter.updatedAfter
        filter.updatedBefore = search.updatedBefore ?? filter.updatedBefore
        filter.sla = search.sla ?? filter.sla
        filter.now = clock.now
        if filter.sla != nil, !p.role.isStaff { throw HelpdeskError.badParameter("q", "sla: is for agents") }
        // An unknown email matches no ticket rather than failing: searching is asking, not asserting.
        let nobody = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        switch search.assignee {
        case nil: break
        case "me"?: filter.assignee = .user(p.userID)
        case "none"?: filter.assignee = TicketFilter.Assignee.none
        case let email?: filter.assignee = .user(try await directory.user(workspaceID: p.workspaceID, email: email)?.id ?? nobody)
        }
        if let email = search.requesterEmail {
            filter.requesterID = try await directory.user(workspaceID: p.workspaceID, email: email)?.id ?? nobody
        }
    }

    /// How many tickets the list with these parameters holds in all.
    func count(_ p: Principal, query: (String) -> String?, cap: Int? = nil) async throws -> Int {
        var filter = try TicketFilter.parse(query, me: p.userID)
        if p.role == .customer {
            filter.visibleTo = .init(requesterID: p.userID, sharedOrganizationID: try await sharedOrganization(of: p))
            filter.scope = .publicText
        }
        if let q = query("q") { try await apply(try TicketSearchQuery.parse(q), to: &filter, p) }
        filter.now = clock.now
        if filter.sla != nil, !p.role.isStaff { throw HelpdeskError.badParameter("sla", "is for agents") }
        return try await store.count(workspaceID: p.workspaceID, filter: filter, cap: cap, on: database.sql)
    }

    /// The agent workspace's standard views, by key, with the list filters that define them.
    static let standardViews: [(key: String, query: [String: String])] = [
        ("my_open", ["assignee_id": "me", "status": "new,open,pending,on_hold"]),
        ("unassigned", ["assignee_id": "none", "status": "new,open"]),
        ("all_open", ["status": "new,open"]),
        ("pending", ["status": "pending,on_hold"]),
        ("solved", ["status": "solved"]),
    ]

    /// Searches matching more documents than this come newest first rather than by relevance. PostgreSQL's
    /// `ts_rank` reads each match's whole vector (about 60 µs a document on the benchmark machine, 60 ms for
    /// 1,000); FTS5's bm25 costs a fraction of that, but ranking 1,000 put the p99 of a search over 1,000,000
    /// tickets at the 50 ms target.
    public var relevanceLimit: Int { relevanceLimitOverride ?? (database.kind == .postgres ? 200 : 500) }

    /// How many of the newest filtered tickets a broad search with filters probes (PostgreSQL) before it joins
    /// every match instead. A probe costs 5–15 µs, so a window that misses wastes up to ~20–45 ms, where a page
    /// found in it costs 1–15 ms against the join's 20–40 ms (100,000 tickets). 3,000 fills the page of
    /// `login error priority:high`, where 2,000 missed it.
    public var probeWindow: Int { probeWindowOverride ?? 3_000 }

    /// Where view counts stop counting (the UI shows "999+").
    public static let countCap = 1000

    /// `GET /tickets/counts`: the size of each standard view (staff only), each counted up to `cap`.
    public func standardCounts(_ p: Principal, cap: Int) async throws -> [String: Int] {
        guard p.role.isStaff else { throw HelpdeskError.forbidden("View counts are for agents.") }
        var counts: [String: Int] = [:]
        for view in Self.standardViews {
            var filter = try TicketFilter.parse({ view.query[$0] }, me: p.userID)
            filter.now = clock.now
            counts[view.key] = try await store.count(workspaceID: p.workspaceID, filter: filter, cap: cap, on: database.sql)
        }
        return counts
    }

    /// `GET /tags`: tags in use with their ticket counts, most used first (staff only).
    public func tags(_ p: Principal, prefix: String?, page: PageRequest) async throws -> Page<TagCount> {
        guard p.role.isStaff else { throw HelpdeskError.forbidden("Tags are for agents.") }
        let offset = try page.after.map { raw -> Int in
            guard let n = Int(raw), n >= 0 else { throw HelpdeskError.badParameter("cursor", "is not valid") }
            return n
        } ?? 0
        let rows = try await store.tags(workspaceID: p.workspaceID, prefix: prefix, offset: offset, limit: page.limit + 1,
                                        on: database.sql)
        let items = rows.prefix(page.limit).map { TagCount(name: $0.0, count: $0.1) }
        return Page(items: Array(items), nextCursor: rows.count > page.limit ? Cursor.encode(String(offset + page.limit)) : nil)
    }
}

/// A tag and how many live tickets carry it.
public struct TagCount: Sendable, Encodable {
    public let name: String
    public let count: Int
}

extension Tickets {
    /// The channel of something created now: the message's own, else the web UI or the API (from the request).
    static func channel(_ origin: MessageOrigin?) -> String {
        origin?.channel ?? (EventContext.current?.via == "ui" ? "web" : "api")
    }
}

extension Comment {
    mutating func stamp(_ origin: MessageOrigin?) {
        channel = Tickets.channel(origin)
        sourceAddress = origin?.address
        sourceMessageID = origin?.messageID
        quotedText = origin?.quotedText.map { String($0.prefix(65_536)) }
        unverifiedSender = origin?.unverifiedSender ?? false
    }
}
