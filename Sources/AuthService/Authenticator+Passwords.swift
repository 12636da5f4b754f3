import Foundation
import HelpdeskCore
import Platform

extension Authenticator {
    /// Changes the caller's password after checking the current one; every session of the user ends.
    public func changePassword(_ principal: Principal, current: String, new: String) async throws {
        guard let user = try await directory.user(workspaceID: principal.workspaceID, id: principal.userID), user.active else {
            throw HelpdeskError.unauthenticated()
        }
        guard try await credentials.verify(password: current, userID: user.id, workspaceID: user.workspaceID) else {
            throw HelpdeskError.validation(field: "current_password", "is incorrect")
        }
        try PasswordPolicy.check(password: new, email: user.email, field: "new_password")
        try await replacePassword(user: user, with: new, reason: "changed", resetTokenHash: nil, actor: principal.actor)
    }

    /// Starts a reset: mails a single-use link valid for an hour if the account exists. The caller learns
    /// nothing either way.
    public func forgotPassword(workspaceID: UUID, email: String) async throws {
        guard EmailAddress.isValid(email.trimmingCharacters(in: .whitespaces)),
              let user = try await directory.user(workspaceID: workspaceID, email: email), user.active else { return }
        let token = SecureToken.generate()
        let now = clock.now
        let store = self.store
        let lifetime = configuration.resetTokenLifetime
        try await database.transaction { db in
            try await store.insertReset(hash: SecureToken.hash(token), workspaceID: workspaceID, userID: user.id, now: now,
                                        expiresAt: now.addingTimeInterval(lifetime), on: db)
            try await Outbox.append(AuthEvents.event("auth.password_reset_requested", workspaceID: workspaceID,
                                                     userID: user.id, actor: .system, at: now), on: db)
        }
        let link = "\(configuration.publicURL)/reset-password?token=\(token)"
        try await mailer.send(MailMessage(
            to: user.email, subject: "Reset your Helpdesk password",
            body: """
                Hello \(user.name),

                Someone asked to reset the password of your Helpdesk account. If it was you, open this link within \
                the hour:

                \(link)

                Your reset code: \(token)

                If it was not you, ignore this message; your password stays as it is.
                """))
    }

    /// Completes a reset with a token from `forgotPassword`.
    public func resetPassword(token: String, newPassword: String) async throws {
        let now = clock.now
        let hash = SecureToken.hash(token)
        guard let reset = try await store.reset(hash: hash, forUpdate: false, on: database.sql),
              reset.usedAt == nil, reset.expiresAt > now,
              let user = try await directory.user(workspaceID: reset.workspaceID, id: reset.userID), user.active else {
            throw HelpdeskError.invalidResetToken()
        }
        try PasswordPolicy.check(password: newPassword, email: user.email, field: "new_password")
        try await replacePassword(user: user, with: newPassword, reason: "reset", resetTokenHash: hash,
                                  actor: EventActor(id: user.id, type: "user"))
    }

    private func replacePassword(user: DirectoryUser, with password: String, reason: String, resetTokenHash: String?,
                                 actor: EventActor) async throws {
        let hash = try await credentials.hasher.hash(password)
        let now = clock.now
        let store = self.store
        try await database.transaction { db in
            if let resetTokenHash {
                // Re-checked under lock in the transaction that spends it: two concurrent resets cannot both win.
                guard let reset = try await store.reset(hash: resetTokenHash, forUpdate: true, on: db), reset.usedAt == nil else {
                    throw HelpdeskError.invalidResetToken()
                }
            }
            try await store.setPasswordHash(hash, userID: user.id, workspaceID: user.workspaceID, at: now, on: db)
            try await store.useResets(workspaceID: user.workspaceID, userID: user.id, at: now, on: db)
            try await store.clearFailures(workspaceID: user.workspaceID, email: EmailAddress.normalize(user.email), on: db)
            try await Outbox.append(AuthEvents.event("auth.password_changed", workspaceID: user.workspaceID, userID: user.id,
                                                     actor: actor, at: now, data: ["reason": .string(reason)]), on: db)
            try await revokeAll(workspaceID: user.workspaceID, userID: user.id, reason: "password_\(reason)",
                                actor: actor, on: db, at: now)
        }
    }
}
