import Foundation
import LocalLambda
import Testing

/// The real `echo-lambda` binary against the embedded Runtime API: the runtime alone.
@Suite("Runtime loop (echo-lambda process)")
struct RuntimeLoopTests {
    @Test func servesInvocationsWithTheirFullContext() async throws {
        let function = try await RunningFunction.start("echo-lambda")
        defer { Task { await function.stop() } }
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        let result = try await function.invoke(#"{"hello":"world"}"#, timeout: .seconds(7), traceID: trace,
                                               clientContext: #"{"env":{}}"#, cognitoIdentity: #"{"cognitoIdentityId":"id"}"#)
        guard case .response = result else {
            Issue.record("expected a response, got \(result)")
            return
        }
        let reply = json(result)
        let context = try #require(reply["context"] as? [String: Any])
        #expect((reply["event"] as? [String: Any])?["hello"] as? String == "world")
        #expect(reply["traceEnv"] as? String == trace)
        #expect(context["traceId"] as? String == trace)
        #expect(context["invokedFunctionArn"] as? String == RuntimeAPIServer.functionARN)
        #expect(context["clientContext"] as? String == #"{"env":{}}"#)
        #expect(context["cognitoIdentity"] as? String == #"{"cognitoIdentityId":"id"}"#)
        #expect(context["functionName"] as? String == "it-echo-lambda")
        #expect(context["memoryLimitMB"] as? Int == 256)
        #expect(context["logGroupName"] as? String == "/aws/lambda/it")
        let remaining = try #require(context["remainingMs"] as? Int)
        #expect(remaining > 5000 && remaining <= 7000)
    }

    @Test func traceVariableIsUnsetWhenAnInvocationHasNoTrace() async throws {
        let function = try await RunningFunction.start("echo-lambda")
        defer { Task { await function.stop() } }
        #expect(json(try await function.invoke("{}", traceID: "Root=1-a")) ["traceEnv"] as? String == "Root=1-a")
        #expect(json(try await function.invoke("{}", traceID: nil))["traceEnv"] is NSNull)
    }

    @Test func handlerErrorIsReportedAndTheProcessServesOn() async throws {
        let function = try await RunningFunction.start("echo-lambda")
        defer { Task { await function.stop() } }
        let failed = try await function.invoke(#"{"throw":"disk on fire","errorType":"DiskError"}"#)
        #expect(failed == .error(type: "DiskError", body: Array(#"{"errorMessage":"disk on fire","errorType":"DiskError","stackTrace":[]}"#.utf8)))
        let invalid = try await function.invoke("not json")
        guard case .error(let type, _) = invalid else {
            Issue.record("expected an error, got \(invalid)")
            return
        }
        #expect(type == "InvalidEvent")
        guard case .response = try await function.invoke(#"{"after":"errors"}"#) else {
            Issue.record("the process did not serve on after errors")
            return
        }
        #expect(function.process.isRunning)
    }

    @Test func initErrorIsPostedAndTheProcessExitsNonZero() async throws {
        let function = try await RunningFunction.start("echo-lambda", environment: ["ECHO_FAIL_INIT": "database unreachable"])
        defer { Task { await function.stop() } }
        let report = try await function.api.waitForInitError()
        #expect(report == .error(type: "EchoInitFailure", body: Array(#"{"errorMessage":"database unreachable","errorType":"EchoInitFailure","stackTrace":[]}"#.utf8)))
        #expect(try await function.process.waitForExit() != 0)
        #expect(function.api.requestCount(.next) == 0)
    }

    @Test func withoutARuntimeAPIItExplainsAndExitsWithTwo() async throws {
        let process = try LambdaProcess(executable: executable("echo-lambda"), environment: [:])
        #expect(try await process.waitForExit() == 2)
        let lines = process.logs.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("AWS_LAMBDA_RUNTIME_API") == true)
    }

    @Test func retriesNextThroughServerErrorsAndDroppedConnections() async throws {
        let function = try await RunningFunction.start("echo-lambda")
        defer { Task { await function.stop() } }
        function.api.inject(.status(500), on: .next)
        function.api.inject(.dropConnection, on: .next)
        function.api.inject(.delay(.milliseconds(300)), on: .next)
        guard case .response = try await function.invoke(#"{"n":1}"#) else {
            Issue.record("no response after transient faults")
            return
        }
        // 500, dropped, then the slow answer that carried the event (the loop may already be polling again).
        #expect(function.api.requestCount(.next) >= 3)
    }

    @Test func exitsNonZeroWhenTheRuntimeAPIKeepsFailing() async throws {
        let function = try await RunningFunction.start("echo-lambda")
        defer { Task { await function.stop() } }
        function.api.inject(.status(500), on: .next, count: 100)
        #expect(try await function.process.waitForExit(timeout: .seconds(10)) != 0)
        #expect(function.api.requestCount(.next) == 4)
    }

    @Test func retriesAResponsePostOnce() async throws {
        let function = try await RunningFunction.start("echo-lambda")
        defer { Task { await function.stop() } }
        function.api.inject(.dropConnection, on: .response)
        guard case .response = try await function.invoke(#"{"n":2}"#) else {
            Issue.record("the response was not re-posted")
            return
        }
        #expect(function.api.requestCount(.response) == 2)
    }

    @Test func oversizedResponseBecomesAnErrorNotALoop() async throws {
        let function = try await RunningFunction.start("echo-lambda")
        defer { Task { await function.stop() } }
        let result = try await function.invoke(#"{"responseBytes":7000000}"#)
        guard case .error(let type, _) = result else {
            Issue.record("expected an error, got a response")
            return
        }
        #expect(type == "ResponseRejected")
        #expect((json(result)["errorMessage"] as? String)?.contains("413") == true)
        #expect(function.api.requestCount(.response) == 1)
        guard case .response = try await function.invoke("{}") else {
            Issue.record("the process did not serve on")
            return
        }
    }

    @Test func sigtermFinishesTheInFlightInvocationThenExitsZero() async throws {
        let function = try await RunningFunction.start("echo-lambda")
        defer { Task { await function.stop() } }
        let id = function.api.enqueue(Array(#"{"sleepMs":800}"#.utf8))
        // In the handler, not merely handed out: a worker whose `next` answer is still on its way is
        // idle, and SIGTERM ends an idle process at once (under ThreadSanitizer that gap once passed 100 ms).
        _ = try await Polling.until(timeout: .seconds(20), what: "the handler to start") {
            function.process.logs.contains("sleeping") ? true : nil
        }
        function.process.signal(SIGTERM)
        guard case .response = try await function.api.waitForResult(id) else {
            Issue.record("the in-flight invocation was not answered")
            return
        }
        #expect(try await function.process.waitForExit() == 0)
    }

    @Test func sigtermWhileIdleExitsZeroAtOnce() async throws {
        let function = try await RunningFunction.start("echo-lambda")
        defer { Task { await function.stop() } }
        _ = try await function.invoke("{}")
        try await Task.sleep(for: .milliseconds(100))
        function.process.signal(SIGTERM)
        #expect(try await function.process.waitForExit(timeout: .seconds(2)) == 0)
    }

    @Test func jsonLogsCarryTheRequestID() async throws {
        let function = try await RunningFunction.start("echo-lambda", environment: ["AWS_LAMBDA_LOG_FORMAT": "JSON"])
        defer { Task { await function.stop() } }
        let id = function.api.enqueue(Array("{}".utf8))
        _ = try await function.api.waitForResult(id)
        // Written before the response was posted; the pipe's reader may still be on its way.
        _ = try await Polling.until(timeout: .seconds(10), what: "the invocation's log line") {
            function.process.logs.contains(#""requestId":"\#(id)""#) ? true : nil
        }
        let lines = function.process.logs.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["timestamp"] is String && object["level"] is String && object["message"] is String)
        }
        #expect(lines.contains { $0.contains(#""requestId":"\#(id)""#) })
    }

    @Test func logLevelFilters() async throws {
        let function = try await RunningFunction.start("echo-lambda", environment: ["AWS_LAMBDA_LOG_LEVEL": "ERROR"])
        defer { Task { await function.stop() } }
        _ = try await function.invoke("{}")
        _ = try await function.invoke(#"{"throw":"x"}"#)
        // The error line comes after anything the first invocation could have logged.
        _ = try await Polling.until(timeout: .seconds(10), what: "the ERROR line") {
            function.process.logs.contains("ERROR") ? true : nil
        }
        #expect(!function.process.logs.contains("INFO"))
        #expect(function.process.logs.contains("ERROR"))
    }

    @Test func anUnknownLogLevelIsNamedInAWarningNotIgnored() async throws {
        let function = try await RunningFunction.start("echo-lambda", environment: ["AWS_LAMBDA_LOG_LEVEL": "LOUD"])
        defer { Task { await function.stop() } }
        _ = try await function.invoke("{}")
        #expect(function.process.logs.contains("WARN\t" + #"AWS_LAMBDA_LOG_LEVEL "LOUD" is not one of"#))
    }

    @Test func fiveHundredSequentialInvocationsInOneProcess() async throws {
        let function = try await RunningFunction.start("echo-lambda")
        defer { Task { await function.stop() } }
        for n in 0..<500 {
            guard case .response = try await function.invoke(#"{"n":\#(n)}"#) else {
                Issue.record("invocation \(n) failed")
                return
            }
        }
        #expect(function.process.isRunning)
    }
}

/// glibc's setenv never frees a replaced value: setting a new trace id per invocation used to leak
/// each one (≈ 250 bytes per invocation in a warm process).
@Suite("Trace variable (echo-lambda process)")
struct TraceVariableTests {
    @Test func followsEachInvocationWhateverItsLength() async throws {
        let function = try await RunningFunction.start("echo-lambda")
        defer { Task { await function.stop() } }
        let long = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=" + String(repeating: "a", count: 600)
        for trace in ["Root=1-a", long, "Root=1-b", nil, "Root=1-c;Sampled=0", long + "z"] as [String?] {
            let reply = json(try await function.invoke("{}", traceID: trace))
            if let trace {
                #expect(reply["traceEnv"] as? String == trace)
            } else {
                #expect(reply["traceEnv"] is NSNull)
            }
        }
    }

    @Test func distinctTraceIDsDoNotGrowTheHeap() async throws {
        let function = try await RunningFunction.start("echo-lambda")
        defer { Task { await function.stop() } }
        let padding = String(repeating: "x", count: 4000)
        func invoke(_ count: Int) async throws {
            for _ in 0..<count {
                _ = try await function.invoke("{}", traceID: RuntimeAPIServer.makeTraceID() + ";Lineage=" + padding)
            }
        }
        try await invoke(50)
        let before = try heapKilobytes(of: function.process.processIdentifier)
        try await invoke(400)
        let after = try heapKilobytes(of: function.process.processIdentifier)
        // A leak of each 4 KB value would grow the heap by ≈ 1.6 MB here.
        #expect(after - before < 400, "heap grew from \(before) kB to \(after) kB over 400 invocations")
    }

    private func heapKilobytes(of pid: Int32) throws -> Int {
        let smaps = try String(contentsOfFile: "/proc/\(pid)/smaps", encoding: .utf8)
        var inHeap = false
        for line in smaps.split(separator: "\n") {
            if line.contains(" [heap]") { inHeap = true } else if inHeap, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
            } else if line.first?.isHexDigit == true, line.contains("-") { inHeap = false }
        }
        return 0
    }
}
