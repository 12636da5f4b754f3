import Foundation
@testable import IMAPClient
import MIME
import NIOCore
import NIOEmbedded
import Testing

@Suite("MIME")
struct MIMETests {
    func parse(_ text: String) -> MIMEMessage { MIMEParser.parse(Array(text.utf8)) }

    @Test("encoded words, folded headers, addresses and ids")
    func headers() {
        let m = parse("""
            From: =?ISO-8859-1?Q?Fran=E7ois_Dupr=E9?= <Francois@Example.COM>\r
            To: "Doe, Jane" <jane@example.com>, bob@example.org (Bob B), Team: a@example.net, b@example.net;\r
            Subject: =?UTF-8?B?w4l0w6k=?=\r
             =?UTF-8?Q?_=C3=A0_Paris?= and more\r
            Message-ID: <abc@example.com>\r
            In-Reply-To: <x@example.com> <y@example.com>\r
            References: <r1@example.com>\r
             <r2@example.com>\r
            Broken header line\r
            Date: Mon, 03 Feb 2025 10:12:00 +0100\r
            \r
            Hello
            """)
        #expect(m.subject == "Été à Paris and more")
        #expect(m.from == MailAddress(name: "François Dupré", address: "francois@example.com"))
        #expect(m.to.map(\.address) == ["jane@example.com", "bob@example.org", "a@example.net", "b@example.net"])
        #expect(m.to.first?.name == "Doe, Jane")
        #expect(m.to[1].name == "Bob B")
        #expect(m.messageID == "abc@example.com")
        #expect(m.inReplyTo == ["x@example.com", "y@example.com"])
        #expect(m.references == ["r1@example.com", "r2@example.com"])
        #expect(m.date == Date(timeIntervalSince1970: 1_738_573_920))
        #expect(m.text == "Hello")
        #expect(EncodedWords.decode("=?UTF-8?B?broken") == "=?UTF-8?B?broken", "an unterminated word stays literal")
    }

    @Test("multipart trees: alternative, related, mixed; charsets, QP, base64, RFC 2231 names")
    func multipart() {
        let m = parse("""
            From: a@example.com\r
            Subject: x\r
            Content-Type: multipart/mixed; boundary="outer"\r
            \r
            preamble\r
            --outer\r
            Content-Type: multipart/alternative; boundary=inner\r
            \r
            --inner\r
            Content-Type: text/plain; charset=windows-1252\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Caf=E9 cr=E8me =80 5, une tr=\r
            =E8s longue ligne\r
            --inner\r
            Content-Type: text/html; charset=utf-8\r
            \r
            <p>Caf&eacute;</p>\r
            --inner--\r
            --outer\r
            Content-Type: application/pdf\r
            Content-Disposition: attachment;\r
             filename*0*=UTF-8''%C3%A9t%C3%A9;\r
             filename*1*=%20report.pdf\r
            Content-Transfer-Encoding: base64\r
            \r
            JVBERi0xLjQK\r
            --outer\r
            Content-Type: image/png\r
            Content-ID: <img1@example.com>\r
            Content-Transfer-Encoding: base64\r
            \r
            iVBORw0KGgo=\r
            --outer--\r
            epilogue
            """)
        #expect(m.text == "Café crème € 5, une très longue ligne")
        #expect(m.html == "<p>Caf&eacute;</p>")
        #expect(m.attachments.map(\.filename) == ["été report.pdf", "attachment.png"])
        #expect(m.attachments.first?.data == Array("%PDF-1.4\n".utf8))
        #expect(m.attachments.last?.contentID == "img1@example.com" && m.attachments.last?.isInline == true)
    }

    @Test("hostile and broken input never traps: no end boundary, deep nesting, garbage, unknown charset")
    func robustness() {
        let unterminated = parse("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nstill here\n")
        #expect(unterminated.text == "still here\n")
        let deep = (0..<40).map { "Content-Type: multipart/mixed; boundary=b\($0)\n\n--b\($0)\n" }.joined() + "text"
        _ = parse(deep)
        let unknown = parse("Content-Type: text/plain; charset=x-unknown\n\ncaf\u{e9}")
        #expect(unknown.text == "café")
        let latin = MIMEParser.parse([UInt8]("Content-Type: text/plain; charset=x-unknown\n\ncaf".utf8) + [0xE9])
        #expect(latin.text == "café", "invalid UTF-8 falls back to Windows-1252")
        for garbage in ["", "\n\n\n", ":::", "Content-Type: multipart/mixed\n\n--", String(repeating: "=?", count: 5000)] {
            _ = parse(garbage)
        }
        #expect(parse("no headers at all").subject == "")
        // Hostile shapes stay linear: thousands of "<", unclosed scripts, deep quote blocks.
        let html = String(repeating: "<", count: 200_000) + "x"
        _ = HTMLText.text(from: html)
        _ = HTMLText.text(from: String(repeating: "<script>a", count: 50_000))
        _ = QuotedHistory.split(String(repeating: "> q\n", count: 100_000) + "end")
        #expect(HTMLText.text(from: "<p>a<script>b</script>c</p><!-- d -->e") == "a c\ne")
    }

    @Test("automatic mail is recognized: auto-replies, bulk, bounces")
    func automatic() {
        #expect(parse("From: a@example.com\nAuto-Submitted: auto-replied\n\nx").isAutomatic)
        #expect(!parse("From: a@example.com\nAuto-Submitted: no\n\nx").isAutomatic)
        #expect(parse("From: a@example.com\nPrecedence: bulk\n\nx").isAutomatic)
        #expect(parse("From: MAILER-DAEMON@example.com\n\nx").isAutomatic)
        #expect(parse("From: a@example.com\nContent-Type: multipart/report; report-type=delivery-status; boundary=z\n\n--z--").isAutomatic)
        #expect(!parse("From: a@example.com\n\nx").isAutomatic)
    }

    @Test("HTML becomes readable text")
    func html() {
        let text = HTMLText.text(from: "<html><head><title>T</title><style>p{}</style></head><body><p>Hello&nbsp;<b>you</b></p><script>x()</script><div>a &amp; b &#233; &#x20AC;</div>line<br>two</body></html>")
        #expect(text == "Hello you\n\na & b é €\nline\ntwo", "blocks keep one blank line between them")
    }

    @Test("quoted history is split off replies in English, French and Outlook forms")
    func quotes() {
        let english = QuotedHistory.split("Thanks, it works now.\n\nOn Mon, Feb 3, 2025 at 10:12 AM Support <s@example.com>\nwrote:\n> Did you restart it?\n")
        #expect(english.reply == "Thanks, it works now.")
        #expect(english.quoted?.contains("> Did you restart it?") == true)
        let french = QuotedHistory.split("Merci !\n\nLe lun. 3 févr. 2025 à 10:12, Support <s@example.com> a écrit :\n> Avez-vous redémarré ?")
        #expect(french.reply == "Merci !")
        let outlook = QuotedHistory.split("Still broken.\r\n\r\n________________________________\r\nFrom: Support <s@example.com>\r\nSent: Monday\r\nSubject: RE: x\r\n\r\nold text")
        #expect(outlook.reply == "Still broken.")
        let original = QuotedHistory.split("ok\n-----Original Message-----\nFrom: x")
        #expect(original.reply == "ok")
        let onlyQuote = QuotedHistory.split("> just a quote")
        #expect(onlyQuote.reply == "> just a quote" && onlyQuote.quoted == nil)
        let inline = QuotedHistory.split("> question?\nanswer\n> other?\nanswer 2")
        #expect(inline.quoted == nil, "interleaved answers are not a trailing quote")
    }
}

@Suite("Mail corpus")
struct MailCorpusTests {
    struct Expected: Decodable {
        let file: String
        let subject: String
        let from_address: String?
        let from_name: String?
        let body_start: String
        let attachments: [Attachment]
        let message_id: String?
        let in_reply_to: String?
        let auto: Bool
        struct Attachment: Decodable, Equatable { let filename: String; let content_type: String }
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mail")

    @Test("30+ real-world-shaped messages parse to their expected subject, sender, body start and attachments")
    func corpus() throws {
        let expected = try JSONDecoder().decode([Expected].self,
                                                from: Data(contentsOf: Self.directory.appendingPathComponent("expected.json")))
        #expect(expected.count >= 30)
        for e in expected {
            let raw = try Data(contentsOf: Self.directory.appendingPathComponent(e.file))
            let m = MIMEParser.parse(raw)
            #expect(m.subject == e.subject, "\(e.file) subject")
            #expect(m.from?.address == e.from_address, "\(e.file) from")
            #expect(m.from?.name == e.from_name, "\(e.file) from name")
            #expect(m.messageID == e.message_id, "\(e.file) message id")
            #expect(m.inReplyTo.first == e.in_reply_to, "\(e.file) in-reply-to")
            let collapsed = m.text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
                .joined(separator: " ")
            #expect(String(collapsed.prefix(40)) == e.body_start, "\(e.file) body")
            #expect(m.attachments.map { Expected.Attachment(filename: $0.filename, content_type: $0.contentType) } == e.attachments,
                    "\(e.file) attachments")
            #expect(m.isAutomatic == e.auto, "\(e.file) automatic")
        }
    }
}

@Suite("IMAP parsing")
struct IMAPParsingTests {
    @Test("a negative or huge literal size is a protocol error, not a crash")
    func literals() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(IMAPLineDecoder()))
        try channel.writeInbound(ByteBuffer(string: "* 1 FETCH (BODY[] {5}\r\nhello)\r\n"))
        let line = try #require(try channel.readInbound(as: IMAPLine.self))
        #expect(line.literals == [Array("hello".utf8)] && line.text == "* 1 FETCH (BODY[] {5})")
        #expect(throws: (any Error).self) { try channel.writeInbound(ByteBuffer(string: "* 2 FETCH (BODY[] {-1}\r\n")) }
        let other = EmbeddedChannel(handler: ByteToMessageHandler(IMAPLineDecoder()))
        #expect(throws: (any Error).self) { try other.writeInbound(ByteBuffer(string: "* 3 FETCH (BODY[] {999999999999}\r\n")) }
    }
}
