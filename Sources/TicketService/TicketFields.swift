import Foundation
import HelpdeskCore
import Platform
import SQLKit

/// A field definition as an admin sends it; raw input, checked here.
public struct FieldDefinition: Sendable {
    public var key: String?
    public var title: String?
    public var type: String?
    public var options: [TicketField.Option]?
    public var pattern: String?
    public var requiredOnSolve: Bool?
    public var customerEditable: Bool?
    public var active: Bool?

    public init(key: String? = nil, title: String? = nil, type: String? = nil, options: [TicketField.Option]? = nil,
                pattern: String? = nil, requiredOnSolve: Bool? = nil, customerEditable: Bool? = nil, active: Bool? = nil) {
        self.key = key
        self.title = title
        self.type = type
        self.options = options
        self.pattern = pattern
        self.requiredOnSolve = requiredOnSolve
        self.customerEditable = customerEditable
        self.active = active
    }
}

/// Custom ticket fields: admins define them; values on tickets are checked against them.
public struct TicketFields: Sendable {
    let database: Database
    let clock: TimeSource
    let store: TicketStore

    init(database: Database, clock: TimeSource) {
        self.database = database
        self.clock = clock
        self.store = TicketStore(kind: database.kind)
    }

    /// Staff see every field; customers see the active fields they may fill in.
    public func list(_ p: Principal) async throws -> [TicketField] {
        let all = try await store.fields(workspaceID: p.workspaceID, on: database.sql)
        return p.role.isStaff ? all : all.filter { $0.active && $0.customerEditable }
    }

    public func create(_ p: Principal, _ d: FieldDefinition) async throws -> TicketField {
        try p.require(.admin)
        var errors: [FieldError] = []
        let key = d.key ?? ""
        if key.range(of: "^[a-z][a-z0-9_]{0,63}$", options: .regularExpression) == nil {
            errors.append(.init(field: "key", message: "must be 1 to 64 lowercase letters, digits or _, starting with a letter"))
        }
        let kind = TicketField.Kind(rawValue: d.type ?? "")
        if kind == nil {
            errors.append(.init(field: "type", message: "must be one of \(TicketField.Kind.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        let now = clock.now
        var field = TicketField(id: UUIDv7.make(at: now), workspaceID: p.workspaceID, key: key, title: "",
                                kind: kind ?? .text, options: [], pattern: nil, requiredOnSolve: d.requiredOnSolve ?? false,
                                customerEditable: d.customerEditable ?? false, active: d.active ?? true,
                                createdAt: now, updatedAt: now)
        apply(d, to: &field, requireTitle: true, errors: &errors)
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        let store = self.store
        let created = field
        do {
            try await database.transaction { db in
                if try await store.fields(workspaceID: p.workspaceID, on: db).contains(where: { $0.key == key }) {
                    throw Self.keyTaken()
                }
                try await store.insert(created, on: db)
            }
            FieldDefinitionCache.shared.invalidate(workspaceID: p.workspaceID)
        } catch where Database.isUniqueViolation(error) {
            throw Self.keyTaken()
        }
        return created
    }

    public func update(_ p: Principal, id: UUID, _ d: FieldDefinition) async throws -> TicketField {
        try p.require(.admin)
        var errors: [FieldError] = []
        if d.key != nil { errors.append(.init(field: "key", message: "cannot change; create a new field instead")) }
        if d.type != nil { errors.append(.init(field: "type", message: "cannot change; create a new field instead")) }
        guard var field = try await store.field(workspaceID: p.workspaceID, id: id, on: database.sql) else {
            throw HelpdeskError.notFound("ticket field")
        }
        apply(d, to: &field, requireTitle: false, errors: &errors)
        if let v = d.requiredOnSolve { field.requiredOnSolve = v }
        if let v = d.customerEditable { field.customerEditable = v }
        if let v = d.active { field.active = v }
        if !errors.isEmpty { throw HelpdeskError.validation(errors) }
        field.updatedAt = clock.now
        let updated = field
        try await database.transaction { [store] db in try await store.update(updated, on: db) }
        FieldDefinitionCache.shared.invalidate(workspaceID: p.workspaceID)
        return updated
    }

    /// Deactivates the field: it leaves forms and ticket views, while tickets' histories still name it.
    public func delete(_ p: Principal, id: UUID) async throws {
        _ = try await update(p, id: id, FieldDefinition(active: false))
    }

    private func apply(_ d: FieldDefinition, to field: inout TicketField, requireTitle: Bool, errors: inout [FieldError]) {
        if let raw = d.title, raw.textLength <= 200, case let title = raw.trimmingCharacters(in: .whitespacesAndNewlines), !title.isEmpty {
            field.title = title
        } else if d.title != nil || requireTitle {
            errors.append(.init(field: "title", message: "must be 1 to 200 characters"))
        }
        if field.kind == .dropdown || field.kind == .multiselect {
            if let options = d.options {
                let values = options.map(\.value)
                if options.isEmpty || options.count > 500 || Set(values).count != values.count
                    || options.contains(where: { $0.value.isEmpty || $0.value.textLength > 200 || $0.label.isEmpty }) {
                    errors.append(.init(field: "options", message: "must be 1 to 500 options with distinct, non-empty values and labels"))
                } else {
                    field.options = options
                }
            } else if requireTitle {
                errors.append(.init(field: "options", message: "is required for \(field.kind.rawValue) fields"))
            }
        } else if d.options != nil {
            errors.append(.init(field: "options", message: "applies to dropdown and multiselect fields only"))
        }
        if field.kind == .regex {
            if let pattern = d.pattern {
                if pattern.isEmpty || pattern.textLength > 500 || (try? NSRegularExpression(pattern: pattern)) == nil {
                    errors.append(.init(field: "pattern", message: "must be a valid regular expression of at most 500 characters"))
                } else {
                    field.pattern = pattern
                }
            } else if requireTitle {
                errors.append(.init(field: "pattern", message: "is required for regex fields"))
            }
        } else if d.pattern != nil {
            errors.append(.init(field: "pattern", message: "applies to regex fields only"))
        }
    }

    static func keyTaken() -> HelpdeskError {
        .conflict(code: "key_taken", "A ticket field with this key already exists.", field: "key")
    }

    // MARK: - Values on tickets

    /// Merges `changes` into `current`, checking each value against its field. Customers may set only
    /// customer-editable fields; unknown and deactivated keys are refused.
    func merge(_ changes: [String: JSONValue], into current: [String: JSONValue], fields: [TicketField],
               role: Role, errors: inout [FieldError]) -> [String: JSONValue] {
        var out = current
        for key in changes.keys.sorted() {
            let path = "custom_fields.\(key)"
            guard let field = fields.first(where: { $0.key == key && $0.active }) else {
                errors.append(.init(field: path, message: "is not an active ticket field"))
                continue
            }
            if role == .customer && !field.customerEditable {
                errors.append(.init(field: path, message: "cannot be set by customers"))
                continue
            }
            switch field.normalize(changes[key]!) {
            case .value(.null): out[key] = nil
            case .value(let value): out[key] = value
            case .problem(let message): errors.append(.init(field: path, message: message))
            }
        }
        return out
    }

    /// The fields a solved ticket must have filled in.
    func missingForSolve(_ values: [String: JSONValue], fields: [TicketField]) -> [FieldError] {
        fields.filter { $0.active && $0.requiredOnSolve && values[$0.key] == nil }
            .map { FieldError(field: "custom_fields.\($0.key)", message: "is required to solve the ticket") }
    }

    /// What a principal may see of a ticket's values: active fields, and for customers only theirs.
    func visible(_ values: [String: JSONValue], fields: [TicketField], role: Role) -> [String: JSONValue] {
        values.filter { key, _ in
            fields.contains { $0.key == key && $0.active && (role.isStaff || $0.customerEditable) }
        }
    }
}
