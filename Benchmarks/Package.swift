// swift-tools-version:6.1
// Micro-benchmarks of the notifier's per-record work (decode → classify → body → sign), with
// ordo-one/benchmark. A package of its own so that the main package, and every CI build of it,
// never resolves or compiles the benchmark framework. Run by `make bench` (Makefile.bench).
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

let package = Package(
    name: "AudioUploadNotifierBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: notifierPath),
        // Only the malloc interposer (allocation counts); not the Swift runtime interposer.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "NotifierMicro",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "S3Events", package: notifierIdentity),
                .product(name: "StandardWebhooks", package: notifierIdentity),
                .product(name: "UploadNotifier", package: notifierIdentity),
            ],
            path: "Benchmarks/NotifierMicro",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
