import Foundation
import HelpdeskCore
import NIOCore
import WebUI

/// The API's OpenAPI 3.1 document, loaded once: served as is at `/api/v1/openapi.json`, and compiled into the
/// JSON request-body schema of every operation so the gateway can refuse a bad body before any service sees it.
struct OpenAPIDocument: Sendable {
    struct Operation: Sendable {
        let method: String
        let path: String
        let segments: [String]
        /// The `application/json` request body's schema, if the operation takes one.
        let body: JSONSchema?
        let bodyRequired: Bool
    }

    let bytes: ByteBuffer
    let operations: [Operation]

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch"]

    /// The document in the resources, read and compiled once per process.
    static let bundled = Result { try OpenAPIDocument(data: Data(contentsOf: WebUIResources.openAPIDocument)) }

    init(data: Data) throws {
        bytes = ByteBuffer(bytes: data)
        let root = try JSONDecoder().decode(JSONValue.self, from: data)
        guard case .object(let paths)? = root["paths"] else { throw JSONSchema.CompileError(description: "no paths") }
        var components: [String: JSONValue] = [:]
        if case .object(let schemas)? = root["components"]?["schemas"] { components = schemas }
        var cache: [String: JSONSchema] = [:]
        var operations: [Operation] = []
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            for method in Self.methods {
                guard let operation = item[method] else { continue }
                let json = operation["requestBody"]?["content"]?["application/json"]?["schema"]
                let schema = try json.map { try JSONSchema.compile($0, components: components, cache: &cache) }
                let required: Bool = if case .bool(true)? = operation["requestBody"]?["required"] { true } else { false }
                operations.append(Operation(method: method.uppercased(), path: path,
                                            segments: path.split(separator: "/").map(String.init),
                                            body: schema, bodyRequired: required))
            }
        }
        self.operations = operations
    }

    /// The operation for a request. The router picks the most literal path first, whatever the method
    /// (`/views/order` hides `/views/{id}`), so a method the literal path lacks finds no operation here and
    /// the router answers 405, instead of the body being judged against the parameter path's schema.
    func operation(method: String, path: String) -> Operation? {
        let target = path.split(separator: "/").map(String.init)
        var best: (path: String, literalness: [Int])?
        for operation in operations where operation.segments.count == target.count {
            guard zip(operation.segments, target).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) else { continue }
            let literalness = operation.segments.map { $0.hasPrefix("{") ? 0 : 1 }
            if best == nil || best!.literalness.lexicographicallyPrecedes(literalness) { best = (operation.path, literalness) }
        }
        guard let best else { return nil }
        return operations.first { $0.path == best.path && $0.method == method }
    }
}
