import Foundation
import HelpdeskCore
import Logging
import Platform
import ServiceLifecycle

/// The files service: uploads, downloads, access checks, storage.
public struct FileServiceModule: ServiceModule {
    public let name = "files"
    public let files: Files
    let logger: Logger

    public init(files: Files, logger: Logger) {
        self.files = files
        self.logger = logger
    }

    public var migrations: ServiceMigrations { FileMigrations.all }

    public func addRoutes(to routes: Routes) {
        FileRoutes(files: files).add(to: routes.group("api/v1/files"))
    }

    /// Uploads are limited by the files service itself (413 `file_too_large`), not by the general body limit.
    public var bodyLimits: [String: Int] { ["/api/v1/files": Int.max] }

    public var backgroundServices: [any Service] { [UnattachedFileReaper(files: files, logger: logger)] }
}
