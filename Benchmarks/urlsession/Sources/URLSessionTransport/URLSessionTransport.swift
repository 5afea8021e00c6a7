import Foundation
import FoundationNetworking
import HTTP

/// The same blocking transport over URLSession (FoundationNetworking, itself libcurl underneath).
/// Bench-only: it exists so `make bench` can show what talking to libcurl directly buys.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession

    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }

    public func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        guard let url = URL(string: request.url) else { throw .invalidRequest("bad URL \(request.url)") }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        // URLSession has no "no limit": a long poll gets a day.
        urlRequest.timeoutInterval = request.timeout.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 86_400
        for header in request.headers { urlRequest.addValue(header.value, forHTTPHeaderField: header.name) }
        if request.method != "GET" { urlRequest.httpBody = Data(request.body) }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        session.dataTask(with: urlRequest) { data, response, error in
            outcome.data = data
            outcome.response = response as? HTTPURLResponse
            outcome.error = error
            done.signal()
        }.resume()
        done.wait()
        if let error = outcome.error as? URLError {
            switch error.code {
            case .timedOut: throw .timedOut(error.localizedDescription)
            case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed: throw .connectFailed(error.localizedDescription)
            default: throw .transport(error.localizedDescription)
            }
        }
        guard let response = outcome.response else { throw .transport("no response") }
        let headers = response.allHeaderFields.map { HTTPHeader("\($0.key)", "\($0.value)") }
        return HTTPResponse(status: response.statusCode, headers: headers, body: Array(outcome.data ?? Data()))
    }

    private final class Outcome: @unchecked Sendable {
        var data: Data?
        var response: HTTPURLResponse?
        var error: (any Error)?
    }

    private final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
            completionHandler(nil)
        }
    }
}
