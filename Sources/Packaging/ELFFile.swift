import Foundation

/// The two instruction sets Lambda runs, named as Lambda names them.
public enum ELFArchitecture: String, Codable, Sendable, CaseIterable {
    case x86_64
    case arm64

    /// e_machine values from the ELF specification.
    static let machineX86_64: UInt16 = 62
    static let machineAArch64: UInt16 = 183

    init?(machine: UInt16) {
        switch machine {
        case Self.machineX86_64: self = .x86_64
        case Self.machineAArch64: self = .arm64
        default: return nil
        }
    }

    /// The glibc dynamic loader's soname, as it appears in DT_NEEDED.
    public var dynamicLoaderName: String {
        switch self {
        case .x86_64: return "ld-linux-x86-64.so.2"
        case .arm64: return "ld-linux-aarch64.so.1"
        }
    }

    /// The PT_INTERP path glibc binaries use; it exists on both Amazon Linux images.
    public var dynamicLoaderPath: String {
        switch self {
        case .x86_64: return "/lib64/ld-linux-x86-64.so.2"
        case .arm64: return "/lib/ld-linux-aarch64.so.1"
        }
    }

    /// The target-triple spelling, as used by Swift SDK names.
    public var tripleArchitecture: String {
        switch self {
        case .x86_64: return "x86_64"
        case .arm64: return "aarch64"
        }
    }
}

/// One symbol version a binary needs from one shared library (an entry of `.gnu.version_r`).
public struct VersionRequirement: Hashable, Codable, Sendable {
    /// The library the version must come from, e.g. `libc.so.6`.
    public var library: String
    /// The version name, e.g. `GLIBC_2.34`.
    public var version: String
    /// VER_FLG_WEAK: the loader only warns when it is missing.
    public var isWeak: Bool
    /// Undefined dynamic symbols bound to this version, e.g. `__libc_start_main`
    /// (empty when the binary carries no symbol count the parser can trust).
    public var symbols: [String]

    public init(library: String, version: String, isWeak: Bool = false, symbols: [String] = []) {
        self.library = library
        self.version = version
        self.isWeak = isWeak
        self.symbols = symbols
    }
}

/// What the dynamic loader will need to start a 64-bit little-endian ELF binary.
///
/// Parsed in pure Swift from the file bytes: the dynamic segment (PT_DYNAMIC) gives
/// DT_NEEDED and DT_VERNEED through the dynamic string table; section headers are
/// used only as a fallback and to count dynamic symbols.
public struct ELFFile: Sendable, Equatable {
    public var architecture: ELFArchitecture
    /// PT_INTERP, e.g. `/lib64/ld-linux-x86-64.so.2`; nil for a static binary.
    public var interpreter: String?
    /// DT_NEEDED, in file order.
    public var neededLibraries: [String]
    /// `.gnu.version_r`, in file order.
    public var versionRequirements: [VersionRequirement]

    /// No loader and no shared libraries: runs on any Linux with the right CPU.
    public var isStaticallyLinked: Bool { interpreter == nil && neededLibraries.isEmpty }

    public init(
        architecture: ELFArchitecture,
        interpreter: String?,
        neededLibraries: [String],
        versionRequirements: [VersionRequirement]
    ) {
        self.architecture = architecture
        self.interpreter = interpreter
        self.neededLibraries = neededLibraries
        self.versionRequirements = versionRequirements
    }

    public init(contentsOf url: URL) throws(ELFError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: "\(error.localizedDescription)")
        }
        try self.init(bytes: [UInt8](data))
    }

    public init(bytes: [UInt8]) throws(ELFError) {
        self = try ELFParser(reader: ELFByteReader(bytes: bytes)).parse()
    }
}

// MARK: - Parser

private struct ProgramHeader {
    var type: UInt32
    var offset: Int
    var virtualAddress: UInt64
    var fileSize: Int
}

private struct SectionHeader {
    var type: UInt32
    var address: UInt64
    var offset: Int
    var size: Int
    var link: UInt32
    var info: UInt32
    var entrySize: Int
}

private struct DynamicTable {
    var needed: [UInt64] = []
    var strtab: UInt64?
    var strsz: UInt64?
    var symtab: UInt64?
    var syment: UInt64?
    var hash: UInt64?
    var versym: UInt64?
    var verneed: UInt64?
    var verneednum: UInt64?
}

private struct ELFParser {
    let reader: ELFByteReader

    // Constants from the System V ABI / LSB; named here so the parser reads like the spec.
    static let ptLoad: UInt32 = 1, ptDynamic: UInt32 = 2, ptInterp: UInt32 = 3
    static let shtDynamic: UInt32 = 6, shtDynsym: UInt32 = 11, shtGnuVerneed: UInt32 = 0x6fff_fffe
    static let dtNull: UInt64 = 0, dtNeeded: UInt64 = 1, dtHash: UInt64 = 4, dtStrtab: UInt64 = 5
    static let dtSymtab: UInt64 = 6, dtStrsz: UInt64 = 10, dtSyment: UInt64 = 11
    static let dtVersym: UInt64 = 0x6fff_fff0, dtVerneed: UInt64 = 0x6fff_fffe, dtVerneednum: UInt64 = 0x6fff_ffff
    static let verFlagWeak: UInt16 = 0x2
    static let programHeaderSize = 56, sectionHeaderSize = 64, dynamicEntrySize = 16, symbolSize = 24

    func parse() throws(ELFError) -> ELFFile {
        let architecture = try checkIdentification()
        let programHeaders = try readProgramHeaders()
        let sections = try readSectionHeaders()

        let interpreter = try programHeaders.first { $0.type == Self.ptInterp }.map { header throws(ELFError) in
            try reader.cString(at: header.offset, end: try elfAdd(header.offset, header.fileSize))
        }

        guard let dynamicRange = try dynamicRange(programHeaders: programHeaders, sections: sections) else {
            // No dynamic segment: a static executable needs nothing from the image.
            return ELFFile(architecture: architecture, interpreter: interpreter, neededLibraries: [], versionRequirements: [])
        }
        let table = try readDynamicTable(dynamicRange)
        let translate = AddressTranslator(loads: programHeaders.filter { $0.type == Self.ptLoad }, sections: sections)
        let strings = try stringTable(table, translate: translate)

        let needed = try table.needed.map { value throws(ELFError) in
            try strings.string(at: value)
        }
        var requirements = try readVersionNeeds(table, sections: sections, strings: strings, translate: translate)
        try attachSymbols(to: &requirements.list, indices: requirements.indexOfVersion, table: table,
                          sections: sections, strings: strings, translate: translate)

        return ELFFile(architecture: architecture, interpreter: interpreter,
                       neededLibraries: needed, versionRequirements: requirements.list)
    }

    // MARK: Header

    private func checkIdentification() throws(ELFError) -> ELFArchitecture {
        let magic: [UInt8] = [0x7F, 0x45, 0x4C, 0x46]
        let available = Swift.min(reader.count, magic.count)
        guard available > 0, Array(reader.bytes.prefix(available)) == Array(magic.prefix(available)) else {
            throw .notELF
        }
        guard reader.count >= magic.count else { throw .truncated(at: reader.count) }

        let elfClass = try reader.u8(4)
        guard elfClass == 2 else { throw .unsupportedClass(elfClass) }
        let encoding = try reader.u8(5)
        guard encoding == 1 else { throw .unsupportedEndianness(encoding) }
        try reader.require(0, 64)  // the whole ELF64 header

        let type = try reader.u16(16)
        guard type == 2 || type == 3 else { throw .unsupportedFileType(type) }
        let machine = try reader.u16(18)
        guard let architecture = ELFArchitecture(machine: machine) else { throw .unsupportedMachine(machine) }
        return architecture
    }

    private func readProgramHeaders() throws(ELFError) -> [ProgramHeader] {
        let tableOffset = try elfInt(try reader.u64(32), "e_phoff")
        let entrySize = Int(try reader.u16(54))
        let count = Int(try reader.u16(56))
        guard count > 0 else { return [] }
        guard entrySize >= Self.programHeaderSize else { throw .malformed("e_phentsize \(entrySize) is too small") }
        try reader.require(tableOffset, try elfMultiply(entrySize, count))

        var headers: [ProgramHeader] = []
        for index in 0..<count {
            let base = tableOffset + index * entrySize
            let header = ProgramHeader(
                type: try reader.u32(base),
                offset: try elfInt(try reader.u64(base + 8), "p_offset"),
                virtualAddress: try reader.u64(base + 16),
                fileSize: try elfInt(try reader.u64(base + 32), "p_filesz")
            )
            // A segment the loader maps must be inside the file; otherwise the file was cut short.
            if header.type == Self.ptLoad || header.type == Self.ptDynamic || header.type == Self.ptInterp {
                try reader.require(header.offset, header.fileSize)
            }
            headers.append(header)
        }
        return headers
    }

    private func readSectionHeaders() throws(ELFError) -> [SectionHeader] {
        let tableOffset = try elfInt(try reader.u64(40), "e_shoff")
        let entrySize = Int(try reader.u16(58))
        var count = Int(try reader.u16(60))
        guard tableOffset != 0 else { return [] }
        if count == 0 {
            // More than 0xff00 sections: the real count lives in section 0's sh_size.
            try reader.require(tableOffset, Self.sectionHeaderSize)
            count = try elfInt(try reader.u64(tableOffset + 32), "section count")
            guard count > 0 else { return [] }
        }
        guard entrySize >= Self.sectionHeaderSize else { throw .malformed("e_shentsize \(entrySize) is too small") }
        // Section headers usually sit at the very end: a cut-off file fails here.
        try reader.require(tableOffset, try elfMultiply(entrySize, count))

        var sections: [SectionHeader] = []
        sections.reserveCapacity(count)
        for index in 0..<count {
            let base = tableOffset + index * entrySize
            sections.append(SectionHeader(
                type: try reader.u32(base + 4),
                address: try reader.u64(base + 16),
                offset: try elfInt(try reader.u64(base + 24), "sh_offset"),
                size: try elfInt(try reader.u64(base + 32), "sh_size"),
                link: try reader.u32(base + 40),
                info: try reader.u32(base + 44),
                entrySize: try elfInt(try reader.u64(base + 56), "sh_entsize")
            ))
        }
        return sections
    }

    // MARK: Dynamic table

    private func dynamicRange(programHeaders: [ProgramHeader], sections: [SectionHeader]) throws(ELFError) -> Range<Int>? {
        if let segment = programHeaders.first(where: { $0.type == Self.ptDynamic }) {
            return segment.offset..<(try elfAdd(segment.offset, segment.fileSize))
        }
        if let section = sections.first(where: { $0.type == Self.shtDynamic }) {
            try reader.require(section.offset, section.size)
            return section.offset..<(section.offset + section.size)
        }
        return nil
    }

    private func readDynamicTable(_ range: Range<Int>) throws(ELFError) -> DynamicTable {
        var table = DynamicTable()
        var offset = range.lowerBound
        while offset + Self.dynamicEntrySize <= range.upperBound {
            let tag = try reader.u64(offset)
            let value = try reader.u64(offset + 8)
            offset += Self.dynamicEntrySize
            switch tag {
            case Self.dtNull: return table
            case Self.dtNeeded: table.needed.append(value)
            case Self.dtStrtab: table.strtab = value
            case Self.dtStrsz: table.strsz = value
            case Self.dtSymtab: table.symtab = value
            case Self.dtSyment: table.syment = value
            case Self.dtHash: table.hash = value
            case Self.dtVersym: table.versym = value
            case Self.dtVerneed: table.verneed = value
            case Self.dtVerneednum: table.verneednum = value
            default: continue
            }
        }
        return table
    }

    private func stringTable(_ table: DynamicTable, translate: AddressTranslator) throws(ELFError) -> StringTable {
        guard let address = table.strtab else {
            if table.needed.isEmpty && table.verneed == nil { return StringTable(reader: reader, start: 0, end: 0) }
            throw .malformed("dynamic section has DT_NEEDED or DT_VERNEED but no DT_STRTAB")
        }
        let start = try translate.offset(of: address, reader: reader)
        guard start < reader.count else { throw .truncated(at: start) }
        let size = try elfInt(table.strsz ?? UInt64(reader.count - start), "DT_STRSZ")
        let end = Swift.min(try elfAdd(start, size), reader.count)
        return StringTable(reader: reader, start: start, end: end)
    }

    // MARK: Version needs (.gnu.version_r)

    private func readVersionNeeds(
        _ table: DynamicTable, sections: [SectionHeader], strings: StringTable, translate: AddressTranslator
    ) throws(ELFError) -> (list: [VersionRequirement], indexOfVersion: [UInt16: Int]) {
        let start: Int
        let count: Int
        if let address = table.verneed {
            start = try translate.offset(of: address, reader: reader)
            count = try elfInt(table.verneednum ?? 0, "DT_VERNEEDNUM")
        } else if let section = sections.first(where: { $0.type == Self.shtGnuVerneed }) {
            start = section.offset
            count = Int(section.info)
        } else {
            return ([], [:])
        }

        var list: [VersionRequirement] = []
        var indexOfVersion: [UInt16: Int] = [:]
        // Each record is at least 16 bytes, so more iterations than that means a cycle.
        let iterationLimit = reader.count / 16 + 1
        var iterations = 0
        var needOffset = start
        for _ in 0..<count {
            // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
            let auxCount = Int(try reader.u16(needOffset + 2))
            let library = try strings.string(at: UInt64(try reader.u32(needOffset + 4)))
            var auxOffset = try elfAdd(needOffset, Int(try reader.u32(needOffset + 8)))
            for _ in 0..<auxCount {
                iterations += 1
                guard iterations <= iterationLimit else { throw .malformed("version needs form a loop") }
                // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                let flags = try reader.u16(auxOffset + 4)
                let versionIndex = try reader.u16(auxOffset + 6)
                let name = try strings.string(at: UInt64(try reader.u32(auxOffset + 8)))
                indexOfVersion[versionIndex] = list.count
                list.append(VersionRequirement(library: library, version: name, isWeak: flags & Self.verFlagWeak != 0))
                let next = Int(try reader.u32(auxOffset + 12))
                if next == 0 { break }
                auxOffset = try elfAdd(auxOffset, next)
            }
            iterations += 1
            guard iterations <= iterationLimit else { throw .malformed("version needs form a loop") }
            let next = Int(try reader.u32(needOffset + 12))
            if next == 0 { break }
            needOffset = try elfAdd(needOffset, next)
        }
        return (list, indexOfVersion)
    }

    // MARK: Symbols per version (.dynsym + .gnu.version)

    /// Names the undefined symbols behind each version requirement, so a verdict can say
    /// *which* call needs GLIBC_2.34. Skipped when the symbol count cannot be known.
    private func attachSymbols(
        to requirements: inout [VersionRequirement], indices: [UInt16: Int], table: DynamicTable,
        sections: [SectionHeader], strings: StringTable, translate: AddressTranslator
    ) throws(ELFError) {
        guard !indices.isEmpty, let symtabAddress = table.symtab, let versymAddress = table.versym else { return }
        let symtab = try translate.offset(of: symtabAddress, reader: reader)
        let versym = try translate.offset(of: versymAddress, reader: reader)
        let entrySize = try elfInt(table.syment ?? UInt64(Self.symbolSize), "DT_SYMENT")
        guard entrySize >= Self.symbolSize else { throw .malformed("DT_SYMENT \(entrySize) is too small") }

        let symbolCount: Int
        if let dynsym = sections.first(where: { $0.type == Self.shtDynsym }), dynsym.entrySize > 0 {
            symbolCount = dynsym.size / dynsym.entrySize
        } else if let hashAddress = table.hash {
            // DT_HASH: nbucket u32, nchain u32; nchain equals the number of symbols.
            symbolCount = Int(try reader.u32(try elfAdd(try translate.offset(of: hashAddress, reader: reader), 4)))
        } else {
            return  // only DT_GNU_HASH and no sections: the count is not worth reconstructing
        }
        try reader.require(symtab, try elfMultiply(symbolCount, entrySize))
        try reader.require(versym, try elfMultiply(symbolCount, 2))

        for index in 1..<Swift.max(symbolCount, 1) {
            let versionIndex = try reader.u16(versym + index * 2) & 0x7fff
            guard let slot = indices[versionIndex] else { continue }
            let symbol = symtab + index * entrySize
            // Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, ...; SHN_UNDEF = 0 means "imported".
            guard try reader.u16(symbol + 6) == 0 else { continue }
            let name = try strings.string(at: UInt64(try reader.u32(symbol)))
            if !name.isEmpty { requirements[slot].symbols.append(name) }
        }
    }
}

/// Maps virtual addresses (what DT_* entries hold) to file offsets through PT_LOAD segments,
/// or through section headers when a file has no program headers.
private struct AddressTranslator {
    let loads: [ProgramHeader]
    let sections: [SectionHeader]

    func offset(of address: UInt64, reader: ELFByteReader) throws(ELFError) -> Int {
        for load in loads where address >= load.virtualAddress && address - load.virtualAddress < UInt64(load.fileSize) {
            return try elfAdd(load.offset, Int(address - load.virtualAddress))
        }
        for section in sections where section.address != 0
            && address >= section.address && address - section.address < UInt64(section.size) {
            return try elfAdd(section.offset, Int(address - section.address))
        }
        throw .malformed(String(format: "address 0x%llx is not in any loaded segment", address))
    }
}

/// The dynamic string table (DT_STRTAB, DT_STRSZ).
private struct StringTable {
    let reader: ELFByteReader
    let start: Int
    let end: Int

    func string(at offset: UInt64) throws(ELFError) -> String {
        guard offset < UInt64(end - start) else {
            throw .malformed("string offset \(offset) is outside the dynamic string table")
        }
        return try reader.cString(at: start + Int(offset), end: end)
    }
}
