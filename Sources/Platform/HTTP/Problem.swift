import Foundation
import HelpdeskCore
import HTTPTypes
import Hummingbird

/// The RFC 9457 body of an error response.
struct ProblemBody: Encodable {
    let type: String
    let title: String
    let status: Int
    let detail: String?
    let code: String
    let errors: [FieldError]
    let requestID: String?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, code, errors
        case requestID = "request_id"
    }
}

extension HelpdeskError {
    /// The problem+json response for this error.
    public func response(requestID: String?) -> Response {
        let body = ProblemBody(type: "urn:helpdesk:problem:\(code)", title: title, status: status, detail: detail,
                               code: code, errors: errors, requestID: requestID)
        let data = (try? EventJSON.encoder().encode(body)) ?? Data(#"{"code":"internal_error"}"#.utf8)
        var fields: HTTPFields = [.contentType: "application/problem+json"]
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
