import Crypto
import Foundation
import HelpdeskCore
import Testing

@Suite("Files")
struct FileTests {
    func stored(_ h: Harness, _ bytes: Data) async throws -> Bool {
        try await h.system.files.files.blobs.exists(key: bytes.sha256Hex)
    }

    func tempCount(_ h: Harness) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: h.system.configuration.dataDirectory + "/files/tmp"))?.count ?? 0
    }

    @Test("upload streams to storage; download has the right headers, ranges and ETag")
    func uploadDownload() async throws {
        try await Harness.run { h in
            let c = try await h.customer("f@example.com")
            let text = Data("Hello, attachments! ünïcode".utf8)
            let up = try await h.request(.post, "/api/v1/files?filename=../../etc/notes%0A.txt", bytes: text, token: c.accessToken,
                                         headers: ["Content-Type": "application/pdf"])
            #expect(up.status == 201, "\(up.text)")
            #expect(up["filename"] == "notes.txt")
            #expect(up["content_type"] == "text/plain", "detected from the bytes, not the header")
            #expect(up.json["size"] as? Int == text.count)
            let sha = text.sha256Hex
            #expect(up["sha256"] == sha)
            let id = try #require(up["id"])
            let meta = try await h.request(.get, "/api/v1/files/\(id)", token: c.accessToken)
            #expect(meta["sha256"] == sha)
            let down = try await h.request(.get, "/api/v1/files/\(id)/content", token: c.accessToken)
            #expect(down.status == 200)
            #expect(down.body == text)
            #expect(down.header("ETag") == "\"\(sha)\"")
            #expect(down.header("X-Content-Type-Options") == "nosniff")
            #expect(down.header("Content-Type") == "text/plain")
            #expect(down.header("Content-Disposition")?.hasPrefix("inline; filename=\"notes.txt\"") == true)
            let part = try await h.request(.get, "/api/v1/files/\(id)/content", token: c.accessToken, headers: ["Range": "bytes=0-4"])
            #expect(part.status == 206)
            #expect(part.text == "Hello")
            #expect(part.header("Content-Range") == "bytes 0-4/\(text.count)")
            let tail = try await h.request(.get, "/api/v1/files/\(id)/content", token: c.accessToken, headers: ["Range": "bytes=-4"])
            #expect(tail.body == text.suffix(4))
            let bad = try await h.request(.get, "/api/v1/files/\(id)/content", token: c.accessToken, headers: ["Range": "bytes=999-"])
            #expect(bad.status == 416)
            #expect(bad.header("Content-Range") == "bytes */\(text.count)")
        }
    }

    @Test("types come from magic numbers; executables, scripts and oversize uploads leave nothing behind")
    func typesAndLimits() async throws {
        try await Harness.run(configure: { $0.maxFileBytes = 4096 }) { h in
            let c = try await h.customer("t@example.com")
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 1, count: 32))
            #expect(try await h.request(.post, "/api/v1/files?filename=photo.txt", bytes: png, token: c.accessToken)["content_type"] == "image/png")
            let html = try await h.request(.post, "/api/v1/files?filename=page.html", bytes: Data("<!DOCTYPE html><script>x</script>".utf8),
                                           token: c.accessToken)
            #expect(html["content_type"] == "text/html")
            let htmlDown = try await h.request(.get, "/api/v1/files/\(html["id"]!)/content", token: c.accessToken)
            #expect(htmlDown.header("Content-Disposition")?.hasPrefix("attachment;") == true)
            // A page named like a picture, and other types a browser would run: stored as what they are, served as bytes
            // to save, sandboxed and never sniffed.
            for (name, body, stored) in [("evil.png", "<html><body><script>alert(document.cookie)</script>", "text/html"),
                                         ("pic.svg", "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image/svg+xml"),
                                         ("feed.xml", "<?xml version='1.0'?><rss/>", "application/xml")] {
                let up = try await h.request(.post, "/api/v1/files?filename=\(name)", bytes: Data(body.utf8), token: c.accessToken)
                #expect(up["content_type"] == stored, "\(name): \(up.text)")
                let down = try await h.request(.get, "/api/v1/files/\(up["id"]!)/content", token: c.accessToken)
                #expect(down.status == 200 && down.text == body)
                #expect(down.header("Content-Type") == "application/octet-stream", "\(name)")
                #expect(down.header("Content-Security-Policy") == "sandbox", "\(name)")
                #expect(down.header("X-Content-Type-Options") == "nosniff", "\(name)")
                #expect(down.header("Content-Disposition")?.hasPrefix("attachment;") == true, "\(name)")
                let part = try await h.request(.get, "/api/v1/files/\(up["id"]!)/content", token: c.accessToken,
                                               headers: ["Range": "bytes=0-5"])
                #expect(part.status == 206 && part.header("Content-Type") == "application/octet-stream"
                        && part.header("Content-Security-Policy") == "sandbox", "a range is served as safely")
            }
            let picture = try #require(try await h.request(.post, "/api/v1/files?filename=photo.png", bytes: png,
                                                           token: c.accessToken)["id"])
            let pngDown = try await h.request(.get, "/api/v1/files/\(picture)/content", token: c.accessToken)
            #expect(pngDown.header("Content-Type") == "image/png" && pngDown.header("Content-Security-Policy") == "sandbox",
                    "a real picture keeps its type, sandboxed too")
            let elf = Data([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 64))
            let denied = try await h.request(.post, "/api/v1/files?filename=tool.bin", bytes: elf, token: c.accessToken)
            #expect(denied.status == 415)
            #expect(denied.code == "file_type_not_allowed")
            #expect(try await h.request(.post, "/api/v1/files?filename=run.sh", bytes: Data("#!/bin/sh\nrm -rf /".utf8),
                                        token: c.accessToken).status == 415)
            #expect(try await h.request(.post, "/api/v1/files?filename=setup.exe", bytes: Data("hello".utf8),
                                        token: c.accessToken).code == "file_type_not_allowed")
            let bigBytes = Data(repeating: 0x61, count: 5000)
            let big = try await h.request(.post, "/api/v1/files?filename=big.txt", bytes: bigBytes, token: c.accessToken)
            #expect(big.status == 413)
            #expect(big.code == "file_too_large")
            #expect(try await !stored(h, bigBytes))
            #expect(try await !stored(h, elf))
            #expect(tempCount(h) == 0)
            #expect(try await h.request(.post, "/api/v1/files", bytes: Data("x".utf8), token: c.accessToken).errorFields == ["filename"])
            #expect(try await h.request(.post, "/api/v1/files?filename=e.txt", bytes: Data(), token: c.accessToken).errorFields == ["file"])
            #expect(try await h.request(.post, "/api/v1/files?filename=a.txt", bytes: Data("x".utf8)).status == 401)
        }
    }

    @Test("multipart uploads take the file field and its filename, streamed")
    func multipart() async throws {
        try await Harness.run { h in
            let c = try await h.customer("mp@example.com")
            let boundary = "----helpdesk-test-boundary"
            let content = Data((0..<3000).map { UInt8($0 % 251) })
            var body = Data()
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n".utf8))
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.bin\"; filename*=UTF-8''na%C3%AFve.bin\r\nContent-Type: text/html\r\n\r\n".utf8))
            body.append(content)
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            let up = try await h.request(.post, "/api/v1/files", bytes: body, token: c.accessToken,
                                         headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"])
            #expect(up.status == 201, "\(up.text)")
            #expect(up["filename"] == "naïve.bin")
            #expect(up.json["size"] as? Int == content.count)
            #expect(up["sha256"] == content.sha256Hex)
            #expect(up["content_type"] == "application/octet-stream")
            let down = try await h.request(.get, "/api/v1/files/\(up["id"]!)/content", token: c.accessToken)
            #expect(down.body == content)
            #expect(down.header("Content-Disposition")?.contains("filename*=UTF-8''na%C3%AFve.bin") == true)
            var noFile = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--\(boundary)--\r\n".utf8)
            let missing = try await h.request(.post, "/api/v1/files", bytes: noFile, token: c.accessToken,
                                              headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"])
            #expect(missing.errorFields == ["file"])
            noFile = Data("garbage".utf8)
            #expect(try await h.request(.post, "/api/v1/files", bytes: noFile, token: c.accessToken,
                                        headers: ["Content-Type": "multipart/form-data"]).status == 400)
        }
    }

    @Test("the deny-list is configurable")
    func denyList() async throws {
        try await Harness.run(configure: { $0.deniedFileTypes = ["image/png"] }) { h in
            let c = try await h.customer("deny@example.com")
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0])
            #expect(try await h.request(.post, "/api/v1/files?filename=a.png", bytes: png, token: c.accessToken).code == "file_type_not_allowed")
            let elf = Data([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0])
            #expect(try await h.request(.post, "/api/v1/files?filename=tool.bin", bytes: elf, token: c.accessToken).status == 201)
        }
    }

    @Test("identical bytes are stored once and removed with their last file")
    func dedupe() async throws {
        try await Harness.run { h in
            let c = try await h.customer("d@example.com")
            let bytes = Data("same content".utf8)
            let a = try await h.request(.post, "/api/v1/files?filename=a.txt", bytes: bytes, token: c.accessToken)
            let b = try await h.request(.post, "/api/v1/files?filename=b.txt", bytes: bytes, token: c.accessToken)
            #expect(a["sha256"] == b["sha256"])
            #expect(try await stored(h, bytes))
            #expect(tempCount(h) == 0, "the second copy is not kept once the bytes are known to be stored")
            #expect(try await h.request(.delete, "/api/v1/files/\(a["id"]!)", token: c.accessToken).status == 204)
            #expect(try await stored(h, bytes))
            #expect(try await h.request(.get, "/api/v1/files/\(b["id"]!)/content", token: c.accessToken).body == bytes)
            #expect(try await h.request(.delete, "/api/v1/files/\(b["id"]!)", token: c.accessToken).status == 204)
            #expect(try await !stored(h, bytes))
            #expect(try await h.request(.get, "/api/v1/files/\(b["id"]!)", token: c.accessToken).status == 404)
        }
    }

    @Test("attachments: who may read them follows the comment; internal notes' files never reach customers")
    func attachmentAccess() async throws {
        try await Harness.run { h in
            let admin = try await h.admin()
            let agent = try await h.staff("ag@example.com", by: admin)
            let customer = try await h.customer("c1@example.com")
            let stranger = try await h.customer("c2@example.com")
            let ticket = try await h.request(.post, "/api/v1/tickets", json: ["subject": "s", "description": "d"], token: customer.accessToken)
            let tid = try #require(ticket["id"])
            func upload(_ token: String, _ text: String) async throws -> String {
                try #require(try await h.request(.post, "/api/v1/files?filename=f.txt", bytes: Data(text.utf8), token: token)["id"])
            }
            let publicFile = try await upload(agent.accessToken, "public reply file")
            let internalFile = try await upload(agent.accessToken, "internal note file")
            let strangerFile = try await upload(stranger.accessToken, "mine")
            let reply = try await h.request(.post, "/api/v1/tickets/\(tid)/comments",
                                            json: ["body": "see attached", "attachment_ids": [publicFile]], token: agent.accessToken)
            #expect(reply.status == 201, "\(reply.text)")
            #expect((reply.json["attachments"] as? [[String: Any]])?.first?["id"] as? String == publicFile)
            let note = try await h.request(.post, "/api/v1/tickets/\(tid)/comments",
                                           json: ["body": "internal", "public": false, "attachment_ids": [internalFile]], token: agent.accessToken)
            #expect(note.status == 201)
            #expect(try await h.request(.get, "/api/v1/files/\(publicFile)/content", token: customer.accessToken).text == "public reply file")
            #expect(try await h.request(.get, "/api/v1/files/\(internalFile)/content", token: customer.accessToken).status == 404)
            #expect(try await h.request(.get, "/api/v1/files/\(publicFile)", token: stranger.accessToken).status == 404)
            #expect(try await h.request(.get, "/api/v1/files/\(strangerFile)", token: customer.accessToken).status == 404)
            #expect(try await h.request(.get, "/api/v1/files/\(internalFile)", token: admin.accessToken).status == 200)
            let comments = try await h.request(.get, "/api/v1/tickets/\(tid)/comments", token: customer.accessToken)
            #expect(comments.items.flatMap { ($0["attachments"] as? [[String: Any]]) ?? [] }.compactMap { $0["id"] as? String } == [publicFile])

            // attachment_ids are checked: someone else's, already attached, unknown.
            let foreign = try await h.request(.post, "/api/v1/tickets/\(tid)/comments",
                                              json: ["body": "x", "attachment_ids": [strangerFile]], token: customer.accessToken)
            #expect(foreign.errorFields == ["attachment_ids[0]"])
            let again = try await h.request(.post, "/api/v1/tickets/\(tid)/comments",
                                            json: ["body": "x", "attachment_ids": [publicFile]], token: agent.accessToken)
            #expect(again.errorFields == ["attachment_ids[0]"])
            #expect(try await h.request(.post, "/api/v1/tickets/\(tid)/comments", json: ["body": "x", "attachment_ids": [UUID().uuidString]],
                                        token: agent.accessToken).errorFields == ["attachment_ids[0]"])
            // A refused comment leaves its files free to attach.
            let mine = try await upload(customer.accessToken, "retry me")
            _ = try await h.request(.post, "/api/v1/tickets/\(tid)/comments", json: ["body": "x", "attachment_ids": [mine, strangerFile]],
                                    token: customer.accessToken)
            #expect(try await h.request(.post, "/api/v1/tickets/\(tid)/comments", json: ["body": "ok", "attachment_ids": [mine]],
                                        token: customer.accessToken).status == 201)
            #expect(try await h.request(.delete, "/api/v1/files/\(mine)", token: customer.accessToken).status == 403)
        }
    }

    @Test("uploads never attached are removed after 24 hours; attached ones stay")
    func expiry() async throws {
        try await Harness.run { h in
            let c = try await h.customer("e@example.com")
            let t = try await h.request(.post, "/api/v1/tickets", json: ["subject": "s", "description": "d"], token: c.accessToken)
            let loose = try #require(try await h.request(.post, "/api/v1/files?filename=l.txt", bytes: Data("loose".utf8), token: c.accessToken)["id"])
            let kept = try #require(try await h.request(.post, "/api/v1/files?filename=k.txt", bytes: Data("kept".utf8), token: c.accessToken)["id"])
            _ = try await h.request(.post, "/api/v1/tickets/\(t["id"]!)/comments", json: ["body": "x", "attachment_ids": [kept]], token: c.accessToken)
            #expect(try await h.system.files.files.removeExpired(workspaceID: h.workspaceID) == 0)
            h.clock.advance(24 * 3600 + 1)
            #expect(try await h.system.files.files.removeExpired(workspaceID: h.workspaceID) == 1)
            let fresh = try await h.login("e@example.com", "customer-pw")   // a day later, the old token has expired
            #expect(try await h.request(.get, "/api/v1/files/\(loose)", token: fresh.accessToken).status == 404)
            #expect(try await h.request(.get, "/api/v1/files/\(kept)/content", token: fresh.accessToken).text == "kept")
            #expect(try await !stored(h, Data("loose".utf8)))
            #expect(try await stored(h, Data("kept".utf8)))
        }
    }
}

extension Data {
    var sha256Hex: String { SHA256.hash(data: self).map { String(format: "%02x", $0) }.joined() }
}

@Suite("Files on tickets")
struct FileTicketTests {
    @Test("a ticket created with an attachment can be retried with its Idempotency-Key")
    func idempotentCreateWithAttachment() async throws {
        try await Harness.run { h in
            let c = try await h.customer("retry@example.com")
            let file = try #require(try await h.request(.post, "/api/v1/files?filename=a.txt", bytes: Data("shot".utf8),
                                                        token: c.accessToken)["id"])
            let body: [String: Any] = ["subject": "With file", "description": "see file", "attachment_ids": [file]]
            let first = try await h.request(.post, "/api/v1/tickets", json: body, token: c.accessToken, headers: ["Idempotency-Key": "k1"])
            let retry = try await h.request(.post, "/api/v1/tickets", json: body, token: c.accessToken, headers: ["Idempotency-Key": "k1"])
            #expect(first.status == 201, "\(first.text)")
            #expect(retry.status == 201, "\(retry.text)")
            #expect(retry["id"] == first["id"])
            let comments = try await h.request(.get, "/api/v1/tickets/\(first["id"]!)/comments", token: c.accessToken)
            #expect((comments.items.first?["attachments"] as? [[String: Any]])?.first?["id"] as? String == file)
        }
    }
}
