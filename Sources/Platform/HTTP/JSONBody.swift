import Foundation
import HelpdeskCore
import Hummingbird

/// A field of a PATCH body: absent (leave alone), or present with a value that may be null (clear it).
public enum FieldUpdate<Value: Sendable & Equatable>: Sendable, Equatable {
    case absent
    case set(Value)

    /// The new value if the field was sent.
    public var value: Value? {
        if case .set(let v) = self { return v }
        return nil
    }
}

/// Reads a JSON object body field by field, collecting every type error with its field name, so a client
/// learns all that is wrong in one answer. Unknown fields are refused, which catches typos.
public struct JSONBody: Sendable {
    public let object: [String: JSONValue]
    public private(set) var errors: [FieldError] = []

    public init(object: [String: JSONValue]) { self.object = object }

    /// Reads the request body, which must be a JSON object within the size limit.
    public static func read(_ request: Request, context: AppRequestContext) async throws -> JSONBody {
        let value = try await request.decodeJSON(JSONValue.self, context: context)
        guard case .object(let object) = value else {
            throw HelpdeskError.malformedBody("The request body must be a JSON object.")
        }
        return JSONBody(object: object)
    }

    public mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    /// Throws one 422 listing every field error found so far.
    public func validate(allowed: Set<String>) throws {
        var all = errors
        for key in object.keys.sorted() where !allowed.contains(key) {
            all.append(FieldError(field: key, message: "is not a known field"))
        }
        if !all.isEmpty { throw HelpdeskError.validation(all) }
    }

    public func has(_ key: String) -> Bool { object[key] != nil }

    /// A required (or optional) string; wrong types and missing required fields are recorded.
    public mutating func string(_ key: String, required: Bool = false) -> String? {
        switch object[key] {
        case nil, .null?:
            if required { fail(key, "is required") }
            return nil
        case .string(let s)?: return s
        default:
            fail(key, "must be a string")
            return nil
        }
    }

    public mutating func bool(_ key: String, required: Bool = false) -> Bool? {
        switch object[key] {
        case nil, .null?:
            if required { fail(key, "is required") }
            return nil
        case .bool(let b)?: return b
        default:
            fail(key, "must be a boolean")
            return nil
        }
    }

    public mutating func uuid(_ key: String, required: Bool = false) -> UUID? {
        guard let text = string(key, required: required) else { return nil }
        guard let id = UUID(uuidString: text) else {
            fail(key, "must be a UUID")
            return nil
        }
        return id
    }

    public mutating func stringArray(_ key: String) -> [String]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            var out: [String] = []
            for (i, item) in items.enumerated() {
                guard case .string(let s) = item else {
                    fail("\(key)[\(i)]", "must be a string")
                    return nil
                }
                out.append(s)
            }
            return out
        default:
            fail(key, "must be an array of strings")
            return nil
        }
    }

    /// A JSON object field, e.g. `custom_fields`.
    public mutating func object(_ key: String) -> [String: JSONValue]? {
        switch object[key] {
        case nil, .null?: return nil
        case .object(let o)?: return o
        default:
            fail(key, "must be an object")
            return nil
        }
    }

    /// A string that may be set, cleared with null, or left out.
    public mutating func updateString(_ key: String, nullable: Bool = false) -> FieldUpdate<String?> {
        guard let value = object[key] else { return .absent }
        if case .null = value {
            if !nullable { fail(key, "must not be null") }
            return nullable ? .set(nil) : .absent
        }
        return string(key).map { .set($0) } ?? .absent
    }

    /// A UUID that may be set, cleared with null, or left out.
    public mutating func updateUUID(_ key: String) -> FieldUpdate<UUID?> {
        guard let value = object[key] else { return .absent }
        if case .null = value { return .set(nil) }
        return uuid(key).map { .set($0) } ?? .absent
    }

    public mutating func updateBool(_ key: String) -> FieldUpdate<Bool> {
        guard object[key] != nil else { return .absent }
        if case .null? = object[key] {
            fail(key, "must be a boolean, not null")
            return .absent
        }
        return bool(key).map { .set($0) } ?? .absent
    }

    public mutating func updateStringArray(_ key: String) -> FieldUpdate<[String]> {
        guard object[key] != nil else { return .absent }
        if case .null? = object[key] {
            fail(key, "must be an array of strings, not null")
            return .absent
        }
        return stringArray(key).map { .set($0) } ?? .absent
    }
}
