import Foundation

/// Turns bytes in a named charset into text. Foundation decodes the legacy charsets on Linux through
/// CoreFoundation encoding numbers; names are mapped here. ISO-8859-1 is read as Windows-1252 (what senders
/// mean in practice, as browsers do), and an unknown charset falls back to UTF-8 if valid, else Windows-1252.
public enum MIMECharset {
    /// CoreFoundation encoding numbers by IANA name (lowercased).
    static let coreFoundation: [String: UInt] = {
        var table: [String: UInt] = [
            "iso-8859-1": 0x0500, "latin1": 0x0500, "windows-1252": 0x0500, "cp1252": 0x0500,
            "windows-1250": 0x0501, "cp1250": 0x0501, "windows-1251": 0x0502, "cp1251": 0x0502,
            "windows-1253": 0x0503, "windows-1254": 0x0504, "windows-1255": 0x0505, "windows-1256": 0x0506,
            "windows-1257": 0x0507, "windows-1258": 0x0508,
            "koi8-r": 0x0A02, "koi8-u": 0x0A08, "shift_jis": 0x0A01, "big5": 0x0A03, "gb2312": 0x0930,
            "euc-kr": 0x0940, "euc-jp": 0x0920, "iso-2022-jp": 0x0820, "gb18030": 0x0632, "gbk": 0x0631,
        ]
        for n in 2...16 where n != 12 { table["iso-8859-\(n)"] = 0x0200 + UInt(n) }
        for n in 1...10 { table["latin\(n)"] = table["iso-8859-\([1, 2, 3, 4, 9, 10, 13, 14, 15, 16][n - 1])"] ?? 0x0500 }
        table["latin1"] = 0x0500
        return table
    }()

    public static func decode(_ bytes: [UInt8], charset: String?) -> String {
        let name = normalize(charset)
        switch name {
        case "utf-8", "utf8", "us-ascii", "ascii", "":
            return utf8OrFallback(bytes)
        default:
            if let cf = coreFoundation[name],
               let text = String(data: Data(bytes), encoding: String.Encoding(rawValue: 0x8000_0000 | cf)) {
                return text
            }
            return utf8OrFallback(bytes)
        }
    }

    /// Valid UTF-8 as is; otherwise Windows-1252, which maps every byte to something readable.
    public static func utf8OrFallback(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(data: Data(bytes), encoding: String.Encoding(rawValue: 0x8000_0500))
            ?? String(decoding: bytes, as: UTF8.self)
    }

    static func normalize(_ charset: String?) -> String {
        var name = (charset ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        if let star = name.firstIndex(of: "*") { name = String(name[..<star]) } // RFC 2231 language suffix
        switch name {
        case "iso8859-1", "iso_8859-1", "iso8859_1": return "iso-8859-1"
        case "utf8": return "utf-8"
        default:
            if name.hasPrefix("iso8859-") { return "iso-8859-" + name.dropFirst(8) }
            if name.hasPrefix("iso_8859-") { return "iso-8859-" + name.dropFirst(9) }
            if name.hasPrefix("cp125") { return "windows-" + name.dropFirst(2) }
            return name
        }
    }
}
