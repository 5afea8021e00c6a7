// swift-tools-version:6.1
// Bench-only: the notifier with its webhooks sent through URLSession, to measure what direct libcurl
// buys (`make bench`, contender `bootstrap-urlsession`). A package of its own so that the main package
// never builds FoundationNetworking. It depends on the main package by path, two folders up.
import PackageDescription

// A path dependency's identity is its directory's name, lowercased (the clone's folder name).
let notifierIdentity = String(#filePath).split(separator: "/").dropLast(3).last.map { $0.lowercased() } ?? "main"

let package = Package(
    name: "URLSessionContender",
    products: [
        .executable(name: "bootstrap-urlsession", targets: ["BootstrapURLSession"]),
    ],
    dependencies: [
        .package(path: "../.."),
    ],
    targets: [
        .target(
            name: "URLSessionTransport",
            dependencies: [.product(name: "HTTP", package: notifierIdentity)]
        ),
        .executableTarget(
            name: "BootstrapURLSession",
            dependencies: [
                "URLSessionTransport",
                .product(name: "CertificateTrust", package: notifierIdentity),
                .product(name: "HTTP", package: notifierIdentity),
                .product(name: "LambdaRuntime", package: notifierIdentity),
                .product(name: "UploadNotifier", package: notifierIdentity),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
