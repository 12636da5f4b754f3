extension String {
    /// The length the API's limits are stated in: Unicode code points, as JSON Schema's `maxLength` counts them.
    /// `count` counts grapheme clusters, so a name of 200 letters each carrying combining marks would pass a
    /// 200 limit that the published schema (and every client that checks it) says it breaks.
    public var textLength: Int { unicodeScalars.count }
}
