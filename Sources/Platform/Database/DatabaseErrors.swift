import PostgresKit
import SQLiteKit

extension Database {
    /// True when `error` is a unique-constraint violation on either backend, so a racing duplicate insert can
    /// answer 409 like the checked case instead of 500.
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] == "23505" }
        if let error = error as? SQLiteFailure { return error.isUniqueViolation }
        if let error = error as? SQLiteError {
            return error.reason == .constraintUniqueFailed || error.reason == .constraintPrimaryKeyFailed
                || (error.reason == .constraint && error.message.contains("UNIQUE"))
        }
        return false
    }
}
