import HelpdeskCore

/// What a password must be: 8 to 128 characters, and not the account's email.
public enum PasswordPolicy {
    public static let minLength = 8
    public static let maxLength = 128

    /// The problems with `password`, reported under `field`; empty when it is acceptable.
    public static func problems(password: String, email: String, field: String = "password") -> [FieldError] {
        if password.textLength < minLength {
            return [FieldError(field: field, message: "must be at least \(minLength) characters")]
        }
        if password.textLength > maxLength {
            return [FieldError(field: field, message: "must be at most \(maxLength) characters")]
        }
        if EmailAddress.normalize(password) == EmailAddress.normalize(email) {
            return [FieldError(field: field, message: "must not be your email address")]
        }
        return []
    }

    public static func check(password: String, email: String, field: String = "password") throws {
        let problems = problems(password: password, email: email, field: field)
        if !problems.isEmpty { throw HelpdeskError.validation(problems) }
    }
}
