import Foundation
import HelpdeskCore
import SQLKit

extension SQLRow {
    /// A UUID stored as text; a malformed one is a decoding error rather than a crash.
    public func uuid(_ column: String) throws -> UUID {
        let text = try decode(column: column, as: String.self)
        guard let id = UUID.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(column) is not a UUID: \(text)"))
        }
        return id
    }

    /// A nullable UUID stored as text.
    public func optionalUUID(_ column: String) throws -> UUID? {
        try decode(column: column, as: String?.self).flatMap { UUID.parse($0) }
    }

    /// A timestamp stored as epoch milliseconds.
    public func date(_ column: String) throws -> Date {
        Date(epochMilliseconds: try decode(column: column, as: Int64.self))
    }
}
