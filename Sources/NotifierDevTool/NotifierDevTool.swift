import ArgumentParser
import Foundation
import LocalLambda
import Packaging
import StandardWebhooks
import WebhookVerification

@main
struct NotifierDevTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifier-dev",
        abstract: "The AudioUploadNotifier developer's tool: replay events, receive webhooks, package the function.",
        subcommands: [Replay.self, Receive.self, Package.self])
}

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run event fixtures through the real bootstrap under an embedded Runtime API.",
        discussion: """
            Each events/NAME.json is invoked in turn; its outcome and the webhooks it caused are compared
            with events/expected/NAME.json. Webhooks go to an embedded receiver that checks the API key and
            verifies the signature, unless --api-base-url names a real backend (then WEBHOOK_API_KEY and
            WEBHOOK_SIGNING_SECRET come from this environment). Exits non-zero when any outcome differs.
            With --concurrency N the function runs as on Lambda Managed Instances
            (AWS_LAMBDA_MAX_CONCURRENCY=N) and is handed N events at a time.
            """)

    @Option(help: "Folder of event fixtures.")
    var events = "events"

    @Option(help: "The function executable (default: bootstrap beside this tool).")
    var bootstrap: String?

    @Option(help: "Deliver to this backend instead of the embedded receiver.")
    var apiBaseURL: String?

    @Flag(help: "Show the function's own log lines as they are written.")
    var verbose = false

    @Option(help: "Invocations in flight at once (AWS_LAMBDA_MAX_CONCURRENCY), 1 to 1024.")
    var concurrency = 1

    @Option(help: "Milliseconds the embedded receiver takes over each webhook, as a real backend would.")
    var backendLatencyMs = 0

    func validate() throws {
        guard (1...1024).contains(concurrency) else {
            throw ValidationError("--concurrency must be from 1 to 1024, not \(concurrency)")
        }
        guard (0...60_000).contains(backendLatencyMs) else {
            throw ValidationError("--backend-latency-ms must be from 0 to 60000, not \(backendLatencyMs)")
        }
    }

    func run() async throws {
        let fixtures = try EventFixture.load(from: URL(fileURLWithPath: events))
        let executable = bootstrap ?? LambdaProcess.productsDirectory.appendingPathComponent("bootstrap").path
        var replay = FixtureReplay(fixtures: fixtures, executable: executable, apiBaseURL: apiBaseURL)
        replay.echoLogs = verbose
        replay.concurrency = concurrency
        replay.backendLatency = .milliseconds(backendLatencyMs)
        let environment = ProcessInfo.processInfo.environment
        for name in ["AWS_LAMBDA_LOG_FORMAT", "AWS_LAMBDA_LOG_LEVEL", "AUDIO_FILES_PREFIX", "ALLOWED_BUCKETS", "WEBHOOK_PATH"] {
            replay.extraEnvironment[name] = environment[name]
        }
        if apiBaseURL != nil {
            for name in ["WEBHOOK_API_KEY", "WEBHOOK_SIGNING_SECRET", "ALLOW_INSECURE_HTTP"] {
                replay.extraEnvironment[name] = environment[name]
            }
        }
        print("replaying \(fixtures.count) events from \(events)/ through \(executable)")
        print(apiBaseURL.map { "webhooks go to \($0)" } ?? "webhooks go to an embedded receiver that verifies the API key and signature")
        let width = fixtures.map(\.name.count).max() ?? 0
        let outcome = try await replay.run { verdict in
            let name = verdict.fixture.padding(toLength: width, withPad: " ", startingAt: 0)
            print("  \(verdict.passed ? "ok  " : "FAIL")  \(name)  \(verdict.summary)")
            for problem in verdict.problems { print("        - \(problem)") }
        }
        let unexpected = outcome.verdicts.filter { !$0.passed }.count
        print("replay: \(outcome.verdicts.count) events, \(outcome.verdicts.count - unexpected) as expected, \(unexpected) unexpected; bootstrap exited \(outcome.exitStatus) after SIGTERM")
        if concurrency > 1 {
            print("replay: \(outcome.peakInFlight) of \(concurrency) invocations were in flight at once at the most")
        }
        if unexpected > 0 && !verbose {
            print("function log:\n\(outcome.logs)")
        }
        if unexpected > 0 || outcome.exitStatus != 0 { throw ExitCode.failure }
    }
}

struct Receive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the verifying webhook receiver alone, printing each webhook it gets.",
        discussion: """
            Checks X-Webhook-Api-Key against WEBHOOK_API_KEY and verifies the Standard Webhooks signature with
            WEBHOOK_SIGNING_SECRET (or, when unset, with the API key as HMAC key, as the function does).
            Authentic webhooks get 202, others 401. Listens on 127.0.0.1 only.
            """)

    @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
    var port = 8080

    @Option(help: "Stop after this many webhooks (0: run until interrupted).")
    var count = 0

    @Option(help: "Stop after this many seconds (0: no limit).")
    var seconds = 0

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let apiKey = environment["WEBHOOK_API_KEY"], !apiKey.isEmpty else {
            throw ValidationError("set WEBHOOK_API_KEY to the key the function sends")
        }
        let secrets: [WebhookSecret]
        if let text = environment["WEBHOOK_SIGNING_SECRET"], !text.isEmpty {
            do { secrets = try WebhookSecret.parseList(text) } catch { throw ValidationError("WEBHOOK_SIGNING_SECRET \(error)") }
        } else {
            secrets = [WebhookSecret(key: Array(apiKey.utf8))]
        }
        let receiver = try await WebhookReceiver(apiKey: apiKey, verifier: WebhookVerifier(secrets: secrets), port: port)
        print("receiving webhooks on \(receiver.baseURL) (Ctrl-C to stop)")
        let start = ContinuousClock.now
        var shown = 0
        while (count == 0 || shown < count) && (seconds == 0 || ContinuousClock.now - start < .seconds(seconds)) {
            let received = receiver.received
            for webhook in received.dropFirst(shown) {
                let verdict = webhook.isAuthentic ? "authentic" : "REJECTED (\(webhook.apiKeyValid ? "" : "bad API key ")\(webhook.signatureProblem ?? ""))"
                print("\(webhook.request.method) \(webhook.request.uri) webhook-id=\(webhook.webhookID ?? "-") \(verdict)")
                print("  " + String(decoding: webhook.request.body, as: UTF8.self))
            }
            shown = received.count
            try await Task.sleep(for: .milliseconds(50))
        }
        await receiver.shutdown()
    }
}

struct Package: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Zip a built bootstrap for Lambda and check it against the target runtime image.",
        discussion: """
            Strips a copy of the binary, writes OUTPUT/bootstrap.zip (one entry, bootstrap, mode 0755, fixed
            timestamps: the same binary gives the same zip) and OUTPUT/manifest.json, and prints the zip's size,
            its CodeSha256 and the compatibility verdict: the glibc symbol versions and shared libraries the
            binary needs against what the runtime image ships. With --release an incompatible binary is an
            error (deploy/deploy.sh refuses such a manifest either way).
            """)

    @Option(help: "The built executable.")
    var binary = ".build/release/bootstrap"

    @Option(help: "Target runtime: provided.al2 or provided.al2023.")
    var runtime: LambdaRuntimeTarget = .providedAL2023

    @Option(help: "The function's architecture (x86_64 or arm64); a binary for another one is refused.")
    var architecture: ELFArchitecture?

    @Option(help: "Folder for bootstrap.zip and manifest.json.")
    var output = "dist"

    @Option(name: .customLong("layer-library"), help: "A shared library a layer supplies (soname); repeatable.")
    var layerLibraries: [String] = []

    @Option(help: "JSON list of the components linked into the binary (tools/build/linked-components.sh), for the manifest.")
    var linkedComponents: String?

    @Flag(help: "Treat an incompatible binary as an error (exit 1).")
    var release = false

    @Flag(help: "Package the binary as it is, without stripping a copy.")
    var noStrip = false

    func run() throws {
        let summary = try BootstrapPackager.package(.init(
            binary: URL(fileURLWithPath: binary), runtime: runtime, outputDirectory: URL(fileURLWithPath: output),
            strip: !noStrip, expectedArchitecture: architecture, additionalLibraries: Set(layerLibraries),
            linkedComponents: try linkedComponents.map { try LinkedComponent.read(from: URL(fileURLWithPath: $0)) } ?? []))
        print(summary.description)
        if release && !summary.report.isCompatible {
            FileHandle.standardError.write(Data("error: this bootstrap will not start on \(runtime): not a release artifact\n".utf8))
            throw ExitCode.failure
        }
    }
}

extension LambdaRuntimeTarget: ExpressibleByArgument {}
extension ELFArchitecture: ExpressibleByArgument {}
