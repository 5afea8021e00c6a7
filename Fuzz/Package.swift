// swift-tools-version:6.1
// Coverage-guided fuzzing with libFuzzer: one executable per parser that reads outside input. A
// package of its own, so that the main package (and every build of it) is never compiled with
// sanitizers and never resolves anything for fuzzing. Built and run by `make fuzz` / `make
// fuzz-smoke` (Makefile.fuzz) with `swift build --sanitize=fuzzer --sanitize=address`; see
// Fuzz/README.md.
import PackageDescription

import class Foundation.ProcessInfo

// The main package, by path. NOTIFIER_PACKAGE_PATH may point at another checkout.
let notifierPath: String = {
    let manifestDirectory = String(#filePath).split(separator: "/").dropLast().joined(separator: "/")
    guard let path = ProcessInfo.processInfo.environment["NOTIFIER_PACKAGE_PATH"], !path.isEmpty else {
        return "/" + manifestDirectory.split(separator: "/").dropLast().joined(separator: "/")
    }
    return path.hasPrefix("/") ? path : "/" + manifestDirectory + "/" + path
}()
// A path dependency's identity is its directory's name, lowercased.
let notifierIdentity = String(notifierPath.split(separator: "/").last ?? "main").lowercased()

func notifier(_ product: String) -> Target.Dependency {
    .product(name: product, package: notifierIdentity)
}

/// One libFuzzer target: `Fuzz/Sources/<name>/<name>.swift` defines `LLVMFuzzerTestOneInput`.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies, path: "Sources/\(name)")
}

let package = Package(
    name: "AudioUploadNotifierFuzz",
    dependencies: [
        .package(path: notifierPath),
        // The same swift-log the main package resolves (LambdaLogging's handler).
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(name: "FuzzSupport", path: "Sources/FuzzSupport"),
        fuzzTarget("FuzzS3Event", [notifier("S3Events"), notifier("StrictJSON"), notifier("JSONDifferential")]),
        fuzzTarget("FuzzS3Route", [notifier("S3EventRoutes"), notifier("S3Events"), notifier("StrictJSON"), notifier("JSONDifferential")]),
        fuzzTarget("FuzzObjectKey", [notifier("S3Events"), notifier("UploadNotifier")]),
        fuzzTarget("FuzzInvocation", [
            notifier("HTTP"), notifier("LambdaRuntime"), notifier("LambdaRuntimeAPI"), notifier("Clocks"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        fuzzTarget("FuzzWebhook", [notifier("StandardWebhooks"), notifier("WebhookVerification")]),
        fuzzTarget("FuzzRetryAfter", [notifier("Retrying"), notifier("UploadNotifier")]),
        fuzzTarget("FuzzELF", [notifier("Packaging")]),
        fuzzTarget("FuzzLogLine", [notifier("LambdaLogging"), .product(name: "Logging", package: "swift-log")]),
    ],
    swiftLanguageModes: [.v6]
)
