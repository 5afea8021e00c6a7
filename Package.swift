// swift-tools-version:6.1
import PackageDescription

// The deployed `bootstrap` links only libcurl, libcrypto and swift-log: no Foundation, no NIO,
// no ICU. Everything heavier is for developers and tests.
let package = Package(
    name: "AudioUploadNotifier",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bootstrap", targets: ["bootstrap"]),
        .executable(name: "echo-lambda", targets: ["EchoLambda"]),
        .executable(name: "notifier", targets: ["notifier"]),
        .executable(name: "bootstrap-urlsession", targets: ["BootstrapURLSession"]),
        .executable(name: "aws-probe", targets: ["AWSProbe"]),
        // For the micro-benchmarks (Benchmarks/Package.swift) and fuzzing (Fuzz/Package.swift) packages.
        .library(name: "StrictJSON", targets: ["StrictJSON"]),
        .library(name: "JSONDifferential", targets: ["JSONDifferential"]),
        .library(name: "HTTP", targets: ["HTTP"]),
        .library(name: "LambdaRuntime", targets: ["LambdaRuntime"]),
        .library(name: "Packaging", targets: ["Packaging"]),
        .library(name: "S3Events", targets: ["S3Events"]),
        .library(name: "StandardWebhooks", targets: ["StandardWebhooks"]),
        .library(name: "UploadNotifier", targets: ["UploadNotifier"]),
        .library(name: "AWSClient", targets: ["AWSClient"]),
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
        .target(name: "HTTP", dependencies: ["CCurl", "CTrustStore"]),
        .target(
            name: "LambdaRuntime",
            dependencies: ["HTTP", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "StrictJSON"),
        .target(name: "S3Events", dependencies: ["StrictJSON"]),
        // S3 HeadObject and Secrets Manager GetSecretValue, signed by libcurl (CURLOPT_AWS_SIGV4).
        .target(name: "AWSClient", dependencies: ["HTTP", "StrictJSON"]),
        .target(name: "StandardWebhooks", dependencies: ["CLibCrypto"]),
        .target(
            name: "UploadNotifier",
            dependencies: ["HTTP", "LambdaRuntime", "S3Events", "StandardWebhooks", "CCurl"]
        ),
        // Linked into bootstrap only: CommandLine's argv without the runtime's /proc/self/maps scan.
        .target(name: "ArgvFromInitArray"),
        .executableTarget(name: "bootstrap", dependencies: ["LambdaRuntime", "UploadNotifier", "ArgvFromInitArray"]),

        // Typed JSON handlers over Foundation's Codable coders; not used by `bootstrap`.
        .target(name: "LambdaCodable", dependencies: ["LambdaRuntime"]),

        // A generic handler that echoes its invocation: proves the runtime without the product.
        .executableTarget(name: "EchoLambda", dependencies: ["LambdaRuntime"]),

        // Bench-only: the same notifier over URLSession, to measure what direct libcurl buys.
        .target(name: "URLSessionTransport", dependencies: ["HTTP"]),
        .executableTarget(
            name: "BootstrapURLSession",
            dependencies: ["LambdaRuntime", "UploadNotifier", "URLSessionTransport"]
        ),

        // Developer and test tooling, never deployed.
        // Calls AWSClient once from the command line, for the moto conformance tests.
        .executableTarget(name: "AWSProbe", dependencies: ["AWSClient", "HTTP", "LambdaRuntime", "CLibCrypto"]),
        // StrictJSON's oracle: Foundation's JSONSerialization and the documented differences (tests, fuzzing).
        .target(name: "JSONDifferential", dependencies: ["StrictJSON"]),
        .target(
            name: "LocalLambda",
            dependencies: [
                "StandardWebhooks",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Packaging",
            dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .executableTarget(
            name: "notifier",
            dependencies: [
                "LocalLambda", "Packaging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "LocalLambda"]),
        .testTarget(name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "LambdaCodable"]),
        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON", "JSONDifferential"]),
        .testTarget(name: "S3EventsTests", dependencies: ["S3Events"]),
        .testTarget(name: "AWSClientTests", dependencies: ["AWSClient", "HTTP", "StrictJSON"]),
        .testTarget(name: "StandardWebhooksTests", dependencies: ["StandardWebhooks"]),
        .testTarget(name: "UploadNotifierTests", dependencies: ["UploadNotifier", "LocalLambda"]),
        .testTarget(name: "PackagingTests", dependencies: ["Packaging", "LocalLambda"]),
        // Runs the built `bootstrap` and `echo-lambda` as processes: `swift build` them first.
        .testTarget(name: "IntegrationTests", dependencies: ["LocalLambda"]),
    ],
    swiftLanguageModes: [.v6]
)
