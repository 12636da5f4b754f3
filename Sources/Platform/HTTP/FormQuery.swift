/// A query string read as `application/x-www-form-urlencoded`, the way browsers, HTML forms, Python's
/// `urllib.parse.urlencode` and `curl -G --data-urlencode` write it: `+` is a space, `%2B` a literal plus.
///
/// It follows the WHATWG URL standard's urlencoded parser: pairs split on `&`, the name from the value on the
/// first `=`, a percent sign not followed by two hex digits kept as it is, and bytes that are not UTF-8 read
/// with replacement characters. The first occurrence of a repeated name wins.
public struct FormQuery: Sendable, Equatable {
    /// The decoded pairs, in order.
    public let pairs: [(name: String, value: String)]

    public init(_ query: Substring?) {
        guard let query, !query.isEmpty else { pairs = []; return }
        var out: [(String, String)] = []
        for piece in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let eq = piece.firstIndex(of: UInt8(ascii: "=")) {
                out.append((Self.decode(piece[..<eq]), Self.decode(piece[piece.index(after: eq)...])))
            } else {
                out.append((Self.decode(piece[...]), ""))
            }
        }
        pairs = out
    }

    /// The value of the first pair named `name`, if any.
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    public static func == (a: FormQuery, b: FormQuery) -> Bool {
        a.pairs.elementsEqual(b.pairs) { $0.name == $1.name && $0.value == $1.value }
    }

    /// `+` to a space, then `%XX` to its byte; the bytes read as UTF-8.
    static func decode(_ raw: Substring.UTF8View.SubSequence) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i < raw.endIndex {
            let byte = raw[i]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"),
                      let h = raw.index(i, offsetBy: 1, limitedBy: raw.endIndex), h < raw.endIndex,
                      let l = raw.index(h, offsetBy: 1, limitedBy: raw.endIndex), l < raw.endIndex,
                      let high = hex(raw[h]), let low = hex(raw[l]) {
                bytes.append(high << 4 | low)
                i = raw.index(after: l)
                continue
            } else {
                bytes.append(byte)
            }
            i = raw.index(after: i)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
