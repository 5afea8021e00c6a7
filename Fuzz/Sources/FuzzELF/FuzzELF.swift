// The ELF reader (`ELFFile(bytes:)`) that `notifier-dev package` runs on the binary it ships, and the
// compatibility verdict (`CompatibilityReport.check`) for every runtime on what it reads.
//
// Input: the file's bytes.
import FuzzSupport
import Packaging

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let file: ELFFile
    do {
        file = try ELFFile(bytes: bytes)
    } catch {
        invariant(!error.description.isEmpty, "an ELFError without a description")
        return 0
    }
    // Offsets are absolute and every read is bounds-checked: bytes after the end change nothing.
    let padded = Result { () throws(ELFError) in try ELFFile(bytes: bytes + [UInt8](repeating: 0, count: 64)) }
    invariant(padded == .success(file), "appending bytes changed what was read: \(padded)")

    for runtime in LambdaRuntimeTarget.allCases {
        let report = CompatibilityReport.check(file, against: runtime)
        invariant(report.runtime == runtime && report.architecture == file.architecture, "the report is about another binary")
        invariant(report.isCompatible == report.problems.isEmpty, "isCompatible disagrees with problems")
        _ = report.description
        // The same with every needed library supplied, and with the other architecture expected.
        let supplied = CompatibilityReport.check(file, against: runtime, additionalLibraries: Set(file.neededLibraries))
        invariant(supplied.problems.count <= report.problems.count, "supplying libraries added problems")
        for architecture in ELFArchitecture.allCases where architecture != file.architecture {
            let mismatched = CompatibilityReport.check(file, against: runtime, expectedArchitecture: architecture)
            invariant(!mismatched.isCompatible, "a binary for \(file.architecture) passed as \(architecture)")
        }
    }
    return 0
}
