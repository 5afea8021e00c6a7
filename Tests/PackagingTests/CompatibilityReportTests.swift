import Foundation
import Testing

@testable import Packaging

@Suite("Compatibility verdict")
struct CompatibilityReportTests {
    @Test("a program built on this machine's glibc is judged against provided.al2")
    func compiledProgramOnAL2() throws {
        let elf = try ELFFile(contentsOf: try Fixtures.dynamicBinary.get())
        let report = CompatibilityReport.check(elf, against: .providedAL2)
        let newest = try #require(elf.maximumGlibcVersion)
        #expect(report.maxGlibcNeeded == newest.description)
        if newest > SymbolVersion(2, 26) {
            // Debian 12 (glibc 2.36) links __libc_start_main@GLIBC_2.34.
            #expect(!report.isCompatible)
            let glibcProblem = try #require(report.problems.first { $0.contains("GLIBC_\(newest)") })
            #expect(glibcProblem.contains("libc.so.6"))
            #expect(glibcProblem.contains("provided.al2 has glibc 2.26"))
        } else {
            #expect(report.isCompatible)
        }
    }

    @Test("needing GLIBC_2.34 is incompatible with provided.al2 and fine on provided.al2023")
    func glibc234() {
        let requirements = [
            VersionRequirement(library: "libc.so.6", version: "GLIBC_2.2.5", symbols: ["puts"]),
            VersionRequirement(library: "libc.so.6", version: "GLIBC_2.34", symbols: ["__libc_start_main"]),
        ]
        let al2 = CompatibilityReport.check(
            architecture: .x86_64, interpreter: "/lib64/ld-linux-x86-64.so.2", neededLibraries: ["libc.so.6"],
            versionRequirements: requirements, against: .providedAL2)
        #expect(!al2.isCompatible)
        #expect(al2.maxGlibcNeeded == "2.34")
        #expect(al2.problems == ["needs GLIBC_2.34 (libc.so.6: __libc_start_main) but provided.al2 has glibc 2.26"])

        let al2023 = CompatibilityReport.check(
            architecture: .x86_64, interpreter: "/lib64/ld-linux-x86-64.so.2", neededLibraries: ["libc.so.6"],
            versionRequirements: requirements, against: .providedAL2023)
        #expect(al2023.isCompatible)
        #expect(al2023.problems.isEmpty)
    }

    @Test("each too-new glibc version is its own problem, newest first")
    func severalVersions() {
        let requirements = ["GLIBC_2.17", "GLIBC_2.28", "GLIBC_2.34", "GLIBC_2.32"].map {
            VersionRequirement(library: "libc.so.6", version: $0)
        } + [VersionRequirement(library: "libpthread.so.0", version: "GLIBC_2.28")]
        let report = CompatibilityReport.check(
            architecture: .arm64, interpreter: "/lib/ld-linux-aarch64.so.1",
            neededLibraries: ["libc.so.6", "libpthread.so.0"], versionRequirements: requirements, against: .providedAL2)
        #expect(report.problems.count == 3)
        #expect(report.problems[0].hasPrefix("needs GLIBC_2.34"))
        #expect(report.problems[1].hasPrefix("needs GLIBC_2.32"))
        #expect(report.problems[2] == "needs GLIBC_2.28 (libc.so.6; libpthread.so.0) but provided.al2 has glibc 2.26")
    }

    @Test("OpenSSL 3 and libcurl are missing on provided.al2, present on provided.al2023")
    func libraries() {
        let needed = ["libcurl.so.4", "libcrypto.so.3", "libstdc++.so.6", "libm.so.6", "libc.so.6", "ld-linux-x86-64.so.2"]
        let al2 = CompatibilityReport.check(
            architecture: .x86_64, interpreter: "/lib64/ld-linux-x86-64.so.2", neededLibraries: needed,
            versionRequirements: [], against: .providedAL2)
        #expect(al2.problems.count == 2)
        #expect(al2.problems.contains { $0.hasPrefix("needs libcrypto.so.3, which provided.al2 does not ship") })
        #expect(al2.problems.contains { $0.hasPrefix("needs libcurl.so.4, which provided.al2 does not ship") })

        let al2023 = CompatibilityReport.check(
            architecture: .x86_64, interpreter: "/lib64/ld-linux-x86-64.so.2", neededLibraries: needed,
            versionRequirements: [], against: .providedAL2023)
        #expect(al2023.isCompatible)

        let legacy = CompatibilityReport.check(
            architecture: .x86_64, interpreter: nil, neededLibraries: ["libcrypto.so.10"],
            versionRequirements: [], against: .providedAL2023)
        #expect(legacy.problems.first?.hasPrefix("needs libcrypto.so.10, which provided.al2023 does not ship") == true)
    }

    @Test("Swift runtime libraries point at --static-swift-stdlib")
    func swiftRuntime() {
        let report = CompatibilityReport.check(
            architecture: .x86_64, interpreter: nil, neededLibraries: ["libswiftCore.so", "libFoundationEssentials.so"],
            versionRequirements: [], against: .providedAL2023)
        #expect(report.problems.count == 2)
        #expect(report.problems.allSatisfy { $0.contains("--static-swift-stdlib") })
    }

    @Test("libraries the deployment supplies itself are not problems")
    func additionalLibraries() {
        let report = CompatibilityReport.check(
            architecture: .x86_64, interpreter: nil, neededLibraries: ["libcurl.so.4"],
            versionRequirements: [VersionRequirement(library: "libcurl.so.4", version: "CURL_OPENSSL_4")],
            against: .providedAL2, additionalLibraries: ["libcurl.so.4"])
        #expect(report.isCompatible)
    }

    @Test("libstdc++ newer than the image's gcc is reported")
    func libstdcxx() {
        let requirements = [
            VersionRequirement(library: "libstdc++.so.6", version: "GLIBCXX_3.4.29", symbols: ["_ZSt28__throw_bad_array_new_lengthv"]),
            VersionRequirement(library: "libstdc++.so.6", version: "CXXABI_1.3.11"),
        ]
        let al2 = CompatibilityReport.check(
            architecture: .x86_64, interpreter: nil, neededLibraries: ["libstdc++.so.6"],
            versionRequirements: requirements, against: .providedAL2)
        #expect(al2.problems == [
            "needs GLIBCXX_3.4.29 (libstdc++.so.6: _ZSt28__throw_bad_array_new_lengthv) but provided.al2 has libstdc++ (GLIBCXX) 3.4.24"
        ])
        let al2023 = CompatibilityReport.check(
            architecture: .x86_64, interpreter: nil, neededLibraries: ["libstdc++.so.6"],
            versionRequirements: requirements, against: .providedAL2023)
        #expect(al2023.isCompatible)
    }

    @Test("weak version needs are ignored, GLIBC_PRIVATE is not")
    func weakAndPrivate() {
        let report = CompatibilityReport.check(
            architecture: .x86_64, interpreter: nil, neededLibraries: ["libc.so.6"],
            versionRequirements: [
                VersionRequirement(library: "libc.so.6", version: "GLIBC_2.38", isWeak: true),
                VersionRequirement(library: "libc.so.6", version: "GLIBC_PRIVATE"),
            ], against: .providedAL2023)
        #expect(report.problems.count == 1)
        #expect(report.problems[0].contains("GLIBC_PRIVATE"))
    }

    @Test("wrong architecture and a foreign loader are problems")
    func architectureAndLoader() {
        let report = CompatibilityReport.check(
            architecture: .arm64, interpreter: "/lib/ld-musl-aarch64.so.1", neededLibraries: [],
            versionRequirements: [], against: .providedAL2023, expectedArchitecture: .x86_64)
        #expect(report.problems.count == 2)
        #expect(report.problems[0] == "binary is built for arm64 but the function runs on x86_64")
        #expect(report.problems[1].contains("/lib/ld-musl-aarch64.so.1"))
    }

    @Test("a static binary is compatible with both runtimes")
    func staticBinary() throws {
        let elf = try ELFFile(contentsOf: try Fixtures.staticBinary.get())
        for runtime in LambdaRuntimeTarget.allCases {
            let report = CompatibilityReport.check(elf, against: runtime)
            #expect(report.isCompatible, "\(report.problems)")
            #expect(report.maxGlibcNeeded == nil)
        }
    }

    @Test("image facts: glibc 2.26 on provided.al2, 2.34 on provided.al2023")
    func imageFacts() {
        #expect(LambdaRuntimeTarget.providedAL2.image.glibc == SymbolVersion(2, 26))
        #expect(LambdaRuntimeTarget.providedAL2023.image.glibc == SymbolVersion(2, 34))
        #expect(LambdaRuntimeTarget(rawValue: "provided.al2") == .providedAL2)
        #expect(LambdaRuntimeTarget(rawValue: "provided.al2023") == .providedAL2023)
        let al2 = LambdaRuntimeTarget.providedAL2.image.providedLibraries(for: .arm64)
        #expect(al2.isSuperset(of: ["libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
                                    "ld-linux-aarch64.so.1", "libgcc_s.so.1", "libstdc++.so.6"]))
        #expect(!al2.contains("libcurl.so.4"))
        let al2023 = LambdaRuntimeTarget.providedAL2023.image.providedLibraries(for: .x86_64)
        #expect(al2023.isSuperset(of: ["libcurl.so.4", "libcrypto.so.3", "libssl.so.3", "libz.so.1", "ld-linux-x86-64.so.2"]))
    }

    @Test("symbol versions compare numerically")
    func versions() {
        #expect(SymbolVersion("2.2.5")! < SymbolVersion("2.17")!)
        #expect(SymbolVersion("2.34")! > SymbolVersion("2.26")!)
        #expect(SymbolVersion("2.34")! == SymbolVersion("2.34.0")!)
        #expect(Set([SymbolVersion("2.34")!, SymbolVersion("2.34.0")!]).count == 1)
        #expect(SymbolVersion("PRIVATE") == nil)
        #expect(SymbolVersion("2..3") == nil)
        #expect(SymbolVersionFamily.parse("GLIBCXX_3.4.29")?.family == .glibcxx)
        #expect(SymbolVersionFamily.parse("GLIBC_2.34")?.version == SymbolVersion(2, 34))
        #expect(SymbolVersionFamily.parse("GLIBC_PRIVATE") == nil)
    }

    @Test("build advice names the static build and the image's glibc")
    func advice() {
        let al2 = BuildAdvice.text(for: .providedAL2, architecture: .x86_64)
        #expect(al2.contains("make package"))
        #expect(al2.contains("fully static"))
        #expect(al2.contains("glibc 2.26"))
        #expect(BuildAdvice.text(for: .providedAL2023, architecture: .arm64).contains("glibc 2.34"))
        #expect(BuildAdvice.text(for: .providedAL2023, architecture: .arm64).contains("arm64 function"))
    }
}
