import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// Which documents a search may match: customers only what they can read.
enum SearchScope: String, Sendable {
    /// Subject and public comments.
    case publicText = "public"
    /// Subject and every comment, internal notes included.
    case all
}

extension SearchText {
    /// The PostgreSQL `websearch_to_tsquery` input: the positive words, then each excluded one with a minus.
    var websearchQuery: String {
        var query = websearchPositive
        if !excluded.isEmpty { query += " " + excluded.map { "-\($0)" }.joined(separator: " ") }
        return query
    }
}

extension TicketStore {
    /// Writes the search documents of a ticket just inserted in the caller's transaction, from the text in hand:
    /// on PostgreSQL one statement instead of reading back the ticket and its comments and deleting documents
    /// that cannot exist yet. SQLite keys its documents by the ticket's rowid, so it goes through `reindex`.
    func indexNew(_ ticket: Ticket, comments: [Comment], on db: any SQLDatabase) async throws {
        guard kind == .postgres else { return try await reindex(ticketID: ticket.id, on: db) }
        let (publicText, allText) = Self.documents(subject: ticket.subject, comments: comments.map { ($0.body, $0.isPublic) })
        let id = ticket.id.lowercased, workspace = ticket.workspaceID.lowercased
        try await db.raw("""
            INSERT INTO ticket_search (ticket_id, workspace_id, scope, body)
            VALUES (\(bind: id), \(bind: workspace), \(bind: SearchScope.publicText.rawValue), \(bind: publicText)),
                   (\(bind: id), \(bind: workspace), \(bind: SearchScope.all.rawValue), \(bind: allText))
            """).run()
    }

    /// The text of a ticket's two search documents: what customers may match (subject and public comments)
    /// and what staff may match (everything). `indexNew` and `reindex` must write the same text.
    static func documents(subject: String, comments: [(body: String, isPublic: Bool)]) -> (publicText: String, allText: String) {
        (([subject] + comments.filter(\.isPublic).map(\.body)).joined(separator: "\n"),
         ([subject] + comments.map(\.body)).joined(separator: "\n"))
    }

    /// Adds a new comment to the ticket's search documents (both for a public reply, staff's only for an
    /// internal note), in the caller's transaction. On PostgreSQL one statement instead of `reindex`'s five,
    /// which also read every earlier comment. The text equals what `reindex` writes, as the new comment is the
    /// ticket's newest; documents that are missing (none should be) are rebuilt. SQLite rebuilds: its reads
    /// are in-process.
    func indexComment(_ comment: Comment, on db: any SQLDatabase) async throws {
        guard kind == .postgres else { return try await reindex(ticketID: comment.ticketID, on: db) }
        let scopes = comment.isPublic ? "'\(SearchScope.publicText.rawValue)', '\(SearchScope.all.rawValue)'"
                                      : "'\(SearchScope.all.rawValue)'"
        let updated = try await db.raw("""
            UPDATE ticket_search SET body = body || \(bind: "\n" + comment.body)
            WHERE ticket_id = \(bind: comment.ticketID.lowercased) AND scope IN (\(unsafeRaw: scopes))
            RETURNING scope
            """).all().count
        if updated < (comment.isPublic ? 2 : 1) { try await reindex(ticketID: comment.ticketID, on: db) }
    }

    /// Rebuilds the ticket's two search documents from its subject and comments, in the caller's transaction.
    /// SQLite's FTS rows are keyed by the ticket's rowid so the update never scans the index.
    func reindex(ticketID: UUID, on db: any SQLDatabase) async throws {
        guard let row = try await db.raw("""
            SELECT workspace_id, subject, deleted_at\(unsafeRaw: kind == .sqlite ? ", rowid" : "") FROM tickets
            WHERE id = \(bind: ticketID.lowercased)
            """).first() else { return }
        let workspaceID = try row.decode(column: "workspace_id", as: String.self)
        let subject = try row.decode(column: "subject", as: String.self)
        let deleted = try row.decode(column: "deleted_at", as: Int64?.self) != nil
        // A merged ticket's comments are part of its target's conversation, so also of its text. Both conditions
        // name the workspace and no OR defeats the (workspace, ticket) index: a lookup, not a scan.
        let comments = try await db.raw("""
            SELECT body, is_public FROM comments
            WHERE workspace_id = \(bind: workspaceID)
              AND ticket_id IN (SELECT \(bind: ticketID.lowercased) UNION ALL
                                SELECT id FROM tickets WHERE workspace_id = \(bind: workspaceID)
                                AND merged_into = \(bind: ticketID.lowercased))
            ORDER BY id
            """).all().map { (try $0.decode(column: "body", as: String.self), try $0.decode(column: "is_public", as: Bool.self)) }
        let (publicText, allText) = Self.documents(subject: subject, comments: comments)
        switch kind {
        case .sqlite:
            let base = try row.decode(column: "rowid", as: Int64.self) * 2
            try await db.raw("DELETE FROM ticket_search WHERE rowid IN (\(bind: base), \(bind: base + 1))").run()
            if deleted { return }
            for (offset, scope, body) in [(Int64(0), SearchScope.publicText, publicText), (1, .all, allText)] {
                try await db.raw("""
                    INSERT INTO ticket_search (rowid, body, ticket_id, workspace_id, scope)
                    VALUES (\(bind: base + offset), \(bind: body), \(bind: ticketID.lowercased), \(bind: workspaceID),
                            \(bind: scope.rawValue))
                    """).run()
            }
        case .postgres:
            try await db.raw("DELETE FROM ticket_search WHERE ticket_id = \(bind: ticketID.lowercased)").run()
            if deleted { return }
            for (scope, body) in [(SearchScope.publicText, publicText), (.all, allText)] {
                try await db.raw("""
                    INSERT INTO ticket_search (ticket_id, workspace_id, scope, body)
                    VALUES (\(bind: ticketID.lowercased), \(bind: workspaceID), \(bind: scope.rawValue), \(bind: body))
                    """).run()
            }
        }
    }

    /// The join that restricts tickets to those matching `text` and exposes their rank as `search.rank`
    /// (lower is better on SQLite's bm25, higher on PostgreSQL's ts_rank; `rankOrder` says which).
    func searchJoin(_ text: SearchText, workspaceID: UUID, scope: SearchScope) -> SQLQueryString? {
        switch kind {
        case .sqlite:
            guard text.hasPositive else { return nil }
            var match = text.fts5Positive
            if !text.excluded.isEmpty { match += " NOT (\(text.fts5Excluded))" }
            return """
                 JOIN (SELECT rowid AS doc, ticket_id, bm25(ticket_search) AS rank FROM ticket_search
                       WHERE ticket_search MATCH \(bind: match) AND workspace_id = \(bind: workspaceID.lowercased)
                         AND scope = \(bind: scope.rawValue)) search ON search.ticket_id = tickets.id
                """
        case .postgres:
            let query = text.websearchQuery
            return """
                 JOIN (SELECT ticket_id, ts_rank(tsv, websearch_to_tsquery('simple', \(bind: query))) AS rank
                       FROM ticket_search WHERE tsv @@ websearch_to_tsquery('simple', \(bind: query))
                         AND workspace_id = \(bind: workspaceID.lowercased) AND scope = '\(unsafeRaw: scope.rawValue)'
                      ) search ON search.ticket_id = tickets.id
                """
        }
    }

    /// For a query of excluded words only (SQLite): tickets whose text has none of them.
    func exclusionFilter(_ text: SearchText, scope: SearchScope) -> SQLQueryString? {
        guard kind == .sqlite, !text.hasPositive, !text.excluded.isEmpty else { return nil }
        return """
             AND tickets.id NOT IN (SELECT ticket_id FROM ticket_search WHERE ticket_search MATCH \(bind: text.fts5Excluded)
                                    AND scope = \(bind: scope.rawValue))
            """
    }

    var rankOrder: String { kind == .sqlite ? "search.rank ASC" : "search.rank DESC" }

    /// PostgreSQL, newest matches first: a condition checked per ticket while walking the creation index, so a
    /// page of a broad search probes a few hundred documents instead of collecting and sorting every match (the
    /// planner, misjudging how many documents match, chose the latter: 35 ms for 3,300 matches, 2 ms this way).
    /// A scalar subquery, because the planner would turn `EXISTS` back into that join. The scope is one of two
    /// literals (an enum), written inline so the per-scope index applies.
    func newestMatchCondition(_ text: SearchText, scope: SearchScope) -> SQLQueryString {
        let query = text.websearchQuery
        return """
             AND (SELECT s.tsv @@ websearch_to_tsquery('simple', \(bind: query)) FROM ticket_search s
                  WHERE s.ticket_id = tickets.id AND s.scope = '\(unsafeRaw: scope.rawValue)')
            """
    }

    /// How many search documents match the positive terms, counting no further than `cap` (cheap: no ranking,
    /// no ticket rows). Decides between relevance order and newest first.
    func searchMatches(_ text: SearchText, workspaceID: UUID, scope: SearchScope, cap: Int,
                       on db: any SQLDatabase) async throws -> Int {
        guard text.hasPositive else { return 0 }
        let inner: SQLQueryString = switch kind {
        case .sqlite: """
            SELECT 1 FROM ticket_search WHERE ticket_search MATCH \(bind: text.fts5Positive)
              AND workspace_id = \(bind: workspaceID.lowercased) AND scope = \(bind: scope.rawValue) LIMIT \(unsafeRaw: String(cap))
            """
        // PostgreSQL counts with the exclusions, as its join and probe match: counting the positive words alone
        // could call `foo -bar` broad when hardly any document has foo without bar.
        case .postgres: """
            SELECT 1 FROM ticket_search WHERE tsv @@ websearch_to_tsquery('simple', \(bind: text.websearchQuery))
              AND workspace_id = \(bind: workspaceID.lowercased) AND scope = '\(unsafeRaw: scope.rawValue)'
              LIMIT \(unsafeRaw: String(cap))
            """
        }
        var q = SQLQueryString("SELECT COUNT(*) AS n FROM (")
        q.appendInterpolation(inner)
        q.appendInterpolation(unsafeRaw: ") AS matches")
        return try await db.raw(q).first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
