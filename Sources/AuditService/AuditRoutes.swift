import Foundation
import HelpdeskCore
import Hummingbird
import Platform

/// HTTP adapters for `/api/v1/audit`: list, verify, export. There is deliberately no route that changes a record.
struct AuditRoutes {
    let log: AuditLog

    func add(to routes: Routes) {
        routes.get("events") { request, context in
            let principal = try context.require(.admin)
            let filter = try Self.filter(request)
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            return try .json(try await log.list(principal, filter: filter, page: page))
        }
        routes.get("verify") { _, context in
            let principal = try context.require(.admin)
            return try .json(try await log.verify(principal), headers: [.cacheControl: "no-store"])
        }
        routes.get("export") { request, context in
            let principal = try context.require(.admin)
            let filter = try Self.filter(request)
            let format = request.query("format") ?? "jsonl"
            guard let export = AuditExport(rawValue: format) else {
                throw HelpdeskError.badParameter("format", "must be csv or jsonl")
            }
            let log = self.log
            // Streamed page by page: an export of millions of records never sits in memory.
            let body = ResponseBody { writer in
                if export == .csv { try await writer.write(ByteBuffer(string: AuditExport.csvHeader)) }
                try await log.forEachBatch(principal, filter: filter) { records in
                    var buffer = ByteBuffer()
                    for record in records { buffer.writeString(try export.line(record)) }
                    try await writer.write(buffer)
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [
                .contentType: export.contentType,
                .contentDisposition: "attachment; filename=\"audit.\(export.rawValue)\"",
                .cacheControl: "no-store",
            ], body: body)
        }
    }

    static func filter(_ request: Request) throws -> AuditFilter {
        var filter = AuditFilter()
        func uuid(_ name: String) throws -> UUID? {
            guard let raw = request.query(name) else { return nil }
            guard let id = UUID(uuidString: raw) else { throw HelpdeskError.badParameter(name, "must be a UUID") }
            return id
        }
        func date(_ name: String) throws -> Date? {
            guard let raw = request.query(name) else { return nil }
            guard let date = RFC3339.date(from: raw) else {
                throw HelpdeskError.badParameter(name, "must be an RFC 3339 timestamp such as 2026-01-31T09:15:00Z (in a query string, write + as %2B)")
            }
            return date
        }
        filter.actorID = try uuid("actor_id")
        filter.subjectID = try uuid("subject_id")
        filter.action = request.query("action")
        filter.subjectType = request.query("subject_type")
        filter.from = try date("from")
        filter.to = try date("to")
        return filter
    }
}

/// The export formats: JSON Lines (one record per line, as the list shows it) and CSV.
enum AuditExport: String {
    case csv, jsonl

    var contentType: String { self == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson" }

    static let csvHeader = "id,position,occurred_at,recorded_at,action,actor_id,actor_type,actor_role,subject_type,"
        + "subject_id,ip,user_agent,via,request_id,event_id,data,prev_hash,hash\r\n"

    func line(_ r: AuditRecord) throws -> String {
        switch self {
        case .jsonl:
            return String(decoding: try EventJSON.encoder().encode(r), as: UTF8.self) + "\n"
        case .csv:
            let fields: [String?] = [
                r.id.lowercased, String(r.position), RFC3339.string(from: r.occurredAt), RFC3339.string(from: r.recordedAt),
                r.action, r.actorID?.lowercased, r.actorType, r.actorRole, r.subjectType, r.subjectID?.lowercased, r.ip,
                r.userAgent, r.via, r.requestID, r.eventID?.lowercased, r.data, r.previousHash, r.hash,
            ]
            return fields.map { Self.csvField($0 ?? "") }.joined(separator: ",") + "\r\n"
        }
    }

    /// RFC 4180 quoting, and a leading quote mark on values a spreadsheet would run as a formula.
    static func csvField(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
