import Foundation

/// The web UI's static files (HTML, CSS, JavaScript modules, translations), shipped as this module's resources.
public enum WebUIResources {
    /// The folder holding `index.html`.
    public static var publicDirectory: URL {
        Bundle.module.bundleURL.appendingPathComponent("Public", isDirectory: true)
    }
}

extension WebUIResources {
    /// The OpenAPI 3.1 document of the public API (`GET /api/v1/openapi.json`), also the source of request
    /// validation.
    public static var openAPIDocument: URL {
        Bundle.module.bundleURL.appendingPathComponent("OpenAPI/openapi.json", isDirectory: false)
    }
}
