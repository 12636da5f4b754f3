import Foundation
import HelpdeskCore
import Platform

/// What `helpdesk seed` asks of the tickets service.
public struct TicketSeedPlan: Sendable {
    public var count: Int
    public var requesters: [(id: UUID, organizationID: UUID?)]
    public var agents: [UUID]
    /// Tickets per transaction.
    public var batchSize = 1000
    /// The same seed writes the same workspace, so benchmark runs compare like with like.
    public var randomSeed: UInt64 = 42
    /// Tickets are spread over this much past time, oldest first.
    public var span: TimeInterval = 365 * 86_400

    public init(count: Int, requesters: [(id: UUID, organizationID: UUID?)], agents: [UUID]) {
        self.count = count
        self.requesters = requesters
        self.agents = agents
    }
}

/// The seeder needs the same data on every run: a deterministic generator.
typealias SeedRandom = SplitMix64

/// Text that reads like a helpdesk's: the mix of subjects, bodies and tags search and lists will meet.
enum SeedText {
    static let subjects = [
        "Cannot log in to my account", "Invoice #{n} is wrong", "Refund request for order #{n}",
        "Password reset email never arrives", "App crashes when uploading a photo", "How do I export my data?",
        "Shipping delayed for order #{n}", "Wrong item received in order #{n}", "Please change my billing address",
        "Two-factor code is not accepted", "Printer {model} shows error {code}", "VPN disconnects every few minutes",
        "Feature request: scheduled reports", "Subscription renewed and charged twice", "API returns 500 on /orders",
        "Cannot add a new user to our team", "Data import stuck at {code} percent", "Dashboard is very slow today",
        "Impossible de me connecter à mon compte", "La facture #{n} est incorrecte", "Remboursement de la commande #{n}",
        "Livraison en retard pour la commande #{n}", "L'application plante au démarrage", "Changer mon adresse de facturation",
        "Question about the enterprise plan", "Webhook deliveries are failing", "SSO login loops back to the start page",
        "Mobile notifications stopped working", "Export to CSV has broken accents", "Calendar sync creates duplicates",
    ]
    static let models = ["LaserJet 4200", "OfficeJet 9010", "Canon MF643", "Brother HL-L2350", "Epson WF-2850"]
    static let openings = [
        "Hello,", "Hi team,", "Good morning,", "Bonjour,", "Hi,", "Dear support,", "Hello again,",
    ]
    static let sentences = [
        "Since this morning I get an error message when I try to sign in.",
        "I already tried clearing the cache and restarting the browser, without success.",
        "The order was placed last week and the tracking page has not changed since.",
        "We were charged twice for the same month, please refund the duplicate payment.",
        "This blocks our whole team, we cannot work until it is fixed.",
        "Attached is a screenshot of the error with the exact time it happened.",
        "It works on the desktop application but not on the mobile app.",
        "Could you tell me how to export all our tickets to a spreadsheet?",
        "The printer shows a paper jam but there is no paper stuck inside.",
        "Our invoices should show the new company name and VAT number.",
        "Depuis hier, je ne reçois plus les e-mails de réinitialisation du mot de passe.",
        "La commande indique livrée mais nous n'avons rien reçu.",
        "Merci de corriger l'adresse de facturation sur les prochaines factures.",
        "The API answers with a timeout after about thirty seconds on large requests.",
        "Several colleagues report the same problem since the last update.",
        "Is there a way to schedule this report every Monday morning?",
    ]
    static let agentReplies = [
        "Thanks for reaching out. I have looked into your account and reset the session, could you try again?",
        "I am sorry for the trouble. I have escalated this to our engineering team and will keep you posted.",
        "The duplicate charge has been refunded; it should appear on your statement within five business days.",
        "Could you send us the exact error message and the time it happened so we can check the logs?",
        "Merci pour votre message. Nous avons corrigé l'adresse, les prochaines factures seront à jour.",
        "The carrier confirmed a delay at the sorting center; your parcel should arrive by Friday.",
        "You can export your data from Settings, then Data, then Export as CSV.",
    ]
    static let customerReplies = [
        "Thanks, it works now!", "I tried again and it still fails with the same message.",
        "Here is the information you asked for.", "Merci, c'est résolu.", "Any news on this? It is still blocking us.",
        "Great, thank you for the quick answer.",
    ]
    static let notes = [
        "Customer is on the enterprise plan, handle with priority.", "Checked the logs: 14 failed attempts from a new IP.",
        "Known issue, linked to the incident from Tuesday.", "Refund approved by billing.",
        "Waiting for engineering, see the internal tracker.",
    ]
    static let tags = ["billing", "refund", "login", "vip", "bug", "shipping", "mobile", "api", "invoice", "feature",
                       "enterprise", "printer", "vpn", "sso", "export"]
}

extension Tickets {
    /// Writes `plan.count` realistic tickets with their conversations (a description, then zero to four replies
    /// and notes) and search documents, in batches, straight into the tables: no events, no history, no
    /// notifications (seeding is not something anybody did). Calls `progress` with the running total, and `written`
    /// with each batch once stored (so other services' read models can be seeded alike).
    public func seed(workspaceID: UUID, plan: TicketSeedPlan,
                     written: @Sendable ([Ticket], [Comment]) async throws -> Void = { _, _ in },
                     progress: @Sendable (Int) -> Void = { _ in }) async throws {
        guard plan.count > 0 else { return }
        guard !plan.requesters.isEmpty, !plan.agents.isEmpty else {
            throw HelpdeskError.validation(field: "requesters", "seeding needs at least one customer and one agent")
        }
        var random = SeedRandom(seed: plan.randomSeed)
        let now = clock.now
        let start = now.addingTimeInterval(-plan.span)
        let store = self.store
        var done = 0
        while done < plan.count {
            let size = min(plan.batchSize, plan.count - done)
            // Numbers are reserved in their own short transaction; the batch then fills them.
            let first = try await database.transaction { db in
                try await store.reserveNumbers(workspaceID: workspaceID, count: size, on: db)
            }
            var tickets: [Ticket] = []
            var comments: [Comment] = []
            tickets.reserveCapacity(size)
            for i in 0..<size {
                let position = Double(done + i) / Double(plan.count)
                let created = start.addingTimeInterval(plan.span * position + Double.random(in: 0..<600, using: &random))
                let (ticket, conversation) = Self.seedTicket(number: first + i, workspaceID: workspaceID,
                                                             created: min(created, now), now: now, plan: plan,
                                                             random: &random)
                tickets.append(ticket)
                comments += conversation
            }
            let batch = (tickets, comments)
            try await database.transaction { db in
                try await store.insertSeeded(tickets: batch.0, comments: batch.1, workspaceID: workspaceID, on: db)
            }
            try await written(batch.0, batch.1)
            done += size
            progress(done)
        }
    }

    static func seedTicket(number: Int, workspaceID: UUID, created: Date, now: Date, plan: TicketSeedPlan,
                           random: inout SeedRandom) -> (Ticket, [Comment]) {
        func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }
        func fill(_ text: String) -> String {
            text.replacingOccurrences(of: "{n}", with: String(Int.random(in: 10_000...99_999, using: &random)))
                .replacingOccurrences(of: "{model}", with: pick(SeedText.models))
                .replacingOccurrences(of: "{code}", with: String(Int.random(in: 10...99, using: &random)))
        }
        let roll = Int.random(in: 0..<100, using: &random)
        // A support queue's usual shape: most work is solved, a third is open or waiting.
        let status: TicketStatus = switch roll {
        case ..<10: .new
        case ..<30: .open
        case ..<42: .pending
        case ..<46: .onHold
        case ..<85: .solved
        default: .closed
        }
        let p = Int.random(in: 0..<100, using: &random)
        let priority: TicketPriority = p < 15 ? .low : p < 70 ? .normal : p < 92 ? .high : .urgent
        let requester = pick(plan.requesters)
        let assignee: UUID? = status == .new && roll % 3 != 0 ? nil : (roll % 10 < 8 ? pick(plan.agents) : nil)
        var tags: [String] = []
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            let tag = pick(SeedText.tags)
            if !tags.contains(tag) { tags.append(tag) }
        }
        let c = Int.random(in: 0..<10, using: &random)
        let channel = c < 5 ? "web" : c < 9 ? "email" : "api"
        let replies = Int.random(in: 0...4, using: &random)
        let updated = min(now, created.addingTimeInterval(Double(replies + 1) * Double.random(in: 600...86_400, using: &random)))
        let ticketID = UUIDv7.make(at: created)
        let ticket = Ticket(
            id: ticketID, workspaceID: workspaceID, number: number, subject: fill(pick(SeedText.subjects)),
            status: status, priority: priority, type: pick([TicketType.question, .incident, .problem, .task]),
            requesterID: requester.id, assigneeID: assignee, teamID: nil, organizationID: requester.organizationID,
            tags: tags.sorted(), followerIDs: [], createdAt: created, updatedAt: updated,
            solvedAt: status == .solved || status == .closed ? updated : nil, version: 1 + replies, channel: channel)
        let description = ([pick(SeedText.openings)] + (0..<Int.random(in: 1...3, using: &random)).map { _ in
            pick(SeedText.sentences)
        }).joined(separator: "\n")
        var conversation = [Comment(id: UUIDv7.make(at: created), ticketID: ticketID, authorID: requester.id,
                                    body: description, isPublic: true, createdAt: created, channel: channel)]
        let step = updated.timeIntervalSince(created) / Double(replies + 1)
        for r in 0..<replies {
            let at = created.addingTimeInterval(step * Double(r + 1))
            let kind = Int.random(in: 0..<100, using: &random)
            let agent = assignee ?? pick(plan.agents)
            let comment: Comment = if kind < 15 {
                Comment(id: UUIDv7.make(at: at), ticketID: ticketID, authorID: agent, body: pick(SeedText.notes),
                        isPublic: false, createdAt: at, channel: "web")
            } else if r % 2 == 0 {
                Comment(id: UUIDv7.make(at: at), ticketID: ticketID, authorID: agent, body: pick(SeedText.agentReplies),
                        isPublic: true, createdAt: at, channel: "web")
            } else {
                Comment(id: UUIDv7.make(at: at), ticketID: ticketID, authorID: requester.id,
                        body: pick(SeedText.customerReplies), isPublic: true, createdAt: at, channel: channel)
            }
            conversation.append(comment)
        }
        return (ticket, conversation)
    }
}
