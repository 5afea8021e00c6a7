/// Why a file could not be read as a Lambda-deployable ELF binary.
///
/// Every malformed input ends up here: the parser checks each read against the
/// file size, so bad bytes give a typed error instead of a crash.
public enum ELFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not start with the ELF magic bytes (0x7F 'E' 'L' 'F').
    case notELF
    /// EI_CLASS is not ELFCLASS64 (1 = 32-bit, anything else is invalid).
    case unsupportedClass(UInt8)
    /// EI_DATA is not little-endian (2 = big-endian, anything else is invalid).
    case unsupportedEndianness(UInt8)
    /// e_machine is neither x86-64 (62) nor AArch64 (183): Lambda runs nothing else.
    case unsupportedMachine(UInt16)
    /// e_type is not an executable or a shared object (e.g. a relocatable `.o` or a core dump).
    case unsupportedFileType(UInt16)
    /// The file ends before the byte offset the headers point at.
    case truncated(at: Int)
    /// Headers point at impossible places (overflowing offsets, bad entry sizes, loops).
    case malformed(String)
    /// The file could not be read at all.
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .notELF:
            return "not an ELF file (missing the \\x7FELF magic bytes)"
        case .unsupportedClass(let value):
            let name = value == 1 ? "32-bit (ELFCLASS32)" : "invalid class \(value)"
            return "unsupported ELF class: \(name); Lambda needs a 64-bit binary"
        case .unsupportedEndianness(let value):
            let name = value == 2 ? "big-endian" : "invalid data encoding \(value)"
            return "unsupported ELF byte order: \(name); Lambda needs little-endian"
        case .unsupportedMachine(let machine):
            return "unsupported ELF machine \(machine); Lambda runs only x86_64 (62) and arm64/AArch64 (183)"
        case .unsupportedFileType(let type):
            return "unsupported ELF file type \(type); expected an executable (2) or position-independent executable (3)"
        case .truncated(let offset):
            return "truncated ELF file: it ends before byte offset \(offset)"
        case .malformed(let reason):
            return "malformed ELF file: \(reason)"
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        }
    }
}
