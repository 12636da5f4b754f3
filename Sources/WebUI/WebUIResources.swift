import Foundation

/// The web UI's static files (HTML, CSS, JavaScript modules, translations), shipped as this module's resources.
public enum WebUIResources {
    /// The folder holding `index.html`.
    public static var publicDirectory: URL {
        Bundle.module.bundleURL.appendingPathComponent("Public", isDirectory: true)
    }
}
