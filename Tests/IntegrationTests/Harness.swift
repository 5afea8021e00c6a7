import Foundation
import LocalLambda
import StandardWebhooks

/// Where `swift build` put the function executables: beside this test bundle, or LAMBDA_PRODUCTS_DIR.
let productsDirectory: URL = {
    if let directory = ProcessInfo.processInfo.environment["LAMBDA_PRODUCTS_DIR"] {
        return URL(fileURLWithPath: directory)
    }
    var directory = LambdaProcess.productsDirectory
    while directory.pathExtension == "xctest" || directory.lastPathComponent == "Contents" || directory.lastPathComponent == "MacOS" {
        directory.deleteLastPathComponent()
    }
    return directory
}()

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

func executable(_ name: String) -> String { productsDirectory.appendingPathComponent(name).path }

/// A function process under the embedded Runtime API, torn down by `stop()`.
struct RunningFunction {
    let api: RuntimeAPIServer
    let process: LambdaProcess

    static func start(_ name: String, environment: [String: String] = [:]) async throws -> RunningFunction {
        let api = try await RuntimeAPIServer()
        var variables = ["AWS_LAMBDA_RUNTIME_API": api.endpoint, "AWS_LAMBDA_FUNCTION_NAME": "it-\(name)",
                         "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
                         "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/it", "AWS_LAMBDA_LOG_STREAM_NAME": "stream-1"]
        variables.merge(environment) { _, new in new }
        return RunningFunction(api: api, process: try LambdaProcess(executable: executable(name), environment: variables))
    }

    func invoke(_ event: String, timeout: Duration = .seconds(30), traceID: String? = RuntimeAPIServer.makeTraceID(),
                clientContext: String? = nil, cognitoIdentity: String? = nil) async throws -> InvocationResult {
        let id = api.enqueue(Array(event.utf8), timeout: timeout, traceID: traceID, clientContext: clientContext, cognitoIdentity: cognitoIdentity)
        return try await api.waitForResult(id, timeout: .seconds(30))
    }

    func stop() async {
        await process.stop()
        await api.shutdown()
    }
}

func json(_ result: InvocationResult) -> [String: Any] {
    let body: [UInt8]
    switch result {
    case .response(let bytes), .error(_, let bytes): body = bytes
    }
    return (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
}
