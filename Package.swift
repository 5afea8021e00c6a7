// swift-tools-version:6.1
import PackageDescription

// The deployed `bootstrap` links only libcurl, libcrypto and swift-log: no Foundation, no NIO,
// no ICU. Everything heavier is for developers and tests. Linux only: the runtime and the tools
// import Glibc, and nothing here is built or tested on macOS, so the manifest claims no Apple platform.
// docs/ARCHITECTURE.md draws the module graph and says which module may import which.
// Modules off the measured warm path (a HeadObject per upload, one EMF line per invocation):
// optimised for size, since every kilobyte of bootstrap is downloaded on each cold start.
let offTheWarmPath: [SwiftSetting] = [.unsafeFlags(["-Osize"], .when(configuration: .release))]

let package = Package(
    name: "AudioUploadNotifier",
    products: [
        .executable(name: "bootstrap", targets: ["bootstrap"]),
        .executable(name: "echo-lambda", targets: ["EchoLambda"]),
        .executable(name: "notifier-dev", targets: ["NotifierDevTool"]),
        .executable(name: "aws-probe", targets: ["AWSProbe"]),
        // For the benchmark packages (Benchmarks/Package.swift, Benchmarks/urlsession/) and fuzzing (Fuzz/Package.swift).
        .library(name: "StrictJSON", targets: ["StrictJSON"]),
        .library(name: "JSONDifferential", targets: ["JSONDifferential"]),
        .library(name: "HTTP", targets: ["HTTP"]),
        .library(name: "EmbeddedMetrics", targets: ["EmbeddedMetrics"]),
        .library(name: "LambdaLogging", targets: ["LambdaLogging"]),
        .library(name: "LambdaRuntime", targets: ["LambdaRuntime"]),
        .library(name: "LambdaRuntimeAPI", targets: ["LambdaRuntimeAPI"]),
        .library(name: "Clocks", targets: ["Clocks"]),
        .library(name: "ProcessEnvironment", targets: ["ProcessEnvironment"]),
        .library(name: "Retrying", targets: ["Retrying"]),
        .library(name: "TextBytes", targets: ["TextBytes"]),
        .library(name: "Threads", targets: ["Threads"]),
        .library(name: "Packaging", targets: ["Packaging"]),
        .library(name: "S3Events", targets: ["S3Events"]),
        .library(name: "S3EventRoutes", targets: ["S3EventRoutes"]),
        .library(name: "StandardWebhooks", targets: ["StandardWebhooks"]),
        .library(name: "WebhookVerification", targets: ["WebhookVerification"]),
        .library(name: "UploadNotifier", targets: ["UploadNotifier"]),
        .library(name: "AWSClient", targets: ["AWSClient"]),
        .library(name: "AWSSigning", targets: ["AWSSigning"]),
        .library(name: "CertificateTrust", targets: ["CertificateTrust"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // C libraries from Debian packages.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),

        // What `bootstrap` is made of.
        // Our C: an OpenSSL certificate lookup that reads a CA bundle lazily (libssl, libcrypto).
        .target(
            name: "CTrustStore",
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
        // The little the deployed binary would otherwise take from Foundation, by job; each depends on
        // nothing but the modules named here.
        // Text as bytes: UTF-8 access, ASCII tests and hex digits, word-at-a-time scans, JSON text writing.
        .target(name: "TextBytes"),
        // The wall clock, pauses, durations in milliseconds.
        .target(name: "Clocks"),
        // How retry loops pace their attempts, with the clock, pause and randomness handed in.
        .target(name: "Retrying", dependencies: ["Clocks"]),
        // Locks, threads, and whole-line writes to a descriptor that several threads share.
        .target(name: "Threads"),
        // The process's environment variables, read once.
        .target(name: "ProcessEnvironment"),
        // Which CA certificates HTTPS peers are verified against: SSL_CERT_FILE/SSL_CERT_DIR or the system's.
        .target(name: "CertificateTrust"),
        // An AWS key pair (redacted in every textual form) and what a SigV4 signature is made with.
        .target(name: "AWSSigning"),
        .target(name: "HTTP", dependencies: ["AWSSigning", "CCurl", "CertificateTrust", "CTrustStore", "TextBytes", "Clocks"]),
        // The Runtime API 2018-06-01 as a client: requests as values, invocations, typed errors.
        .target(name: "LambdaRuntimeAPI", dependencies: ["HTTP", "TextBytes"]),
        // Log lines in Lambda's Text and JSON formats, as a swift-log handler.
        .target(
            name: "LambdaLogging",
            dependencies: ["TextBytes", "Threads", "ProcessEnvironment", .product(name: "Logging", package: "swift-log")]
        ),
        // The runtime contract: handler protocol, context, error protocol, the loop and `run`.
        .target(
            name: "LambdaRuntime",
            dependencies: [
                "HTTP", "LambdaLogging", "LambdaRuntimeAPI", "TextBytes", "Clocks", "Retrying", "Threads", "ProcessEnvironment",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "StrictJSON", dependencies: ["TextBytes"]),
        .target(name: "S3Events", dependencies: ["StrictJSON", "TextBytes"]),
        // Every way an S3 notification reaches the function (direct, SNS, SQS, EventBridge), told by shape.
        .target(name: "S3EventRoutes", dependencies: ["S3Events", "StrictJSON"]),
        // S3 HeadObject and Secrets Manager GetSecretValue, signed by libcurl (CURLOPT_AWS_SIGV4).
        .target(name: "AWSClient", dependencies: ["AWSSigning", "HTTP", "StrictJSON", "TextBytes", "Retrying"], swiftSettings: offTheWarmPath),
        .target(name: "StandardWebhooks", dependencies: ["CLibCrypto", "Threads"]),
        // CloudWatch Embedded Metric Format documents, written as whole lines to standard output.
        .target(name: "EmbeddedMetrics", dependencies: ["TextBytes", "Threads"], swiftSettings: offTheWarmPath),
        .target(
            name: "UploadNotifier",
            dependencies: [
                "AWSClient", "CertificateTrust", "EmbeddedMetrics", "HTTP", "LambdaRuntime", "TextBytes", "Clocks", "Retrying", "Threads", "ProcessEnvironment", "S3EventRoutes", "S3Events",
                "StandardWebhooks", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Linked into bootstrap only: CommandLine's argv without the runtime's /proc/self/maps scan.
        .target(name: "CheapCommandLine"),
        .executableTarget(name: "bootstrap", dependencies: ["CertificateTrust", "HTTP", "LambdaRuntime", "UploadNotifier", "CheapCommandLine"]),

        // A generic handler that echoes its invocation: proves the runtime without the product.
        .executableTarget(name: "EchoLambda", dependencies: ["LambdaRuntime", "Clocks", "ProcessEnvironment"]),

        // Developer and test tooling, never deployed.
        // Calls AWSClient once from the command line, for the moto conformance tests.
        .executableTarget(name: "AWSProbe", dependencies: ["AWSClient", "CertificateTrust", "HTTP", "TextBytes", "Threads", "CLibCrypto"]),
        // What several test suites share: virtual retry time.
        .target(name: "TestSupport", dependencies: ["HTTP", "Retrying", "Threads"]),
        // StrictJSON's oracle: Foundation's JSONSerialization and the documented differences (tests, fuzzing).
        .target(name: "JSONDifferential", dependencies: ["StrictJSON"]),
        // The receiving side of Standard Webhooks: the local receiver, tests and fuzzing verify with it.
        .target(name: "WebhookVerification", dependencies: ["CLibCrypto", "StandardWebhooks"]),
        .target(
            name: "LocalLambda",
            dependencies: [
                "TextBytes", "Threads", "StandardWebhooks", "WebhookVerification",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Packaging",
            dependencies: ["CLibCrypto", "TextBytes", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .executableTarget(
            name: "NotifierDevTool",
            dependencies: [
                "LocalLambda", "Packaging", "StandardWebhooks", "WebhookVerification",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Holds docs/ARCHITECTURE.md's module table and rules to Package.swift and the import lines.
        .testTarget(name: "ArchitectureTests"),
        .testTarget(name: "CertificateTrustTests", dependencies: ["CertificateTrust"]),
        .testTarget(name: "HTTPTests", dependencies: ["AWSSigning", "HTTP", "LocalLambda"]),
        .testTarget(name: "TextBytesTests", dependencies: ["TextBytes"]),
        .testTarget(name: "RetryingTests", dependencies: ["Retrying", "Threads"]),
        .testTarget(name: "ProcessEnvironmentTests", dependencies: ["ProcessEnvironment"]),
        .testTarget(name: "EmbeddedMetricsTests", dependencies: ["EmbeddedMetrics"]),
        .testTarget(name: "LambdaRuntimeAPITests", dependencies: ["LambdaRuntimeAPI", "HTTP"]),
        .testTarget(name: "LambdaLoggingTests", dependencies: ["LambdaLogging", "Threads", "ProcessEnvironment"]),
        .testTarget(
            name: "LambdaRuntimeTests",
            dependencies: ["LambdaRuntime", "LambdaRuntimeAPI", "HTTP", "Clocks", "Threads", "ProcessEnvironment", "TestSupport"]
        ),
        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON", "JSONDifferential", "LocalLambda"]),
        .testTarget(name: "S3EventsTests", dependencies: ["S3Events"]),
        .testTarget(name: "S3EventRoutesTests", dependencies: ["S3EventRoutes", "S3Events"]),
        .testTarget(name: "AWSClientTests", dependencies: ["AWSClient", "AWSSigning", "HTTP", "StrictJSON", "TestSupport"]),
        .testTarget(name: "StandardWebhooksTests", dependencies: ["StandardWebhooks", "WebhookVerification"]),
        .testTarget(name: "UploadNotifierTests", dependencies: ["UploadNotifier", "AWSClient", "S3EventRoutes", "LocalLambda", "Clocks", "Retrying", "Threads", "TestSupport", "WebhookVerification"]),
        .testTarget(name: "PackagingTests", dependencies: ["Packaging", "LocalLambda"]),
        // Runs the built `bootstrap` and `echo-lambda` as processes: `swift build` them first.
        .testTarget(name: "IntegrationTests", dependencies: ["LocalLambda", "WebhookVerification"]),
    ],
    swiftLanguageModes: [.v6]
)
