import Foundation
import HelpdeskCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A response as tests look at it.
struct HTTPResult: Sendable {
    let status: Int
    let headers: HTTPFields
    let body: Data

    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:]
    }

    subscript(key: String) -> String? { json[key] as? String }

    var items: [[String: Any]] { (json["items"] as? [Any])?.compactMap { $0 as? [String: Any] } ?? [] }

    /// The `field` names of a problem's `errors`.
    var errorFields: [String] {
        ((json["errors"] as? [Any]) ?? []).compactMap { ($0 as? [String: Any])?["field"] as? String }
    }

    var code: String? { self["code"] }
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
}

extension Harness {
    /// Sends a request; `json` is serialized as the body, `raw` is sent as is.
    @discardableResult
    func request(_ method: HTTPRequest.Method, _ path: String, json: [String: Any]? = nil, raw: String? = nil,
                 bytes: Data? = nil, token: String? = nil, headers extra: [String: String] = [:]) async throws -> HTTPResult {
        var headers: HTTPFields = [:]
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            headers[.contentType] = "application/json"
            body = ByteBuffer(string: raw)
        } else if let bytes {
            headers[.contentType] = "application/octet-stream"
            headers[.contentLength] = String(bytes.count)
            body = ByteBuffer(bytes: bytes)
        }
        if let token { headers[.authorization] = "Bearer \(token)" }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body)
        return HTTPResult(status: Int(response.status.code), headers: response.headers, body: Data(buffer: response.body))
    }

    /// Creates an admin through the same code path as `helpdesk admin create`, and logs in.
    func admin(email: String = "admin@example.com", password: String = "admin-password") async throws -> Session {
        _ = try await system.users.accounts.createAdmin(workspaceID: workspaceID, email: email, name: "Admin",
                                                        password: password)
        return try await login(email, password)
    }

    /// Registers a customer through the API and logs in.
    func customer(_ email: String, password: String = "customer-pw", name: String = "Customer") async throws -> Session {
        let created = try await request(.post, "/api/v1/auth/register",
                                        json: ["email": email, "password": password, "name": name])
        #expect(created.status == 201, "register \(email): \(created.text)")
        return try await login(email, password)
    }

    /// Has `admin` create a user of `role` with a password, and logs in as it.
    func staff(_ email: String, role: String = "agent", by admin: Session, password: String = "agent-password") async throws -> Session {
        let created = try await request(.post, "/api/v1/users", json: [
            "email": email, "name": "Staff \(email)", "role": role, "password": password,
        ], token: admin.accessToken)
        #expect(created.status == 201, "create \(email): \(created.text)")
        return try await login(email, password)
    }

    func login(_ email: String, _ password: String) async throws -> Session {
        let r = try await request(.post, "/api/v1/auth/login", json: ["email": email, "password": password])
        try #require(r.status == 200, "login \(email): \(r.text)")
        let user = r.json["user"] as? [String: Any]
        return Session(accessToken: r["access_token"] ?? "", refreshToken: r["refresh_token"] ?? "",
                       userID: user?["id"] as? String ?? "")
    }
}

/// A logged-in test user.
struct Session: Sendable {
    let accessToken: String
    let refreshToken: String
    let userID: String
}
