import Foundation
import HelpdeskCore
import Platform

/// The owning side of every call in `Remote`: a service process answers the calls of the services it serves.
extension HelpdeskSystem {
    func addInternalRoutes(to routes: Routes, signature: ServiceSignature) {
        let base = routes.group(String(InternalCalls.prefix.dropFirst()))
        func on(_ service: String) -> InternalRoutes? {
            configuration.services.contains(service) ? InternalRoutes(routes: base.group(service), signature: signature) : nil
        }
        if let calls = on(ServiceRegistry.users) {
            let directory = users.directory
            calls.on("user-by-email", Remote.ByEmail.self) { try await directory.user(workspaceID: $0.workspaceID, email: $0.email).map(Wire.User.init) }
            calls.on("user", Remote.ByID.self) { try await directory.user(workspaceID: $0.workspaceID, id: $0.id).map(Wire.User.init) }
            calls.on("register-customer", Remote.NewCustomer.self) {
                Wire.User(try await directory.registerCustomer(workspaceID: $0.workspaceID, email: $0.email, name: $0.name))
            }
            calls.on("has-admin", Remote.WorkspaceID.self) { try await directory.hasAdmin(workspaceID: $0.workspaceID) }
            calls.on("create-first-admin", Remote.FirstAdmin.self) {
                Wire.User(try await directory.createFirstAdmin(workspaceID: $0.workspaceID, email: $0.email, name: $0.name, password: $0.password))
            }
            calls.on("discard-registration", Remote.ByID.self) {
                try await directory.discardRegistration(workspaceID: $0.workspaceID, id: $0.id)
                return Wire.Nothing()
            }
            calls.on("organization", Remote.ByID.self) { try await directory.organization(workspaceID: $0.workspaceID, id: $0.id).map(Wire.Organization.init) }
            calls.on("team-exists", Remote.ByID.self) { try await directory.teamExists(workspaceID: $0.workspaceID, id: $0.id) }
            calls.on("team-members", Remote.ByID.self) { try await directory.teamMemberIDs(workspaceID: $0.workspaceID, teamID: $0.id) }
        }
        if let calls = on(ServiceRegistry.auth) {
            let credentials = self.credentials
            calls.on("set-password", Remote.SetPassword.self) {
                try await credentials.setPassword(workspaceID: $0.workspaceID, userID: $0.userID, password: $0.password, actor: $0.actor)
                return Wire.Nothing()
            }
        }
        if let calls = on(ServiceRegistry.files) {
            let attachments = self.attachments
            let intake = files.intake
            calls.on("attach", Remote.Attach.self) {
                try await attachments.attach(workspaceID: $0.workspaceID, fileIDs: $0.fileIDs, uploaderID: $0.uploaderID, ticketID: $0.ticketID,
                                             commentID: $0.commentID, isPublic: $0.isPublic).map(Wire.Attachment.init)
            }
            calls.on("detach", Remote.ByID.self) {
                try await attachments.detach(workspaceID: $0.workspaceID, commentID: $0.id)
                return Wire.Nothing()
            }
            calls.on("store", Remote.Store.self) { try await intake.store(as: $0.caller.value, filename: $0.filename, bytes: Array($0.bytes)) }
        }
        if let calls = on(ServiceRegistry.tickets) {
            let access: any TicketAccess = tickets.tickets
            let directory = tickets.directory
            let intake = tickets.intake
            let actions = tickets.actions
            calls.on("rule-ticket", Remote.ByID.self) { try await actions.ruleTicket(workspaceID: $0.workspaceID, id: $0.id) }
            calls.on("rule-apply", Remote.RuleApply.self) {
                try await actions.apply($0.applications, ticketID: $0.ticketID, workspaceID: $0.workspaceID)
            }
            calls.on("can-see-comment", Remote.CanSee.self) { try await access.canSeeComment($0.caller.value, ticketID: $0.ticketID, isPublic: $0.isPublic) }
            calls.on("ticket", Remote.ByID.self) { try await directory.ticket(workspaceID: $0.workspaceID, id: $0.id).map(Wire.Ticket.init) }
            calls.on("comment", Remote.ByID.self) { try await directory.comment(workspaceID: $0.workspaceID, id: $0.id).map(Wire.Comment.init) }
            calls.on("open-ticket", Remote.Open.self) {
                let opened = try await intake.openTicket(as: $0.caller.value, subject: $0.subject, description: $0.description, teamID: $0.teamID,
                                                         attachmentIDs: $0.attachmentIDs, origin: $0.origin.value)
                return Remote.Opened(ticketID: opened.ticketID, commentID: opened.commentID)
            }
            calls.on("reply", Remote.Reply.self) {
                try await intake.reply(as: $0.caller.value, ticketID: $0.ticketID, body: $0.body, attachmentIDs: $0.attachmentIDs,
                                       origin: $0.origin.value)
            }
            calls.on("ticket-by-number", Remote.ByNumber.self) { try await intake.ticket(workspaceID: $0.workspaceID, number: $0.number).map(Wire.Ticket.init) }
            calls.on("follow", Remote.Follow.self) {
                try await intake.follow(as: $0.caller.value, ticketID: $0.ticketID)
                return Wire.Nothing()
            }
        }
        if let calls = on(ServiceRegistry.channels) {
            let channels = self.channels
            calls.on("reply-address", Remote.ByID.self) {
                try await channels.replyAddress(workspaceID: $0.workspaceID, ticketID: $0.id).map { Remote.Address(name: $0.name, address: $0.address) }
            }
        }
    }
}
