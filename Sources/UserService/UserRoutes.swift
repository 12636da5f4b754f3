import Foundation
import HelpdeskCore
import Hummingbird
import Platform

/// HTTP adapters for `/api/v1/users`: decode, call `UserAccounts`, encode.
struct UserRoutes {
    let accounts: UserAccounts

    func add(to routes: Routes) {
        routes.get("me") { _, context in
            let principal = try context.requirePrincipal()
            return try .json(try await accounts.get(principal, id: principal.userID))
        }
        routes.patch("me") { request, context in
            let principal = try context.requirePrincipal()
            var body = try await JSONBody.read(request, context: context)
            let changes = UserChanges(name: body.string("name"), locale: body.string("locale"),
                                      timeZone: body.string("time_zone"))
            try body.validate(allowed: ["name", "locale", "time_zone"])
            return try .json(try await accounts.update(principal, id: principal.userID, changes))
        }
        routes.get { request, context in
            let principal = try context.requirePrincipal()
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            var organizationID: UUID?
            if let raw = request.query("organization_id") {
                guard let id = UUID(uuidString: raw) else { throw HelpdeskError.badParameter("organization_id", "must be a UUID") }
                organizationID = id
            }
            return try .json(try await accounts.list(principal, role: request.query("role"), organizationID: organizationID,
                                                     query: request.query("q"), page: page))
        }
        routes.post { request, context in
            let principal = try context.require(.admin)
            var body = try await JSONBody.read(request, context: context)
            let email = body.string("email", required: true)
            let name = body.string("name", required: true)
            let input = NewUser(email: email ?? "", name: name ?? "", role: body.string("role") ?? Role.agent.rawValue,
                                organizationID: body.uuid("organization_id"), locale: body.string("locale"),
                                timeZone: body.string("time_zone"), password: body.string("password"))
            try body.validate(allowed: ["email", "name", "role", "organization_id", "locale", "time_zone", "password"])
            return try .json(try await accounts.create(principal, input), status: .created)
        }
        routes.get(":id") { _, context in
            let principal = try context.requirePrincipal()
            return try .json(try await accounts.get(principal, id: try context.parameters.uuid("id", what: "user")))
        }
        routes.patch(":id") { request, context in
            let principal = try context.requirePrincipal()
            let id = try context.parameters.uuid("id", what: "user")
            var body = try await JSONBody.read(request, context: context)
            let changes = UserChanges(
                name: body.string("name"), email: body.string("email"), role: body.string("role"),
                organizationID: body.updateUUID("organization_id"), locale: body.string("locale"),
                timeZone: body.string("time_zone"), active: body.bool("active"))
            try body.validate(allowed: ["name", "email", "role", "organization_id", "locale", "time_zone", "active"])
            return try .json(try await accounts.update(principal, id: id, changes))
        }
        routes.delete(":id") { _, context in
            let principal = try context.requirePrincipal()
            try await accounts.deactivate(principal, id: try context.parameters.uuid("id", what: "user"))
            return Response(status: .noContent)
        }
    }
}

/// HTTP adapters for `/api/v1/organizations`.
struct OrganizationRoutes {
    let organizations: Organizations
    let accounts: UserAccounts

    func add(to routes: Routes) {
        routes.get { request, context in
            let principal = try context.requirePrincipal()
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            return try .json(try await organizations.list(principal, page: page))
        }
        routes.post { request, context in
            let principal = try context.require(.admin)
            var body = try await JSONBody.read(request, context: context)
            let name = body.string("name", required: true)
            let domains = body.stringArray("domains")
            let shared = body.bool("shared_tickets")
            try body.validate(allowed: ["name", "domains", "shared_tickets"])
            let org = try await organizations.create(principal, name: name ?? "", domains: domains ?? [],
                                                     sharedTickets: shared ?? false)
            return try .json(org, status: .created)
        }
        routes.get(":id") { _, context in
            let principal = try context.requirePrincipal()
            let id = try context.parameters.uuid("id", what: "organization")
            if principal.role == .customer {
                let me = try await accounts.get(principal, id: principal.userID)
                let org = try await organizations.get(principal, id: id, customerOrganization: me.organizationID)
                return try .json(OrganizationSummary(id: org.id.lowercased, name: org.name))
            }
            return try .json(try await organizations.get(principal, id: id, customerOrganization: nil))
        }
        routes.patch(":id") { request, context in
            let principal = try context.require(.admin)
            let id = try context.parameters.uuid("id", what: "organization")
            var body = try await JSONBody.read(request, context: context)
            let changes = OrganizationChanges(name: body.string("name"), domains: body.stringArray("domains"),
                                              sharedTickets: body.bool("shared_tickets"))
            try body.validate(allowed: ["name", "domains", "shared_tickets"])
            return try .json(try await organizations.update(principal, id: id, changes))
        }
        routes.delete(":id") { _, context in
            let principal = try context.require(.admin)
            try await organizations.delete(principal, id: try context.parameters.uuid("id", what: "organization"))
            return Response(status: .noContent)
        }
    }
}

/// HTTP adapters for `/api/v1/teams`.
struct TeamRoutes {
    let teams: Teams

    func add(to routes: Routes) {
        routes.get { request, context in
            let principal = try context.requirePrincipal()
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            return try .json(try await teams.list(principal, page: page))
        }
        routes.post { request, context in
            let principal = try context.require(.admin)
            var body = try await JSONBody.read(request, context: context)
            let name = body.string("name", required: true)
            let description = body.string("description")
            try body.validate(allowed: ["name", "description"])
            return try .json(try await teams.create(principal, name: name ?? "", description: description ?? ""),
                             status: .created)
        }
        routes.get(":id") { _, context in
            let principal = try context.requirePrincipal()
            return try .json(try await teams.get(principal, id: try context.parameters.uuid("id", what: "team")))
        }
        routes.patch(":id") { request, context in
            let principal = try context.require(.admin)
            let id = try context.parameters.uuid("id", what: "team")
            var body = try await JSONBody.read(request, context: context)
            let name = body.string("name")
            let description = body.string("description")
            try body.validate(allowed: ["name", "description"])
            return try .json(try await teams.update(principal, id: id, name: name, description: description))
        }
        routes.delete(":id") { _, context in
            let principal = try context.require(.admin)
            try await teams.delete(principal, id: try context.parameters.uuid("id", what: "team"))
            return Response(status: .noContent)
        }
        routes.put(":id/members/:user_id") { _, context in
            let principal = try context.require(.admin)
            let team = try await teams.addMember(principal, teamID: try context.parameters.uuid("id", what: "team"),
                                                 userID: try context.parameters.uuid("user_id", what: "user"))
            return try .json(team)
        }
        routes.delete(":id/members/:user_id") { _, context in
            let principal = try context.require(.admin)
            try await teams.removeMember(principal, teamID: try context.parameters.uuid("id", what: "team"),
                                         userID: try context.parameters.uuid("user_id", what: "user"))
            return Response(status: .noContent)
        }
    }
}
