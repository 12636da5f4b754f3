import Foundation
import HelpdeskCore
import Mustache

/// One template: subject, text and HTML bodies in Mustache. Text parts are rendered without HTML escaping;
/// the HTML part escapes every `{{value}}`.
public struct NotificationTemplate: Sendable, Equatable, Encodable {
    public let kind: NotificationKind
    public let locale: String
    public var subject: String
    public var text: String
    public var html: String
    /// False for the shipped default.
    public var customized: Bool

    enum CodingKeys: String, CodingKey { case event, locale, subject, text, html, customized }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .event)
        try c.encode(locale, forKey: .locale)
        try c.encode(subject, forKey: .subject)
        try c.encode(text, forKey: .text)
        try c.encode(html, forKey: .html)
        try c.encode(customized, forKey: .customized)
    }

    static func shipped(_ kind: NotificationKind, _ locale: String) -> NotificationTemplate {
        let parts = DefaultTemplates.parts(kind, locale)
        return NotificationTemplate(kind: kind, locale: locale, subject: parts.subject, text: parts.text, html: parts.html,
                                    customized: false)
    }

    /// The variables every template may use.
    public static let variables: Set<String> = [
        "ticket.number", "ticket.subject", "ticket.status", "ticket.priority", "ticket.url",
        "recipient.name", "recipient.email", "actor.name", "comment.body", "comment.public", "product.name",
    ]

    /// Compiles each part and checks its variables; the errors name the part and the line.
    func validate() -> [FieldError] {
        var errors: [FieldError] = []
        for (field, source) in [("subject", subject), ("text", text), ("html", html)] {
            if source.utf8.count > 100_000 {
                errors.append(FieldError(field: field, message: "must be at most 100000 bytes"))
                continue
            }
            if field == "subject" && source.contains(where: \.isNewline) {
                errors.append(FieldError(field: field, message: "must be a single line"))
            }
            do {
                _ = try MustacheTemplate(string: source)
            } catch let error as MustacheTemplate.ParserError {
                errors.append(FieldError(field: field, message: "line \(error.context.lineNumber): \(Self.describe(error.error))"))
                continue
            } catch {
                errors.append(FieldError(field: field, message: "does not compile"))
                continue
            }
            for problem in Self.unknownTags(in: source) {
                errors.append(FieldError(field: field, message: "line \(problem.line): \(problem.message)"))
            }
        }
        return errors
    }

    /// Tags naming something other than a known variable, or using partials (which templates cannot load).
    static func unknownTags(in source: String) -> [(line: Int, message: String)] {
        var problems: [(Int, String)] = []
        var sections: [String] = []
        let pattern = /\{\{(\{?)\s*([#^\/&>!%=]?)\s*([^}]*?)\s*\}?\}\}/
        for match in source.matches(of: pattern) {
            let line = source[..<match.range.lowerBound].filter { $0 == "\n" }.count + 1
            let sigil = String(match.output.2)
            let name = String(match.output.3)
            switch sigil {
            case "!", "%", "=": continue
            case ">":
                problems.append((line, "partials ({{> \(name)}}) are not available in notification templates"))
                continue
            case "/":
                if !sections.isEmpty { sections.removeLast() }
                continue
            default: break
            }
            if name == "." { continue }
            let candidates = [name] + sections.reversed().map { "\($0).\(name)" }
            let known = candidates.contains { candidate in
                variables.contains(candidate) || variables.contains { $0.hasPrefix(candidate + ".") }
            }
            if !known { problems.append((line, "unknown variable {{\(name)}}; known: \(variables.sorted().joined(separator: ", "))")) }
            if sigil == "#" || sigil == "^" { sections.append(name) }
        }
        return problems
    }

    static func describe(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect?: "a section is closed with the wrong name"
        case .unfinishedName?: "a tag is not closed"
        case .expectedSectionEnd?: "a section is not closed"
        case .invalidSetDelimiter?: "bad delimiter tag"
        default: "the template does not compile"
        }
    }

    /// Renders the three parts with `values` (nested dictionaries).
    func render(_ values: [String: Any]) throws -> (subject: String, text: String, html: String) {
        let plain = "{{% CONTENT_TYPE: TEXT}}"
        return (try MustacheTemplate(string: plain + subject).render(values).trimmingCharacters(in: .whitespacesAndNewlines),
                try MustacheTemplate(string: plain + text).render(values),
                try MustacheTemplate(string: html).render(values))
    }
}
