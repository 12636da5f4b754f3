import Foundation
import HelpdeskCore

/// The subset of JSON Schema the API document uses for request bodies, compiled once: `type` (one or a list,
/// "null" included), `properties`, `required`, `additionalProperties`, `enum`, `minLength`/`maxLength`,
/// `minimum`/`maximum`, `items`, `minItems`/`maxItems`, `format` (uuid, email, date-time) and `$ref` into
/// `#/components/schemas`. Anything else is documentation and is not enforced.
final class JSONSchema: Sendable {
    let types: Set<String>?
    let properties: [String: JSONSchema]
    let required: [String]
    /// nil: any extra property is allowed; `.some(nil)`: none is; `.some(schema)`: extras must match it.
    let additionalProperties: AdditionalProperties
    let enumValues: [JSONValue]?
    let minLength: Int?
    let maxLength: Int?
    let minimum: Double?
    let maximum: Double?
    let items: JSONSchema?
    let minItems: Int?
    let maxItems: Int?
    let format: String?

    enum AdditionalProperties: Sendable {
        case allowed, refused, schema(JSONSchema)
    }

    struct CompileError: Error, CustomStringConvertible {
        let description: String
    }

    /// Compiles `node`, resolving `$ref`s against `components` (with a cache, so shared schemas compile once).
    static func compile(_ node: JSONValue, components: [String: JSONValue], cache: inout [String: JSONSchema],
                        depth: Int = 0) throws -> JSONSchema {
        guard depth < 32 else { throw CompileError(description: "schema nesting deeper than 32 (a $ref cycle?)") }
        if let ref = node["$ref"]?.stringValue {
            let prefix = "#/components/schemas/"
            guard ref.hasPrefix(prefix), let target = components[String(ref.dropFirst(prefix.count))] else {
                throw CompileError(description: "unresolvable $ref \(ref)")
            }
            if let cached = cache[ref] { return cached }
            let compiled = try compile(target, components: components, cache: &cache, depth: depth + 1)
            cache[ref] = compiled
            return compiled
        }
        return try JSONSchema(node, components: components, cache: &cache, depth: depth)
    }

    private init(_ node: JSONValue, components: [String: JSONValue], cache: inout [String: JSONSchema], depth: Int) throws {
        switch node["type"] {
        case .string(let t)?: types = [t]
        case .array(let list)?: types = Set(list.compactMap(\.stringValue))
        default: types = nil
        }
        var properties: [String: JSONSchema] = [:]
        if case .object(let props)? = node["properties"] {
            for (name, schema) in props {
                properties[name] = try Self.compile(schema, components: components, cache: &cache, depth: depth + 1)
            }
        }
        self.properties = properties
        if case .array(let names)? = node["required"] { required = names.compactMap(\.stringValue) } else { required = [] }
        switch node["additionalProperties"] {
        case .bool(false)?: additionalProperties = .refused
        case .object(let schema)?:
            additionalProperties = .schema(try Self.compile(.object(schema), components: components, cache: &cache, depth: depth + 1))
        default: additionalProperties = .allowed
        }
        if case .array(let values)? = node["enum"] { enumValues = values } else { enumValues = nil }
        minLength = node["minLength"]?.intValue
        maxLength = node["maxLength"]?.intValue
        minimum = node["minimum"]?.doubleValue
        maximum = node["maximum"]?.doubleValue
        items = try node["items"].map { try Self.compile($0, components: components, cache: &cache, depth: depth + 1) }
        minItems = node["minItems"]?.intValue
        maxItems = node["maxItems"]?.intValue
        format = node["format"]?.stringValue
    }

    /// Every way `value` fails this schema, with the field path as the API names it (`fields.x`, `tags[2]`).
    func validate(_ value: JSONValue, at path: String, into errors: inout [FieldError]) {
        let field = path.isEmpty ? "body" : path
        if let types, !types.contains(Self.typeName(of: value)),
           !(types.contains("number") && Self.typeName(of: value) == "integer") {
            errors.append(FieldError(field: field, message: "must be \(Self.describe(types))"))
            return
        }
        if let enumValues, !enumValues.contains(value) {
            let listed = enumValues.map { $0.stringValue ?? "null" }.joined(separator: ", ")
            errors.append(FieldError(field: field, message: "must be one of: \(listed)"))
            return
        }
        switch value {
        case .string(let s):
            let count = s.textLength
            if let minLength, count < minLength {
                errors.append(FieldError(field: field, message: minLength == 1 ? "must not be empty" : "must be at least \(minLength) characters"))
            }
            if let maxLength, count > maxLength {
                errors.append(FieldError(field: field, message: "must be at most \(maxLength) characters"))
            }
            if let format, let message = Self.formatProblem(s, format: format) {
                errors.append(FieldError(field: field, message: message))
            }
        case .number(let n):
            if let minimum, n < minimum { errors.append(FieldError(field: field, message: "must be at least \(Self.number(minimum))")) }
            if let maximum, n > maximum { errors.append(FieldError(field: field, message: "must be at most \(Self.number(maximum))")) }
        case .array(let list):
            if let minItems, list.count < minItems { errors.append(FieldError(field: field, message: "must have at least \(minItems) items")) }
            if let maxItems, list.count > maxItems { errors.append(FieldError(field: field, message: "must have at most \(maxItems) items")) }
            if let items {
                for (index, item) in list.enumerated() { items.validate(item, at: "\(path)[\(index)]", into: &errors) }
            }
        case .object(let object):
            for name in required where object[name] == nil {
                errors.append(FieldError(field: Self.join(path, name), message: "is required"))
            }
            for (name, item) in object.sorted(by: { $0.key < $1.key }) {
                if let schema = properties[name] {
                    schema.validate(item, at: Self.join(path, name), into: &errors)
                } else {
                    switch additionalProperties {
                    case .allowed: break
                    case .refused: errors.append(FieldError(field: Self.join(path, name), message: "is not a known field"))
                    case .schema(let schema): schema.validate(item, at: Self.join(path, name), into: &errors)
                    }
                }
            }
        case .bool, .null:
            break
        }
    }

    static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    static func typeName(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number(let n): n == n.rounded() && abs(n) < 9.0e15 ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    static func describe(_ types: Set<String>) -> String {
        let words: [String: String] = ["null": "null", "boolean": "a boolean", "integer": "an integer", "number": "a number",
                                       "string": "a string", "array": "an array", "object": "an object"]
        return types.sorted { ($0 == "null" ? 1 : 0, $0) < ($1 == "null" ? 1 : 0, $1) }
            .map { words[$0] ?? $0 }.joined(separator: " or ")
    }

    static func number(_ n: Double) -> String { n == n.rounded() ? String(Int(n)) : String(n) }

    static func formatProblem(_ s: String, format: String) -> String? {
        switch format {
        case "uuid": return UUID(uuidString: s) == nil ? "must be a UUID" : nil
        case "date-time": return APIDates.parse(s) == nil ? "must be an RFC 3339 timestamp" : nil
        default: return nil
        }
    }
}

extension JSONValue {
    var intValue: Int? {
        if case .number(let n) = self, n == n.rounded(), abs(n) < 9.0e15 { return Int(n) }
        return nil
    }

    var doubleValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }
}

/// RFC 3339 parsing as the API accepts it (with or without fractional seconds).
enum APIDates {
    static func parse(_ s: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: s) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: s)
    }
}
