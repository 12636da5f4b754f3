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

/// `FileIntake` as a direct call into this process's files service (for the channels service).
struct LocalFileIntake: FileIntake {
    let files: Files

    func store(as p: Principal, filename: String, bytes: [UInt8]) async throws -> UUID {
        try await files.store(p, filename: filename, bytes: bytes).id
    }
}

extension FileServiceModule {
    public var intake: any FileIntake { LocalFileIntake(files: files) }
}
