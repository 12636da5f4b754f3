import Foundation
import HelpdeskCore
import Platform

/// The auth service: credentials, sessions, refresh tokens, password reset, JWKS.
public struct AuthServiceModule: ServiceModule {
    public let name = "auth"
    public let authenticator: Authenticator
    let workspaceID: UUID

    /// `workspaceID` is the workspace unauthenticated requests (login, register) act in.
    public init(authenticator: Authenticator, workspaceID: UUID) {
        self.authenticator = authenticator
        self.workspaceID = workspaceID
    }

    public var migrations: ServiceMigrations { AuthMigrations.all }

    public func addRoutes(to routes: Routes) {
        AuthRoutes(authenticator: authenticator, workspaceID: workspaceID).add(to: routes)
    }

    public var subscriptions: [EventSubscription] {
        let authenticator = self.authenticator
        return [
            EventSubscription(consumer: "auth.revoke-sessions-of-deactivated-users", eventTypes: ["user.deactivated"]) {
                try await authenticator.handleUserDeactivated($0)
            },
        ]
    }
}
