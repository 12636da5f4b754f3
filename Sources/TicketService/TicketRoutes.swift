import Foundation
import HelpdeskCore
import HTTPTypes
import Hummingbird
import Platform

/// HTTP adapters for `/api/v1/tickets`.
struct TicketRoutes {
    let tickets: Tickets

    func add(to routes: Routes) {
        routes.post { request, context in
            let p = try context.requirePrincipal()
            var body = try await JSONBody.read(request, context: context)
            let input = NewTicket(
                subject: body.string("subject", required: true) ?? "", description: body.string("description", required: true) ?? "",
                priority: body.string("priority"), type: body.string("type"), tags: body.stringArray("tags"),
                requesterID: body.uuid("requester_id"), assigneeID: body.uuid("assignee_id"), teamID: body.uuid("team_id"),
                customFields: body.object("custom_fields"))
            let attachmentIDs = Self.uuids(&body, "attachment_ids") ?? []
            try body.validate(allowed: ["subject", "description", "priority", "type", "tags", "requester_id", "assignee_id",
                                        "team_id", "custom_fields", "attachment_ids"])
            let key = try request.headers[HTTPField.Name("Idempotency-Key")!].map {
                try IdempotencyKey(header: $0, body: .object(body.object))
            }
            let created = try await tickets.create(p, input, attachmentIDs: attachmentIDs, idempotency: key)
            return try Self.respond(created) { ["ETag": $0.etag] }
        }
        routes.get { request, context in
            let p = try context.requirePrincipal()
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            return try .json(try await tickets.list(p, query: { request.query($0) }, page: page))
        }
        routes.get("counts") { _, context in
            let p = try context.requirePrincipal()
            var counts = try await tickets.standardCounts(p, cap: Tickets.countCap)
            // Saved views count by id beside the standard keys, so the rail keeps all its numbers live.
            counts.merge(try await TicketViews(tickets: tickets).counts(p, cap: Tickets.countCap)) { standard, _ in standard }
            return try .json(counts, headers: [.cacheControl: "no-store"])
        }
        routes.get(":id") { _, context in
            let p = try context.requirePrincipal()
            let ticket = try await tickets.get(p, reference: context.parameters.get("id") ?? "")
            return try .json(ticket, headers: [.eTag: ticket.etag])
        }
        routes.patch(":id") { request, context in
            let p = try context.requirePrincipal()
            var body = try await JSONBody.read(request, context: context)
            let changes = TicketChanges.parse(&body)
            try body.validate(allowed: TicketChanges.patchFields)
            let ticket = try await tickets.update(p, reference: context.parameters.get("id") ?? "", changes,
                                                  ifMatch: request.headers[.ifMatch])
            return try .json(ticket, headers: [.eTag: ticket.etag])
        }
        routes.delete(":id") { _, context in
            let p = try context.requirePrincipal()
            try await tickets.delete(p, reference: context.parameters.get("id") ?? "")
            return Response(status: .noContent)
        }
        routes.get(":id/comments") { request, context in
            let p = try context.requirePrincipal()
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            return try .json(try await tickets.comments(p, reference: context.parameters.get("id") ?? "", page: page))
        }
        routes.post(":id/comments") { request, context in
            let p = try context.requirePrincipal()
            var body = try await JSONBody.read(request, context: context)
            let text = body.string("body", required: true) ?? ""
            let isPublic = body.bool("public") ?? true
            let attachmentIDs = Self.uuids(&body, "attachment_ids") ?? []
            try body.validate(allowed: ["body", "public", "attachment_ids"])
            let key = try request.headers[HTTPField.Name("Idempotency-Key")!].map {
                try IdempotencyKey(header: $0, body: .object(body.object))
            }
            let created = try await tickets.addComment(p, reference: context.parameters.get("id") ?? "", body: text,
                                                       isPublic: isPublic, attachmentIDs: attachmentIDs, idempotency: key)
            return try Self.respond(created) { _ in [:] }
        }
        routes.get(":id/events") { request, context in
            let p = try context.requirePrincipal()
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            return try .json(try await tickets.events(p, reference: context.parameters.get("id") ?? "", page: page))
        }
    }

    /// A list of UUIDs, each checked.
    static func uuids(_ body: inout JSONBody, _ key: String) -> [UUID]? {
        guard let raw = body.stringArray(key) else { return nil }
        var out: [UUID] = []
        for (i, text) in raw.enumerated() {
            guard let id = UUID(uuidString: text) else { body.fail("\(key)[\(i)]", "must be a UUID"); return nil }
            out.append(id)
        }
        return out
    }

    static func respond<T: Encodable & Sendable>(_ created: Created<T>, headers: (T) -> [String: String]) throws -> Response {
        switch created {
        case .created(let value):
            var fields = HTTPFields()
            for (k, v) in headers(value) { fields[HTTPField.Name(k)!] = v }
            return try .json(value, status: .created, headers: fields)
        case .replayed(let status, let body):
            return Response(status: .init(code: status),
                            headers: [.contentType: "application/json; charset=utf-8", HTTPField.Name("Idempotent-Replayed")!: "true"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}

/// HTTP adapters for `/api/v1/ticket-fields`.
struct TicketFieldRoutes {
    let fields: TicketFields

    func add(to routes: Routes) {
        routes.get { _, context in
            let p = try context.requirePrincipal()
            return try .json(Page(items: try await fields.list(p), nextCursor: nil))
        }
        routes.post { request, context in
            let p = try context.require(.admin)
            var body = try await JSONBody.read(request, context: context)
            let definition = Self.definition(&body, creating: true)
            try body.validate(allowed: Self.allowed)
            return try .json(try await fields.create(p, definition), status: .created)
        }
        routes.patch(":id") { request, context in
            let p = try context.require(.admin)
            let id = try context.parameters.uuid("id", what: "ticket field")
            var body = try await JSONBody.read(request, context: context)
            let definition = Self.definition(&body, creating: false)
            try body.validate(allowed: Self.allowed)
            return try .json(try await fields.update(p, id: id, definition))
        }
        routes.delete(":id") { _, context in
            let p = try context.require(.admin)
            try await fields.delete(p, id: try context.parameters.uuid("id", what: "ticket field"))
            return Response(status: .noContent)
        }
    }

    static let allowed: Set<String> = ["key", "title", "type", "options", "pattern", "required_on_solve",
                                       "customer_editable", "active"]

    static func definition(_ body: inout JSONBody, creating: Bool) -> FieldDefinition {
        var options: [TicketField.Option]?
        switch body.object["options"] {
        case nil, .null?: break
        case .array(let items)?:
            options = []
            for (i, item) in items.enumerated() {
                guard case .object(let o) = item, let value = o["value"]?.stringValue, let label = o["label"]?.stringValue else {
                    body.fail("options[\(i)]", "must be {\"value\": string, \"label\": string}")
                    options = nil
                    break
                }
                options?.append(TicketField.Option(value: value, label: label))
            }
        default: body.fail("options", "must be an array of {value, label}")
        }
        return FieldDefinition(key: body.string("key", required: creating), title: body.string("title", required: creating),
                               type: body.string("type", required: creating), options: options,
                               pattern: body.string("pattern"), requiredOnSolve: body.bool("required_on_solve"),
                               customerEditable: body.bool("customer_editable"), active: body.bool("active"))
    }
}

/// HTTP adapters for `/api/v1/views` and `/api/v1/tags`.
struct ViewRoutes {
    let views: TicketViews

    func add(to routes: Routes, tags: Routes) {
        tags.get { request, context in
            let p = try context.requirePrincipal()
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            return try .json(try await views.tickets.tags(p, prefix: request.query("q"), page: page))
        }
        routes.get { _, context in
            let p = try context.requirePrincipal()
            return try .json(Page(items: try await views.list(p), nextCursor: nil))
        }
        routes.post { request, context in
            let p = try context.requirePrincipal()
            var body = try await JSONBody.read(request, context: context)
            let change = Self.change(&body, creating: true)
            try body.validate(allowed: Self.fields)
            return try .json(try await views.create(p, change), status: .created)
        }
        routes.put("order") { request, context in
            let p = try context.requirePrincipal()
            var body = try await JSONBody.read(request, context: context)
            let ids = body.updateStringArray("ids")
            if !body.has("ids") { body.fail("ids", "is required: the ids of your views, first to last") }
            try body.validate(allowed: ["ids"])
            return try .json(Page(items: try await views.reorder(p, ids: ids.value ?? []), nextCursor: nil))
        }
        routes.get(":id") { _, context in
            let p = try context.requirePrincipal()
            return try .json(try await views.get(p, id: try context.parameters.uuid("id", what: "view")))
        }
        routes.patch(":id") { request, context in
            let p = try context.requirePrincipal()
            let id = try context.parameters.uuid("id", what: "view")
            var body = try await JSONBody.read(request, context: context)
            let change = Self.change(&body)
            try body.validate(allowed: Self.fields)
            return try .json(try await views.update(p, id: id, change))
        }
        routes.delete(":id") { _, context in
            let p = try context.requirePrincipal()
            try await views.delete(p, id: try context.parameters.uuid("id", what: "view"))
            return Response(status: .noContent)
        }
        routes.get(":id/tickets") { request, context in
            let p = try context.requirePrincipal()
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            return try .json(try await views.tickets(p, id: try context.parameters.uuid("id", what: "view"), page: page))
        }
    }

    static let fields: Set<String> = ["title", "filters", "sort", "columns", "shared", "team_id"]

    static func change(_ body: inout JSONBody, creating: Bool = false) -> TicketViewChange {
        let columns = body.updateStringArray("columns")
        let shared = body.updateBool("shared")
        return TicketViewChange(title: body.string("title", required: creating), filters: filters(&body), sort: body.updateString("sort", nullable: true),
                                columns: columns.value, shared: shared.value, teamID: body.updateUUID("team_id"))
    }

    /// `filters` as an object of strings.
    static func filters(_ body: inout JSONBody) -> [String: String]? {
        guard let object = body.object("filters") else { return nil }
        var out: [String: String] = [:]
        for (key, value) in object {
            guard case .string(let s) = value else {
                body.fail("filters.\(key)", "must be a string, as in the query of GET /tickets")
                continue
            }
            out[key] = s
        }
        return out
    }
}

/// HTTP adapters for merge and bulk update.
struct TicketBulkRoutes {
    let tickets: Tickets

    func add(to routes: Routes) {
        routes.post(":id/merge") { request, context in
            let p = try context.requirePrincipal()
            var body = try await JSONBody.read(request, context: context)
            let into = body.string("into_ticket_id", required: true)
            try body.validate(allowed: ["into_ticket_id"])
            let target = try await tickets.merge(p, reference: context.parameters.get("id") ?? "", into: into ?? "")
            return try .json(target, headers: [.eTag: target.etag])
        }
        routes.post("bulk") { request, context in
            let p = try context.requirePrincipal()
            var body = try await JSONBody.read(request, context: context)
            let ids = body.stringArray("ids")
            if ids == nil && !body.has("ids") { body.fail("ids", "is required") }
            let changesObject = body.object("changes")
            if changesObject == nil && !body.has("changes") { body.fail("changes", "is required") }
            try body.validate(allowed: ["ids", "changes"])
            var changesBody = JSONBody(object: changesObject ?? [:])
            let changes = TicketChanges(
                subject: changesBody.string("subject"), status: changesBody.string("status"),
                priority: changesBody.string("priority"), type: changesBody.updateString("type", nullable: true),
                assigneeID: changesBody.updateUUID("assignee_id"), teamID: changesBody.updateUUID("team_id"),
                tags: changesBody.stringArray("tags"), customFields: changesBody.object("custom_fields"))
            do {
                try changesBody.validate(allowed: ["subject", "status", "priority", "type", "assignee_id", "team_id", "tags",
                                                   "custom_fields"])
            } catch let error as HelpdeskError {
                throw HelpdeskError.validation(error.errors.map { FieldError(field: "changes.\($0.field)", message: $0.message) })
            }
            let results = try await tickets.bulkUpdate(p, references: ids ?? [], changes)
            return try .json(Page(items: results, nextCursor: nil))
        }
    }
}
