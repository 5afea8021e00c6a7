/// The Lambda OS-only runtimes a `bootstrap` binary can be deployed on.
public enum LambdaRuntimeTarget: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case providedAL2 = "provided.al2"
    case providedAL2023 = "provided.al2023"

    public var description: String { rawValue }

    /// What the image offers a dynamically linked binary.
    public var image: RuntimeImage { RuntimeImage.image(for: self) }
}

/// Facts about what a Lambda runtime image offers a dynamically linked binary.
///
/// Sources (checked while writing this; re-check when AWS updates the images):
/// - glibc and gcc versions: AWS "Amazon Linux 2023 user guide — Improved toolchain"
///   (docs.aws.amazon.com/linux/al2023/ug/glibc-gcc-and-binutils.html): AL2 glibc 2.26 / gcc 7.3,
///   AL2023 glibc 2.34 / gcc 11.x. AWS also stated, when publishing provided.al2023
///   (github.com/aws/aws-lambda-base-images/issues/59): "The AL2023 image includes glibc version 2.34
///   (previously, version 2.26 was included in provided.al2)".
/// - libstdc++ symbol versions per gcc release: the libstdc++ manual, "ABI Policy and Guidelines"
///   (gcc.gnu.org/onlinedocs/libstdc++/manual/abi.html): GCC 7.2.0 → GLIBCXX_3.4.24 / CXXABI_1.3.11,
///   GCC 11.1.0 → GLIBCXX_3.4.29 / CXXABI_1.3.13 (later minor releases add no labels).
/// - provided.al2023 is built from the AL2023 minimal image and includes curl-minimal (AWS, same issue #59);
///   libcurl-minimal links libssl.so.3, libcrypto.so.3 and libz.so.1
///   (github.com/amazonlinux/amazon-linux-2023/issues/772, #625), so those ship too.
/// - provided.al2 (the managed runtime, not the larger container image that carries yum) has no libcurl:
///   github.com/lambci/docker-lambda/issues/319 (maintainer: libcurl "is not on the java8.al2 runtime on AWS"),
///   github.com/lambgeo/docker-lambda/issues/34 ("libcurl and libxml2 are missing in amazonlinux 2").
///   OpenSSL 1.0.2 (libcrypto.so.10 / libssl.so.10) and zlib were seen in AL2-based *language* runtimes,
///   which add their own packages, so they are not guaranteed on provided.al2.
/// - libgcc_s.so.1 and libstdc++.so.6: Swift binaries built with `--static-swift-stdlib` still load both,
///   and the official Swift Lambda runtime deploys exactly such binaries to provided.al2 and provided.al2023
///   (github.com/awslabs/swift-aws-lambda-runtime, archive plugin).
public struct RuntimeImage: Sendable {
    public let target: LambdaRuntimeTarget
    public let operatingSystem: String
    /// Newest `GLIBC_*` version the image's glibc defines.
    public let glibc: SymbolVersion
    /// Newest `GLIBCXX_*` / `CXXABI_*` the image's libstdc++.so.6 defines.
    public let glibcxx: SymbolVersion
    public let cxxabi: SymbolVersion
    public let gcc: String
    /// Shared libraries beyond glibc and the gcc runtime that the image ships.
    let extraLibraries: Set<String>
    /// Why a library is known to be missing or is not guaranteed; shown with the verdict.
    let libraryNotes: [String: String]

    /// The newest version of `family` the image provides.
    public func newestVersion(of family: SymbolVersionFamily) -> SymbolVersion {
        switch family {
        case .glibc: return glibc
        case .glibcxx: return glibcxx
        case .cxxabi: return cxxabi
        }
    }

    /// Every shared library a binary may rely on, by DT_NEEDED name.
    public func providedLibraries(for architecture: ELFArchitecture) -> Set<String> {
        Self.glibcLibraries.union([architecture.dynamicLoaderName]).union(Self.gccRuntimeLibraries).union(extraLibraries)
    }

    /// A note on why `library` is not available (or not guaranteed), when one is known.
    public func note(forMissing library: String) -> String? {
        if let note = libraryNotes[library] { return note }
        if Self.isSwiftRuntimeLibrary(library) {
            return "a Swift runtime library: link it in with swift build -c release --static-swift-stdlib"
        }
        return nil
    }

    /// The toolchain's own shared libraries (stdlib, Foundation, Dispatch), which no Lambda image has.
    static func isSwiftRuntimeLibrary(_ library: String) -> Bool {
        let stem = library.split(separator: ".").first.map(String.init) ?? library
        return stem.hasPrefix("libswift") || stem.hasPrefix("libFoundation") || stem.hasPrefix("lib_Foundation")
            || ["libdispatch", "libBlocksRuntime", "libXCTest", "libTesting"].contains(stem)
    }

    /// glibc's own libraries, present in every glibc image (the loader is per architecture).
    static let glibcLibraries: Set<String> = [
        "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libresolv.so.2", "libutil.so.1",
    ]
    static let gccRuntimeLibraries: Set<String> = ["libgcc_s.so.1", "libstdc++.so.6"]

    static func image(for target: LambdaRuntimeTarget) -> RuntimeImage {
        switch target {
        case .providedAL2:
            let notGuaranteed = "not guaranteed: seen only in AL2-based language runtimes, which add their own packages"
            return RuntimeImage(
                target: target,
                operatingSystem: "Amazon Linux 2",
                glibc: SymbolVersion(2, 26),
                glibcxx: SymbolVersion(3, 4, 24),
                cxxabi: SymbolVersion(1, 3, 11),
                gcc: "7.3",
                extraLibraries: [],
                libraryNotes: [
                    "libcurl.so.4": "the provided.al2 runtime has no libcurl",
                    "libcrypto.so.10": notGuaranteed,
                    "libssl.so.10": notGuaranteed,
                    "libz.so.1": notGuaranteed,
                    "libcrypto.so.3": "Amazon Linux 2 has OpenSSL 1.0.2 (libcrypto.so.10), not OpenSSL 3",
                    "libssl.so.3": "Amazon Linux 2 has OpenSSL 1.0.2 (libssl.so.10), not OpenSSL 3",
                ]
            )
        case .providedAL2023:
            return RuntimeImage(
                target: target,
                operatingSystem: "Amazon Linux 2023",
                glibc: SymbolVersion(2, 34),
                glibcxx: SymbolVersion(3, 4, 29),
                cxxabi: SymbolVersion(1, 3, 13),
                gcc: "11",
                extraLibraries: ["libcurl.so.4", "libssl.so.3", "libcrypto.so.3", "libz.so.1"],
                libraryNotes: [
                    "libcrypto.so.10": "Amazon Linux 2023 has OpenSSL 3 (libcrypto.so.3), not OpenSSL 1.0.2",
                    "libssl.so.10": "Amazon Linux 2023 has OpenSSL 3 (libssl.so.3), not OpenSSL 1.0.2",
                ]
            )
        }
    }
}
