import Foundation
import HelpdeskCore
import Platform

/// The workspace's templates: its overrides over the shipped defaults, edited by admins.
public struct NotificationTemplates: Sendable {
    let database: Database
    let store: NotificationStore
    let clock: TimeSource

    /// Every kind × locale, customized or default.
    public func list(_ p: Principal) async throws -> [NotificationTemplate] {
        try p.require(.admin)
        let custom = try await overrides(workspaceID: p.workspaceID)
        return NotificationKind.allCases.flatMap { kind in
            NotificationLocale.supported.map { custom["\(kind.rawValue)|\($0)"] ?? .shipped(kind, $0) }
        }
    }

    public func get(_ p: Principal, kind: String, locale: String) async throws -> NotificationTemplate {
        try p.require(.admin)
        let (kind, locale) = try Self.parse(kind: kind, locale: locale)
        return try await template(workspaceID: p.workspaceID, kind: kind, locale: locale)
    }

    /// Saves an override after compiling it; a template that does not compile or names an unknown variable
    /// is a 422 naming the part and the line.
    public func put(_ p: Principal, kind: String, locale: String, subject: String, text: String, html: String) async throws -> NotificationTemplate {
        try p.require(.admin)
        let (kind, locale) = try Self.parse(kind: kind, locale: locale)
        let template = NotificationTemplate(kind: kind, locale: locale, subject: subject, text: text, html: html, customized: true)
        let errors = template.validate()
        guard errors.isEmpty else { throw HelpdeskError.validation(errors) }
        let now = clock.now
        try await database.transaction { db in
            try await store.saveTemplate(template, workspaceID: p.workspaceID, by: p.userID, at: now, on: db)
        }
        return template
    }

    /// Drops the override: the shipped default applies again.
    public func reset(_ p: Principal, kind: String, locale: String) async throws -> NotificationTemplate {
        try p.require(.admin)
        let (kind, locale) = try Self.parse(kind: kind, locale: locale)
        try await database.transaction { db in
            try await store.deleteTemplate(workspaceID: p.workspaceID, kind: kind, locale: locale, on: db)
        }
        return .shipped(kind, locale)
    }

    /// Renders the stored template, or the given draft, with sample data.
    public func preview(_ p: Principal, kind: String, locale: String, draft: (subject: String?, text: String?, html: String?))
        async throws -> [String: String] {
        var template = try await get(p, kind: kind, locale: locale)
        if let s = draft.subject { template.subject = s }
        if let t = draft.text { template.text = t }
        if let h = draft.html { template.html = h }
        let errors = template.validate()
        guard errors.isEmpty else { throw HelpdeskError.validation(errors) }
        let sample: [String: Any] = [
            "ticket": ["number": 1042, "subject": "Printer on floor 3 is jammed", "status": "open", "priority": "high",
                       "url": "https://support.example.com/tickets/1042"],
            "recipient": ["name": "Camille Martin", "email": "camille@example.com"],
            "actor": ["name": "Alex Agent"],
            "comment": ["body": "We replaced the drum; please try again.", "public": true],
            "product": ["name": "Helpdesk"],
        ]
        let rendered = try template.render(sample)
        return ["subject": "[#1042] " + rendered.subject, "text": rendered.text, "html": rendered.html]
    }

    func template(workspaceID: UUID, kind: NotificationKind, locale: String) async throws -> NotificationTemplate {
        try await overrides(workspaceID: workspaceID)["\(kind.rawValue)|\(locale)"] ?? .shipped(kind, locale)
    }

    func overrides(workspaceID: UUID) async throws -> [String: NotificationTemplate] {
        Dictionary(try await store.templates(workspaceID: workspaceID, on: database.sql).map { ("\($0.kind.rawValue)|\($0.locale)", $0) },
                   uniquingKeysWith: { $1 })
    }

    static func parse(kind: String, locale: String) throws -> (NotificationKind, String) {
        guard let parsed = NotificationKind(rawValue: kind) else { throw HelpdeskError.notFound("notification template") }
        guard NotificationLocale.supported.contains(locale) else { throw HelpdeskError.notFound("notification template") }
        return (parsed, locale)
    }
}
