extension String {
    /// The length the API's limits are stated in: Unicode code points, as JSON Schema's `maxLength` counts them.
    /// `count` counts grapheme clusters, so a name of 200 letters each carrying combining marks would pass a
    /// 200 limit that the published schema (and every client that checks it) says it breaks.
    public var textLength: Int { unicodeScalars.count }
}

extension StringProtocol {
    /// The longest prefix of whole characters at most `limit` code points long: how text from outside (a mail's
    /// subject, a sender's name) is cut to fit a limit counted like `textLength`. `prefix(_:)` counts characters,
    /// so its 250 letters with combining accents would be 500 code points and fail the limit they were cut for.
    public func prefix(textLength limit: Int) -> String {
        var used = 0
        var end = startIndex
        while end < endIndex {
            let next = index(after: end)
            used += self[end..<next].unicodeScalars.count
            if used > limit { break }
            end = next
        }
        return String(self[startIndex..<end])
    }
}
