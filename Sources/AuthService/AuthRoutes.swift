import Foundation
import HelpdeskCore
import Hummingbird
import Platform

/// HTTP adapters for `/api/v1/auth` and the JWKS document.
struct AuthRoutes {
    let authenticator: Authenticator
    let workspaceID: UUID

    func add(to routes: Routes) {
        let auth = routes.group("api/v1/auth")
        let setup = routes.group("api/v1/setup")
        setup.get { _, _ in
            let needed = try await authenticator.needsSetup(workspaceID: workspaceID)
            return try .json(["needs_setup": needed], headers: [.cacheControl: "no-store"])
        }
        setup.post { request, context in
            var body = try await JSONBody.read(request, context: context)
            let email = body.string("email", required: true)
            let password = body.string("password", required: true)
            let name = body.string("name", required: true)
            try body.validate(allowed: ["email", "password", "name"])
            let client = ClientInfo(userAgent: request.headers[.userAgent], ip: nil)
            let pair = try await authenticator.setup(workspaceID: workspaceID, email: email!, password: password!,
                                                     name: name!, client: client)
            return try .json(pair, status: .created, headers: [.cacheControl: "no-store"])
        }
        auth.post("register") { request, context in
            var body = try await JSONBody.read(request, context: context)
            let email = body.string("email", required: true)
            let password = body.string("password", required: true)
            let name = body.string("name", required: true)
            try body.validate(allowed: ["email", "password", "name"])
            let user = try await authenticator.register(workspaceID: workspaceID, email: email!, password: password!,
                                                        name: name!)
            return try .json(user, status: .created)
        }
        auth.post("login") { request, context in
            var body = try await JSONBody.read(request, context: context)
            let email = body.string("email", required: true)
            let password = body.string("password", required: true)
            _ = body.string("totp_code")
            try body.validate(allowed: ["email", "password", "totp_code"])
            let client = ClientInfo(userAgent: request.headers[.userAgent], ip: nil)
            let pair = try await authenticator.login(workspaceID: workspaceID, email: email!, password: password!,
                                                     client: client)
            return try .json(pair, headers: [.cacheControl: "no-store"])
        }
        auth.post("refresh") { request, context in
            var body = try await JSONBody.read(request, context: context)
            let token = body.string("refresh_token", required: true)
            try body.validate(allowed: ["refresh_token"])
            return try .json(try await authenticator.refresh(token!), headers: [.cacheControl: "no-store"])
        }
        auth.post("logout") { request, context in
            var body = try await JSONBody.read(request, context: context)
            let token = body.string("refresh_token", required: true)
            try body.validate(allowed: ["refresh_token"])
            try await authenticator.logout(token!)
            return Response(status: .noContent)
        }
        auth.post("password/forgot") { request, context in
            var body = try await JSONBody.read(request, context: context)
            let email = body.string("email", required: true)
            try body.validate(allowed: ["email"])
            try await authenticator.forgotPassword(workspaceID: workspaceID, email: email!)
            return Response(status: .accepted)
        }
        auth.post("password/reset") { request, context in
            var body = try await JSONBody.read(request, context: context)
            let token = body.string("token", required: true)
            let password = body.string("new_password", required: true)
            try body.validate(allowed: ["token", "new_password"])
            try await authenticator.resetPassword(token: token!, newPassword: password!)
            return Response(status: .noContent)
        }
        auth.post("password/change") { request, context in
            let principal = try context.requirePrincipal()
            var body = try await JSONBody.read(request, context: context)
            let current = body.string("current_password", required: true)
            let new = body.string("new_password", required: true)
            try body.validate(allowed: ["current_password", "new_password"])
            try await authenticator.changePassword(principal, current: current!, new: new!)
            return Response(status: .noContent)
        }
        auth.get("sessions") { request, context in
            let principal = try context.requirePrincipal()
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            return try .json(try await authenticator.sessions(principal, page: page))
        }
        auth.delete("sessions/:id") { _, context in
            let principal = try context.requirePrincipal()
            try await authenticator.revokeSession(principal, id: try context.parameters.uuid("id", what: "session"))
            return Response(status: .noContent)
        }
        routes.get(".well-known/jwks.json") { _, _ in
            try .json(authenticator.tokens.jwks, headers: [.cacheControl: "public, max-age=300"])
        }
    }
}
