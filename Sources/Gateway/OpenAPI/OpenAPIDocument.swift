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

    /// The operation for a request: literal segments win over `{parameters}`, as in the router.
    func operation(method: String, path: String) -> Operation? {
        let target = path.split(separator: "/")
        var best: (Operation, Int)?
        for operation in operations where operation.method == method && operation.segments.count == target.count {
            var literal = 0
            var matches = true
            for (pattern, segment) in zip(operation.segments, target) {
                if pattern.hasPrefix("{") { continue }
                if pattern != segment { matches = false; break }
                literal += 1
            }
            if matches, literal > (best?.1 ?? -1) { best = (operation, literal) }
        }
        return best?.0
    }
}
