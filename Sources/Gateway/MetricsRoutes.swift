import Foundation
import HelpdeskCore
import Hummingbird
import NotificationService
import Platform
import RedisClient
import SQLKit

/// `GET /metrics` in the Prometheus text format: requests by route, method and status with latency histograms,
/// requests in flight, database connections, the event backlog, consumer lag on Redis, notification deliveries
/// by status, and for a gateway the state of each upstream's circuit breaker and its open realtime sockets.
struct MetricsRoutes {
    let database: Database
    let bus: any EventBus
    let notifications: NotificationInbox
    let requests: RequestMetrics
    let upstreams: [UpstreamPool]
    /// A gateway's WebSockets; nil where this process holds none.
    let realtime: RealtimeHub?

    func add(to routes: Routes) {
        routes.get("metrics") { _, _ in
            var lines = requests.render()
            lines += ["# HELP helpdesk_database_connections_in_use Pooled database connections held now (statements and sessions).",
                      "# TYPE helpdesk_database_connections_in_use gauge",
                      "helpdesk_database_connections_in_use \(database.connections.current)",
                      "# HELP helpdesk_database_connections_max Size of this process's database pool.",
                      "# TYPE helpdesk_database_connections_max gauge",
                      "helpdesk_database_connections_max \(database.connections.capacity)"]
            if !upstreams.isEmpty {
                lines += ["# HELP helpdesk_upstream_circuit_open Whether the gateway stopped sending to a replica (1 open, 0.5 half-open).",
                          "# TYPE helpdesk_upstream_circuit_open gauge"]
                for pool in upstreams {
                    for upstream in pool.upstreams {
                        let value = switch upstream.breaker.state() { case .closed: "0"; case .open: "1"; case .halfOpen: "0.5" }
                        lines.append("helpdesk_upstream_circuit_open{service=\"\(pool.service)\",upstream=\"\(RequestMetrics.escape(upstream.baseURL))\"} \(value)")
                    }
                }
            }
            if let realtime {
                // A count that only grows while pages come and go points at sockets never let go.
                lines += ["# HELP helpdesk_realtime_connections Open realtime WebSockets (authenticated) on this gateway.",
                          "# TYPE helpdesk_realtime_connections gauge",
                          "helpdesk_realtime_connections \(await realtime.connectionCount)"]
            }
            let backlog = try await database.sql.raw("SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL").first()?
                .decode(column: "n", as: Int.self) ?? 0
            lines += ["# HELP helpdesk_outbox_unpublished Events committed but not yet published to the bus.",
                      "# TYPE helpdesk_outbox_unpublished gauge", "helpdesk_outbox_unpublished \(backlog)"]
            let counts = try await notifications.deliveryCounts()
            lines += ["# HELP helpdesk_notification_deliveries Notification deliveries by status.",
                      "# TYPE helpdesk_notification_deliveries gauge"]
            for status in DeliveryStatus.allCases {
                lines.append("helpdesk_notification_deliveries{status=\"\(status.rawValue)\"} \(counts[status.rawValue] ?? 0)")
            }
            // Redis being down must not take the rest of the metrics with it.
            if let streams = bus as? RedisStreamsEventBus,
               let groups = try? await streams.redis.send(["XINFO", "GROUPS", .string(streams.settings.stream)]) {
                lines += ["# HELP helpdesk_event_consumer_lag Events in the stream a consumer group has not read yet.",
                          "# TYPE helpdesk_event_consumer_lag gauge"]
                var pending: [String] = []
                for group in groups.array ?? [] {
                    let info = group.fields
                    guard let name = info["name"] else { continue }
                    let label = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    lines.append("helpdesk_event_consumer_lag{group=\"\(label)\"} \(info["lag"] ?? "0")")
                    pending.append("helpdesk_event_consumer_pending{group=\"\(label)\"} \(info["pending"] ?? "0")")
                }
                lines += ["# HELP helpdesk_event_consumer_pending Events delivered to a group and not yet acknowledged.",
                          "# TYPE helpdesk_event_consumer_pending gauge"] + pending
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8",
                                                   .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: lines.joined(separator: "\n") + "\n")))
        }
    }
}
