import Foundation
import Testing

/// The repository, found from this file: Tests/ArchitectureTests/ArchitectureTests.swift.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func text(_ path: String) throws -> String {
    try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
}

/// What the code says: each folder of Sources/ and the modules of this package its files import.
private struct Code {
    var imports: [String: Set<String>] = [:]
    var allImports: [String: Set<String>] = [:]

    init() throws {
        let sources = root.appendingPathComponent("Sources")
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { !$0.hasPrefix(".") }
        let pattern = try NSRegularExpression(pattern: #"^\s*(?:@testable\s+|@_exported\s+)?import\s+([A-Za-z0-9_]+)"#, options: .anchorsMatchLines)
        for module in modules {
            var found: Set<String> = []
            let folder = sources.appendingPathComponent(module)
            for case let file as String in FileManager.default.enumerator(atPath: folder.path) ?? NSEnumerator() where file.hasSuffix(".swift") {
                let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for match in pattern.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
                    found.insert(String(source[Range(match.range(at: 1), in: source)!]))
                }
            }
            allImports[module] = found
        }
        let known = Set(allImports.keys)
        imports = allImports.mapValues { $0.intersection(known) }
    }

    /// Every module `start` reaches through its imports, itself included.
    func closure(of start: String) -> Set<String> {
        var seen: Set<String> = [start]
        var queue = [start]
        while let next = queue.popLast() {
            for module in imports[next, default: []] where seen.insert(module).inserted { queue.append(module) }
        }
        return seen
    }

    func importers(of module: String) -> Set<String> { Set(imports.filter { $0.value.contains(module) }.keys) }
}

/// What docs/ARCHITECTURE.md's module table says.
private struct Documented {
    struct Row {
        var inBootstrap: Bool
        var imports: Set<String>
    }

    var rows: [String: Row] = [:]

    init() throws {
        let lines = try text("docs/ARCHITECTURE.md").components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "## Modules") else { throw Missing(what: "## Modules") }
        for line in lines[start...].dropFirst().prefix(while: { !$0.hasPrefix("## ") }) where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let names = Self.backticked(cells[1])
            let row = Row(inBootstrap: cells[2] == "yes", imports: Set(Self.backticked(cells[3])))
            for name in names { rows[name] = row }
        }
    }

    static func backticked(_ cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }
}

/// What Package.swift declares: each target's dependencies on other targets of this package.
private struct Manifest {
    var dependencies: [String: Set<String>] = [:]

    init(targets: Set<String>) throws {
        let manifest = try text("Package.swift")
        for kind in [".target(", ".executableTarget(", ".systemLibrary("] {
            var rest = manifest[...]
            while let open = rest.range(of: kind) {
                var depth = 1
                var index = open.upperBound
                while depth > 0, index < rest.endIndex {
                    if rest[index] == "(" { depth += 1 } else if rest[index] == ")" { depth -= 1 }
                    index = rest.index(after: index)
                }
                let call = String(rest[open.upperBound..<index])
                rest = rest[index...]
                guard let name = Self.quoted(call).first else { continue }
                // External products are `.product(name: "X", package: "y")`: not this package's targets.
                let own = call.replacingOccurrences(of: #"\.product\([^)]*\)"#, with: "", options: .regularExpression)
                dependencies[name] = Set(Self.quoted(own).dropFirst()).intersection(targets)
            }
        }
    }

    static func quoted(_ text: String) -> [String] {
        text.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }
}

private struct Missing: Error {
    var what: String
}

@Suite("ARCHITECTURE.md holds against Package.swift and the import lines")
struct ArchitectureTests {
    @Test func everyModuleHasOneRowWithItsRealImports() throws {
        let code = try Code()
        let documented = try Documented()
        #expect(Set(documented.rows.keys) == Set(code.imports.keys), "modules without a row, or rows without a module")
        for (module, imports) in code.imports.sorted(by: { $0.key < $1.key }) {
            #expect(documented.rows[module]?.imports == imports, "\(module) imports \(imports.sorted())")
        }
    }

    @Test func packageDependenciesAreExactlyTheImports() throws {
        let code = try Code()
        let manifest = try Manifest(targets: Set(code.imports.keys))
        for (module, imports) in code.imports.sorted(by: { $0.key < $1.key }) {
            #expect(manifest.dependencies[module] == imports, "\(module): Package.swift says \(manifest.dependencies[module]?.sorted() ?? []), the files import \(imports.sorted())")
        }
    }

    @Test func inBootstrapIsWhatBootstrapReaches() throws {
        let code = try Code()
        let documented = try Documented()
        let shipped = code.closure(of: "bootstrap")
        #expect(Set(documented.rows.filter(\.value.inBootstrap).keys) == shipped)
        for module in shipped {
            let heavy = code.allImports[module, default: []].intersection([
                "Foundation", "FoundationEssentials", "FoundationNetworking", "NIOCore", "NIOPosix", "NIOHTTP1", "ZIPFoundation",
                "ArgumentParser",
            ])
            #expect(heavy.isEmpty, "\(module), linked into bootstrap, imports \(heavy.sorted())")
        }
    }

    @Test func theRulesSectionHolds() throws {
        let code = try Code()
        let shipped = code.closure(of: "bootstrap")
        for leaf in ["TextBytes", "Clocks", "Threads", "ProcessEnvironment", "AWSSigning"] {
            #expect(code.imports[leaf] == [], "\(leaf) imports \(code.imports[leaf]?.sorted() ?? [])")
        }
        #expect(code.imports["Retrying"] == ["Clocks"])
        #expect(code.importers(of: "CCurl") == ["HTTP"])
        #expect(code.importers(of: "CLibCrypto").intersection(shipped) == ["StandardWebhooks"])
        let cModules: Set<String> = ["CCurl", "CLibCrypto", "CTrustStore", "CheapCommandLine"]
        for module in ["UploadNotifier", "LambdaRuntime"] {
            #expect(code.imports[module, default: []].isDisjoint(with: cModules), "\(module) imports a C module")
        }
        #expect(code.closure(of: "LambdaRuntime").isDisjoint(with: ["S3Events", "S3EventRoutes", "StandardWebhooks", "UploadNotifier", "AWSClient"]))
        #expect(!code.imports["UploadNotifier", default: []].contains("LambdaRuntimeAPI"))
    }
}
