import AsyncHTTPClient
import Foundation
@testable import Gateway
import HelpdeskCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Platform
import Testing

@Suite("Calls between services over HTTP")
struct RemoteCallTests {
    @Test("a tickets process reaches users and files over signed HTTP calls; errors come back as the same problems")
    func ticketsProcessCallsOthers() async throws {
        try await Harness.run { h in
            let logger = Logger(label: "test")
            // The other services, as a service process (no gateway) on a loopback port.
            var servicesConfig = h.system.configuration
            servicesConfig.services = Set(ServiceRegistry.names)
            servicesConfig.upstreams = [:]
            let services = try await HelpdeskSystem.make(configuration: servicesConfig, logger: logger, mailer: MemoryMailer(),
                                                         mailTransport: MemoryMailTransport(), signingKey: h.signingKey)
            let (port, running) = await serveLive(services.buildRouter(), logger: logger)
            defer { running.cancel() }
            let url = "http://127.0.0.1:\(port)"
            // A process serving tickets alone, with every other service an upstream.
            var ticketsConfig = h.system.configuration
            ticketsConfig.services = [ServiceRegistry.tickets]
            ticketsConfig.upstreams = Dictionary(uniqueKeysWithValues: ServiceRegistry.names.filter { $0 != ServiceRegistry.tickets }
                .map { ($0, [url]) })
            let ticketsProcess = try await HelpdeskSystem.make(configuration: ticketsConfig, logger: logger, mailer: MemoryMailer(),
                                                               mailTransport: MemoryMailTransport(), signingKey: h.signingKey)
            defer { Task { await ticketsProcess.shutdown(); await services.shutdown() } }
            #expect(ticketsProcess.userDirectory is Remote.UserDirectoryClient)

            let admin = try await h.admin()
            let carol = try await h.customer("carol@example.com")
            let upload = try await h.request(.post, "/api/v1/files?filename=log.txt", bytes: Data("printer log".utf8),
                                             token: admin.accessToken)
            #expect(upload.status == 201)
            try await Application(router: ticketsProcess.buildRouter(), logger: logger).test(.router) { client in
                let t = Harness(system: ticketsProcess, mailer: h.mailer, outbox: h.outbox, clock: h.clock, client: client,
                                signingKey: h.signingKey)
                // The requester is looked up through the users service; the attachment registered with files.
                let created = try await t.request(.post, "/api/v1/tickets", json: [
                    "subject": "Printer", "description": "Jams.", "requester_id": carol.userID, "attachment_ids": [upload["id"]!],
                ], token: admin.accessToken)
                #expect(created.status == 201, "\(created.text)")
                let comments = try await t.request(.get, "/api/v1/tickets/\(created["id"]!)/comments", token: admin.accessToken)
                let attachments = comments.items.first?["attachments"] as? [[String: Any]]
                #expect(attachments?.first?["filename"] as? String == "log.txt")
                // An unknown requester is refused as before: the remote directory answered "no such user".
                let unknown = try await t.request(.post, "/api/v1/tickets", json: [
                    "subject": "x", "description": "y", "requester_id": UUID().uuidString,
                ], token: admin.accessToken)
                #expect(unknown.status == 422 && unknown.errorFields == ["requester_id"])
            }

            // The typed error of the owner comes back as itself.
            let users = try #require(ticketsProcess.userDirectory as? Remote.UserDirectoryClient)
            await #expect(throws: HelpdeskError.self) {
                _ = try await users.registerCustomer(workspaceID: h.workspaceID, email: "carol@example.com", name: "Again")
            }
            do {
                _ = try await users.registerCustomer(workspaceID: h.workspaceID, email: "carol@example.com", name: "Again")
            } catch let error as HelpdeskError {
                #expect(error.code == "email_taken" && error.status == 409)
            }
            #expect(try await users.user(workspaceID: h.workspaceID, email: "carol@example.com")?.name == "Customer")
            #expect(try await users.user(workspaceID: h.workspaceID, id: UUID()) == nil)

            // Calls must be signed by a process of the same install.
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { Task { try? await http.shutdown() } }
            let body = Array(#"{"args":{"workspaceID":"\#(h.workspaceID.uuidString)","email":"carol@example.com"}}"#.utf8)
            for header in [nil, "t=1,s=00", ServiceSignature(signingKey: .generate()).sign(path: "/internal/v1/users/user-by-email", body: body)] {
                var request = HTTPClientRequest(url: url + "/internal/v1/users/user-by-email")
                request.method = .POST
                request.body = .bytes(ByteBuffer(bytes: body))
                if let header { request.headers.add(name: ServiceSignature.header, value: header) }
                let response = try await http.execute(request, timeout: .seconds(10))
                #expect(response.status.code == 401, "\(header ?? "no signature")")
            }
            var signed = HTTPClientRequest(url: url + "/internal/v1/users/user-by-email")
            signed.method = .POST
            signed.body = .bytes(ByteBuffer(bytes: body))
            signed.headers.add(name: ServiceSignature.header,
                               value: ServiceSignature(signingKey: h.signingKey).sign(path: "/internal/v1/users/user-by-email", body: body))
            #expect(try await http.execute(signed, timeout: .seconds(10)).status.code == 200)
        }
    }
}
