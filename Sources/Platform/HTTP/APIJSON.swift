import Foundation
import HelpdeskCore
import Hummingbird

/// Encodes API responses: JSON with RFC 3339 UTC millisecond timestamps.
public struct APIJSONEncoder: ResponseEncoder {
    public init() {}

    /// The JSON bytes of a response: written directly by `JSONWritable` values (the hot ones), else encoded.
    static func body(_ value: some Encodable) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        if let writable = value as? any JSONWritable {
            var out = JSONOutput()
            writable.writeJSON(to: &out)
            buffer.writeBytes(out.bytes)
        } else {
            buffer.writeBytes(try EventJSON.encoder().encode(value))
        }
        return buffer
    }

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let buffer = try Self.body(value)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
    }
}

/// Decodes request bodies, turning every decoding failure into a problem that names the field.
public struct APIJSONDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        if let contentType = request.headers[.contentType],
           !contentType.lowercased().hasPrefix("application/json"),
           !contentType.lowercased().contains("+json") {
            throw HelpdeskError.unsupportedMediaType()
        }
        let limit = context.maxUploadSize
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw HelpdeskError.bodyTooLarge(limit: limit)
        }
        return try Self.decode(type, from: Data(buffer: buffer))
    }

    /// Decodes `data`, mapping `DecodingError` to 400 (not JSON) or 422 (a field missing or of the wrong type).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if data.isEmpty { throw HelpdeskError.malformedBody("The request body is empty; send a JSON object.") }
        do {
            return try EventJSON.decoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw problem(for: error)
        }
    }

    static func problem(for error: DecodingError) -> HelpdeskError {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let all = keys + (last.map { [$0] } ?? [])
            return all.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .validation(field: path(context.codingPath, key), "is required")
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            if field.isEmpty { return .malformedBody("The request body must be a JSON object.") }
            return .validation(field: field, "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return .validation(field: path(context.codingPath), "must be \(describe(type)), not null")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty { return .malformedBody("The request body is not valid JSON.") }
            return .validation(field: field, context.debugDescription)
        @unknown default:
            return .malformedBody("The request body could not be read.")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
        if name.hasPrefix("Dictionary") { return "an object" }
        switch name {
        case "String": return "a string"
        case "Bool": return "a boolean"
        case "Int", "Int64", "Int32": return "an integer"
        case "Double", "Float", "Decimal": return "a number"
        default: return "an object"
        }
    }
}

extension Response {
    /// A JSON response with the given status, e.g. 201 for a creation.
    public static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok,
                            headers: HTTPFields = [:]) throws -> Response {
        let buffer = try APIJSONEncoder.body(value)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: buffer))
    }
}
