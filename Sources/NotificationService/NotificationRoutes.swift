import Foundation
import HelpdeskCore
import Hummingbird
import Platform

/// HTTP adapters for `/api/v1/notifications` and `/api/v1/notification-templates`.
struct NotificationRoutes {
    let inbox: NotificationInbox
    let preferences: NotificationPreferences
    let templates: NotificationTemplates

    func add(notifications routes: Routes, templates templateRoutes: Routes) {
        routes.get { request, context in
            let p = try context.requirePrincipal()
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            let unread = try Self.bool(request.query("unread"), name: "unread") ?? false
            return try .json(try await inbox.list(p, unreadOnly: unread, page: page))
        }
        routes.post(":id/read") { _, context in
            let p = try context.requirePrincipal()
            return try .json(try await inbox.markRead(p, id: try context.parameters.uuid("id", what: "notification")))
        }
        routes.post("read-all") { _, context in
            let p = try context.requirePrincipal()
            return try .json(["updated": try await inbox.markAllRead(p)])
        }
        routes.get("preferences") { _, context in
            try .json(try await preferences.settings(try context.requirePrincipal()))
        }
        routes.put("preferences") { request, context in
            let p = try context.requirePrincipal()
            var body = try await JSONBody.read(request, context: context)
            var changes = try Self.switches(&body)
            changes.locale = body.updateString("locale", nullable: true)
            if case .set(let locale?) = changes.locale, !NotificationLocale.supported.contains(locale) {
                body.fail("locale", "must be one of \(NotificationLocale.supported.joined(separator: ", ")) or null")
            }
            try body.validate(allowed: ["events", "locale"])
            return try .json(try await preferences.update(p, changes))
        }
        routes.get("preferences/workspace") { _, context in
            try .json(try await preferences.workspaceDefaults(try context.require(.admin)))
        }
        routes.put("preferences/workspace") { request, context in
            let p = try context.require(.admin)
            var body = try await JSONBody.read(request, context: context)
            let changes = try Self.switches(&body)
            try body.validate(allowed: ["events"])
            return try .json(try await preferences.updateWorkspaceDefaults(p, changes))
        }
        routes.get("deliveries") { request, context in
            let p = try context.require(.admin)
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            var filter = DeliveryFilter()
            if let raw = request.query("status") {
                guard let v = DeliveryStatus(rawValue: raw) else { throw HelpdeskError.badParameter("status", "must be one of queued, sent, retrying, failed") }
                filter.status = v
            }
            if let raw = request.query("channel") {
                guard let v = NotificationChannel(rawValue: raw) else { throw HelpdeskError.badParameter("channel", "must be in_app or email") }
                filter.channel = v
            }
            if let raw = request.query("type") {
                guard let v = NotificationKind(rawValue: raw) else { throw HelpdeskError.badParameter("type", "is not a notification type") }
                filter.kind = v
            }
            if let raw = request.query("user_id") {
                guard let v = UUID(uuidString: raw) else { throw HelpdeskError.badParameter("user_id", "must be a UUID") }
                filter.userID = v
            }
            return try .json(try await inbox.deliveries(p, filter: filter, page: page))
        }

        templateRoutes.get { _, context in
            let p = try context.require(.admin)
            return try .json(Page(items: try await templates.list(p), nextCursor: nil))
        }
        templateRoutes.get(":event/:locale") { _, context in
            let p = try context.require(.admin)
            return try .json(try await templates.get(p, kind: context.parameters.get("event") ?? "",
                                                     locale: context.parameters.get("locale") ?? ""))
        }
        templateRoutes.put(":event/:locale") { request, context in
            let p = try context.require(.admin)
            var body = try await JSONBody.read(request, context: context)
            let subject = body.string("subject", required: true)
            let text = body.string("text", required: true)
            let html = body.string("html", required: true)
            try body.validate(allowed: ["subject", "text", "html"])
            return try .json(try await templates.put(p, kind: context.parameters.get("event") ?? "",
                                                     locale: context.parameters.get("locale") ?? "",
                                                     subject: subject ?? "", text: text ?? "", html: html ?? ""))
        }
        templateRoutes.delete(":event/:locale") { _, context in
            let p = try context.require(.admin)
            return try .json(try await templates.reset(p, kind: context.parameters.get("event") ?? "",
                                                       locale: context.parameters.get("locale") ?? ""))
        }
        templateRoutes.post(":event/:locale/preview") { request, context in
            let p = try context.require(.admin)
            var draft: (String?, String?, String?) = (nil, nil, nil)
            if request.headers[.contentLength] != "0", request.headers[.contentType] != nil {
                var body = try await JSONBody.read(request, context: context)
                draft = (body.string("subject"), body.string("text"), body.string("html"))
                try body.validate(allowed: ["subject", "text", "html"])
            }
            return try .json(try await templates.preview(p, kind: context.parameters.get("event") ?? "",
                                                         locale: context.parameters.get("locale") ?? "", draft: draft))
        }
    }

    /// `{"events": {"public_reply": {"email": false}}}` → switches; every bad key is named.
    static func switches(_ body: inout JSONBody) throws -> NotificationPreferences.Changes {
        var changes = NotificationPreferences.Changes()
        guard let events = body.object("events") else { return changes }
        for (kindName, value) in events.sorted(by: { $0.key < $1.key }) {
            guard let kind = NotificationKind(rawValue: kindName) else {
                body.fail("events.\(kindName)", "is not a notification type")
                continue
            }
            guard case .object(let channels) = value else {
                body.fail("events.\(kindName)", "must be an object of channel: true|false")
                continue
            }
            for (channelName, flag) in channels.sorted(by: { $0.key < $1.key }) {
                guard let channel = NotificationChannel(rawValue: channelName) else {
                    body.fail("events.\(kindName).\(channelName)", "is not a channel (in_app, email)")
                    continue
                }
                guard case .bool(let on) = flag else {
                    body.fail("events.\(kindName).\(channelName)", "must be true or false")
                    continue
                }
                changes.switches.append((kind, channel, on))
            }
        }
        return changes
    }

    static func bool(_ raw: String?, name: String) throws -> Bool? {
        switch raw {
        case nil: return nil
        case "true", "1": return true
        case "false", "0": return false
        default: throw HelpdeskError.badParameter(name, "must be true or false")
        }
    }
}
