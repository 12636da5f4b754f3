/// Where an action came from: the request that caused an event. The edge sets it for the duration of a
/// request (a task-local value), and every event created in that request carries it, so the audit log can say
/// who acted from which address through which client without threading it through every call.
public struct EventContext: Codable, Sendable, Equatable {
    public var requestID: String?
    public var ip: String?
    public var userAgent: String?
    /// `ui` (the web UI), `api` (any other client), `cli` or `system`.
    public var via: String
    /// The acting user's role at the time, as the token said.
    public var actorRole: String?

    public init(requestID: String? = nil, ip: String? = nil, userAgent: String? = nil, via: String,
                actorRole: String? = nil) {
        self.requestID = requestID
        self.ip = ip
        self.userAgent = userAgent
        self.via = via
        self.actorRole = actorRole
    }

    /// The context of the request this task is serving, if any.
    @TaskLocal public static var current: EventContext?

    enum CodingKeys: String, CodingKey {
        case ip, via
        case requestID = "request_id"
        case userAgent = "user_agent"
        case actorRole = "actor_role"
    }
}
