#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import HelpdeskCore
import NIOPosix
import Platform

/// Streams a file to ClamAV's clamd with the INSTREAM command: `zINSTREAM\0`, then chunks each prefixed by its
/// 4-byte big-endian length, then a zero length; clamd answers `stream: OK` or `stream: <name> FOUND`.
public struct ClamdScanner: Sendable {
    public enum Verdict: Sendable, Equatable {
        case clean
        case infected(String)
    }

    let host: String
    let port: UInt16

    /// From `tcp://host:port` (`--clamd-url`).
    public init(url: String) throws {
        guard let parts = URLComponents(string: url), parts.scheme == "tcp", let host = parts.host,
              let port = parts.port, (1...65535).contains(port) else {
            throw ConfigurationError("clamd-url: expected tcp://host:port")
        }
        self.host = host
        self.port = UInt16(port)
    }

    /// Scans a local file; clamd being unreachable is a 503, so nothing unscanned is ever accepted.
    public func scan(file path: String) async throws -> Verdict {
        let (host, port) = (self.host, self.port)
        let reply: String
        do {
            reply = try await NIOThreadPool.singleton.runIfActive { try Self.instream(path: path, host: host, port: port) }
        } catch {
            throw HelpdeskError(status: 503, code: "scanner_unavailable", title: "Virus scanner unavailable",
                                detail: "The upload could not be scanned for malware; try again later.")
        }
        if reply.hasSuffix("OK") { return .clean }
        if reply.hasSuffix("FOUND") {
            let name = reply.replacingOccurrences(of: "stream: ", with: "").replacingOccurrences(of: " FOUND", with: "")
            return .infected(name)
        }
        throw HelpdeskError(status: 503, code: "scanner_unavailable", title: "Virus scanner unavailable",
                            detail: "The virus scanner refused the upload: \(reply)")
    }

    struct SocketError: Error { let step: String }

    static func instream(path: String, host: String, port: UInt16) throws -> String {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let address = info else { throw SocketError(step: "resolve") }
        defer { freeaddrinfo(info) }
        let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard fd >= 0 else { throw SocketError(step: "socket") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else { throw SocketError(step: "connect") }

        func sendAll(_ bytes: [UInt8]) throws {
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw SocketError(step: "send") }
                offset += n
            }
        }
        func lengthPrefix(_ n: Int) -> [UInt8] { [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] }

        try sendAll(Array("zINSTREAM\0".utf8))
        guard let file = FileHandle(forReadingAtPath: path) else { throw SocketError(step: "open") }
        defer { try? file.close() }
        while true {
            let chunk = file.readData(ofLength: 64 * 1024)
            if chunk.isEmpty { break }
            try sendAll(lengthPrefix(chunk.count) + [UInt8](chunk))
        }
        try sendAll([0, 0, 0, 0])
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while reply.count < 4096 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            reply.append(contentsOf: buffer[0..<n])
            if reply.contains(0) { break }
        }
        return String(decoding: reply.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
