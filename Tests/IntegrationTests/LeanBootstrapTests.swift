import Foundation
import Testing

/// `bootstrap` is what Lambda cold-starts: it must not carry the developer tooling's weight, nor
/// Foundation (2.5 MB and ~1 ms of start-up; StrictJSON and libcrypto do its jobs there).
@Suite struct LeanBootstrapTests {
    @Test(arguments: ["NIOCore", "NIOPosix", "Hummingbird", "FoundationEssentials", "_FoundationCollections", "FoundationNetworking", "FoundationInternationalization", "_FoundationICU", "ArgumentParser"])
    func bootstrapDoesNotLink(module: String) throws {
        let binary = try Data(contentsOf: URL(fileURLWithPath: executable("bootstrap")))
        // Swift symbol names embed their module's name, so linked code would show it.
        #expect(binary.range(of: Data(module.utf8)) == nil, "bootstrap contains \(module)")
    }

    @Test func theCheckWouldSeeALinkedModule() throws {
        let notifier = try Data(contentsOf: URL(fileURLWithPath: executable("notifier-dev")))
        #expect(notifier.range(of: Data("NIOCore".utf8)) != nil)
    }
}
