/// Tells a file's type from its first bytes, never from what the client claims.
enum ContentSniffer {
    static let executableExtensions: Set<String> = [
        "exe", "dll", "com", "scr", "msi", "bat", "cmd", "ps1", "vbs", "js", "jse", "wsf", "sh", "bash", "jar",
        "app", "apk", "elf", "so", "dylib", "cpl", "hta", "pif",
    ]

    /// Types refused by default: executables and scripts.
    static let defaultDenied: Set<String> = [
        "application/x-executable", "application/x-msdownload", "application/x-mach-binary", "text/x-shellscript",
        "application/java-archive",
    ]

    static func detect(_ head: [UInt8], filename: String) -> String {
        let ext = filename.split(separator: ".").last.map { $0.lowercased() } ?? ""
        func starts(_ bytes: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + bytes.count && Array(head[offset..<offset + bytes.count]) == bytes
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
        if starts(Array("%PDF-".utf8)) { return "application/pdf" }
        if starts([0x7F, 0x45, 0x4C, 0x46]) { return "application/x-executable" }
        if starts([0x4D, 0x5A]) { return "application/x-msdownload" }
        if starts([0xCF, 0xFA, 0xED, 0xFE]) || starts([0xCE, 0xFA, 0xED, 0xFE]) || starts([0xCA, 0xFE, 0xBA, 0xBE]) {
            return "application/x-mach-binary"
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {
            switch ext {
            case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            case "xlsx": return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            case "pptx": return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            case "jar": return "application/java-archive"
            default: return "application/zip"
            }
        }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return "application/x-ole-storage" }
        if starts([0x1F, 0x8B]) { return "application/gzip" }
        if starts(Array("#!".utf8)) { return "text/x-shellscript" }
        // Text: no NUL and valid UTF-8, allowing for a character cut at the end of the sniffed prefix.
        let prefix = Array(head.prefix(512))
        let text = (0...3).lazy.compactMap { cut in String(validating: prefix.dropLast(cut), as: UTF8.self) }.first
        guard !prefix.contains(0), let text else { return "application/octet-stream" }
        let lower = text.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
        if lower.hasPrefix("<!doctype html") || lower.hasPrefix("<html") || lower.hasPrefix("<script") { return "text/html" }
        if lower.hasPrefix("<svg") || (lower.hasPrefix("<?xml") && lower.contains("<svg")) { return "image/svg+xml" }
        if lower.hasPrefix("<?xml") { return "application/xml" }
        if ext == "csv" { return "text/csv" }
        if ext == "json" { return "application/json" }
        return "text/plain"
    }

    /// Types a browser could run or render as a page: always served as a download.
    static func isActive(_ contentType: String) -> Bool {
        ["text/html", "application/xhtml+xml", "image/svg+xml", "application/xml", "text/xml", "application/javascript",
         "text/javascript"].contains(contentType)
    }
}

import Foundation
