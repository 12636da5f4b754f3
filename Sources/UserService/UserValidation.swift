import Foundation
import HelpdeskCore

/// The value rules for user, organization and team fields, shared by creation and update.
enum UserValidation {
    static let maxNameLength = 200
    static let maxDescriptionLength = 2000

    /// A trimmed display name, or an error message.
    static func name(_ raw: String, field: String = "name", errors: inout [FieldError]) -> String? {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty {
            errors.append(FieldError(field: field, message: "must not be empty"))
            return nil
        }
        if raw.textLength > maxNameLength {
            errors.append(FieldError(field: field, message: "must be at most \(maxNameLength) characters"))
            return nil
        }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(FieldError(field: field, message: "must not contain control characters"))
            return nil
        }
        return name
    }

    static func email(_ raw: String, errors: inout [FieldError]) -> String? {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard EmailAddress.isValid(email) else {
            errors.append(FieldError(field: "email", message: "must be a valid email address"))
            return nil
        }
        return email
    }

    static func role(_ raw: String, errors: inout [FieldError]) -> Role? {
        guard let role = Role(rawValue: raw) else {
            errors.append(FieldError(field: "role", message: "must be one of customer, agent, admin"))
            return nil
        }
        return role
    }

    /// A BCP 47 tag of the simple kind the UI offers: `en`, `fr`, `en-US`, `pt-BR`.
    static func locale(_ raw: String, errors: inout [FieldError]) -> String? {
        let parts = raw.split(separator: "-", omittingEmptySubsequences: false)
        let ok = (1...2).contains(parts.count)
            && parts[0].count >= 2 && parts[0].count <= 3 && parts[0].allSatisfy { $0.isASCII && $0.isLetter }
            && (parts.count == 1 || (parts[1].count >= 2 && parts[1].count <= 4
                                     && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }))
        guard ok else {
            errors.append(FieldError(field: "locale", message: "must be a language tag such as en or fr-CA"))
            return nil
        }
        return raw
    }

    static func timeZone(_ raw: String, errors: inout [FieldError]) -> String? {
        guard raw.count <= 64, TimeZone(identifier: raw) != nil else {
            errors.append(FieldError(field: "time_zone", message: "must be an IANA time zone such as Europe/Paris"))
            return nil
        }
        return raw
    }

    /// Lowercased email domains for an organization (`example.com`), deduplicated.
    static func domains(_ raw: [String], errors: inout [FieldError]) -> [String]? {
        var out: [String] = []
        for (i, item) in raw.enumerated() {
            let domain = item.trimmingCharacters(in: .whitespaces).lowercased()
            let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
            let valid = domain.count <= 253 && labels.count >= 2 && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
            if !valid {
                errors.append(FieldError(field: "domains[\(i)]", message: "must be a domain name such as example.com"))
                return nil
            }
            if !out.contains(domain) { out.append(domain) }
        }
        if out.count > 100 {
            errors.append(FieldError(field: "domains", message: "must have at most 100 entries"))
            return nil
        }
        return out
    }

    static func description(_ raw: String, errors: inout [FieldError]) -> String? {
        guard raw.textLength <= maxDescriptionLength else {
            errors.append(FieldError(field: "description", message: "must be at most \(maxDescriptionLength) characters"))
            return nil
        }
        return raw
    }

    static func check(_ errors: [FieldError]) throws {
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
    }
}
