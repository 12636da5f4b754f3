import Foundation
import HelpdeskCore
import Hummingbird
import Platform

/// HTTP adapters for `/api/v1/mailboxes`.
struct ChannelRoutes {
    let mailboxes: Mailboxes
    let ingestion: MailIngestion
    let poller: MailboxPoller

    func add(to routes: Routes) {
        routes.get { request, context in
            let p = try context.require(.admin)
            return try .json(try await mailboxes.list(p, page: try PageRequest.parse(limit: request.query("limit"),
                                                                                      cursor: request.query("cursor"))))
        }
        routes.post { request, context in
            let p = try context.require(.admin)
            var body = try await JSONBody.read(request, context: context)
            let input = Self.input(&body)
            try body.validate(allowed: Self.fields)
            return try .json(try await mailboxes.create(p, input), status: .created)
        }
        routes.get(":id") { _, context in
            let p = try context.require(.admin)
            return try .json(try await mailboxes.get(p, id: try context.parameters.uuid("id", what: "mailbox")))
        }
        routes.patch(":id") { request, context in
            let p = try context.require(.admin)
            let id = try context.parameters.uuid("id", what: "mailbox")
            var body = try await JSONBody.read(request, context: context)
            let input = Self.input(&body)
            try body.validate(allowed: Self.fields)
            return try .json(try await mailboxes.update(p, id: id, input))
        }
        routes.delete(":id") { _, context in
            let p = try context.require(.admin)
            try await mailboxes.delete(p, id: try context.parameters.uuid("id", what: "mailbox"))
            return Response(status: .noContent)
        }
        routes.post(":id/messages") { request, context in
            let p = try context.require(.admin)
            let id = try context.parameters.uuid("id", what: "mailbox")
            let type = request.headers[.contentType]?.lowercased() ?? ""
            guard type.hasPrefix("message/rfc822") else { throw HelpdeskError.unsupportedMediaType() }
            let limit = context.maxUploadSize
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: limit) } catch { throw HelpdeskError.bodyTooLarge(limit: limit) }
            guard buffer.readableBytes > 0 else { throw HelpdeskError.malformedBody("The request body is empty; send the message.") }
            let result = try await ingestion.ingest(workspaceID: p.workspaceID, mailboxID: id,
                                                    raw: buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? [])
            return try .json(result, status: .accepted)
        }
        routes.post(":id/test") { _, context in
            let p = try context.require(.admin)
            let mailbox = try await mailboxes.get(p, id: try context.parameters.uuid("id", what: "mailbox"))
            return try .json(await poller.test(mailbox))
        }
        routes.get(":id/failed-messages") { request, context in
            let p = try context.require(.admin)
            let id = try context.parameters.uuid("id", what: "mailbox")
            _ = try await mailboxes.get(p, id: id)
            return try .json(try await ingestion.failed(p, mailboxID: id, page: try PageRequest.parse(
                limit: request.query("limit"), cursor: request.query("cursor"))))
        }
        routes.post(":id/failed-messages/:message/retry") { _, context in
            let p = try context.require(.admin)
            let id = try context.parameters.uuid("id", what: "mailbox")
            let message = try context.parameters.uuid("message", what: "failed message")
            return try .json(try await ingestion.retry(p, mailboxID: id, messageID: message))
        }
    }

    static let fields: Set<String> = ["address", "name", "team_id", "allow_new_senders", "trusted_authserv_id", "imap"]
    static let imapFields: Set<String> = ["host", "port", "security", "username", "password", "folder", "poll_seconds",
                                          "processed_folder", "verify_certificate"]

    static func input(_ body: inout JSONBody) -> MailboxInput {
        var input = MailboxInput()
        input.address = body.string("address")
        input.name = body.string("name")
        input.teamID = body.updateUUID("team_id")
        input.allowNewSenders = body.bool("allow_new_senders")
        input.trustedAuthservID = body.updateString("trusted_authserv_id", nullable: true)
        if body.has("imap") {
            if let object = body.object("imap") {
                var imap = IMAPInput()
                for key in object.keys.sorted() where !imapFields.contains(key) { body.fail("imap.\(key)", "is not a known field") }
                func string(_ key: String) -> String? {
                    guard let value = object[key] else { return nil }
                    if case .string(let s) = value { return s }
                    body.fail("imap.\(key)", "must be a string")
                    return nil
                }
                func int(_ key: String) -> Int? {
                    guard let value = object[key] else { return nil }
                    if case .number(let n) = value, n == n.rounded(), abs(n) < 1e9 { return Int(n) }
                    body.fail("imap.\(key)", "must be an integer")
                    return nil
                }
                imap.host = string("host")
                imap.port = int("port")
                imap.security = string("security")
                imap.username = string("username")
                imap.password = string("password")
                imap.folder = string("folder")
                imap.pollSeconds = int("poll_seconds")
                if let value = object["verify_certificate"] {
                    if case .bool(let verify) = value { imap.verifyCertificate = verify } else {
                        body.fail("imap.verify_certificate", "must be true or false")
                    }
                }
                if let value = object["processed_folder"] {
                    if case .null = value { imap.processedFolder = .set(nil) } else if let folder = string("processed_folder") {
                        imap.processedFolder = .set(folder)
                    }
                }
                input.imap = .set(imap)
            } else {
                input.imap = .set(nil) // null, or a wrong type already reported by `object`
            }
        }
        return input
    }
}
