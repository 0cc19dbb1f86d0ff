/// An ELF file (ELF32 or ELF64, either byte order): its header and section
/// headers, with the contents of any section on demand.
///
/// Opening a path maps the file instead of reading it, so a 600 MB `vmlinux`
/// costs only the pages of the headers and of the sections that are asked for.
/// A `.gz` path (a compressed `.ko.gz`) is inflated into memory first.
///
/// Every field read from the file is checked before it is used: a truncated or
/// lying file throws ``KallsymsError/Code/malformedELF`` naming the field, its
/// offset and what was wrong, and a size field can never make the reader
/// allocate more than the file (or, for compressed sections, `inflateLimit`)
/// justifies.
struct ELFFile: Sendable {
    /// ELF class: the size of addresses and of the file's structures.
    enum FileClass: Sendable { case elf32, elf64 }
    /// ELF data encoding: the byte order of every multi-byte field.
    enum ByteOrder: Sendable { case littleEndian, bigEndian }

    /// Default cap on a decompressed section or an inflated `.gz` file (4 GiB).
    static let defaultInflateLimit = 1 << 32

    /// The path, or the name given for bytes in memory; used in errors.
    let source: String
    let fileClass: FileClass
    let byteOrder: ByteOrder
    let type: ELFFileType
    let machine: ELFMachine
    /// `EI_OSABI`.
    let osABI: UInt8
    /// `e_entry`.
    let entry: UInt64
    /// The section header table, in index order (index 0 is the null section).
    let sections: [ELFSection]
    /// The largest size any section may inflate to.
    let inflateLimit: Int
    /// The whole file.
    let file: ELFByteReader

    var is64Bit: Bool { fileClass == .elf64 }
    var isBigEndian: Bool { byteOrder == .bigEndian }
    /// Bytes in an address: 4 or 8.
    var addressSize: Int { is64Bit ? 8 : 4 }

    /// Opens the ELF file at `path`: mapped read-only, or inflated when the name ends in `.gz`.
    ///
    /// - Parameters:
    ///   - path: A `vmlinux`, a `.ko`, a `.ko.gz`, or any other ELF file.
    ///   - inflateLimit: The most bytes a `.gz` file or one compressed section may inflate to.
    /// - Throws: `KallsymsError` with code `.io` when the file cannot be read,
    ///   `.compression` or `.inputTooLarge` for a bad `.gz`, `.malformedELF` for a bad header.
    init(path: String, inflateLimit: Int = ELFFile.defaultInflateLimit) throws(KallsymsError) {
        if path.hasSuffix(".gz") {
            try self.init(bytes: InputBytes.read(path: path, limit: inflateLimit), source: path,
                          inflateLimit: inflateLimit)
            return
        }
        let handle = try SystemFile(opening: path)
        let buffer: ELFBuffer
        if let size = handle.sizeHint {
            buffer = try ELFBuffer(mapping: handle, size: size)
        } else {
            // A pipe or a /proc file cannot be mapped; such files are small.
            buffer = ELFBuffer(copying: try handle.readAll(limit: inflateLimit))
        }
        try self.init(buffer: buffer, source: path, inflateLimit: inflateLimit)
    }

    /// Reads an ELF file that is already in memory (tests, an inflated `.ko.gz`).
    ///
    /// - Parameters:
    ///   - bytes: The whole file. They are copied once.
    ///   - source: A name for errors.
    ///   - inflateLimit: The most bytes one compressed section may inflate to.
    /// - Throws: `KallsymsError` with code `.malformedELF` for a bad header.
    init(bytes: [UInt8], source: String, inflateLimit: Int = ELFFile.defaultInflateLimit) throws(KallsymsError) {
        try self.init(buffer: ELFBuffer(copying: bytes), source: source, inflateLimit: inflateLimit)
    }

    private init(buffer: ELFBuffer, source: String, inflateLimit: Int) throws(KallsymsError) {
        self.source = source
        self.inflateLimit = inflateLimit
        var file = ELFByteReader(buffer, isBigEndian: false)

        guard file.hasPrefix([0x7F, 0x45, 0x4C, 0x46]) else {
            throw ELFFile.malformed(
                source, file.count < 4
                    ? "file is \(file.count) bytes long, too short for the ELF magic"
                    : "not an ELF file: it does not start with the bytes 7f 45 4c 46 (\"\\x7fELF\")",
                hint: "pass a vmlinux, a kernel module (.ko, .ko.gz) or another ELF file")
        }
        guard let identClass = file.u8(at: 4), let identData = file.u8(at: 5), let abi = file.u8(at: 7) else {
            throw ELFFile.malformed(source, "file ends inside the ELF identification (\(file.count) bytes)")
        }
        switch identClass {
        case 1: fileClass = .elf32
        case 2: fileClass = .elf64
        default: throw ELFFile.malformed(source, "EI_CLASS at offset 4 is \(identClass); expected 1 (ELF32) or 2 (ELF64)")
        }
        switch identData {
        case 1: byteOrder = .littleEndian
        case 2: byteOrder = .bigEndian
        default: throw ELFFile.malformed(source, "EI_DATA at offset 5 is \(identData); expected 1 (little endian) or 2 (big endian)")
        }
        osABI = abi
        file = file.withByteOrder(bigEndian: identData == 2)
        self.file = file

        let is64 = identClass == 2
        let headerSize = is64 ? 64 : 52
        guard file.count >= headerSize else {
            throw ELFFile.malformed(source, "file is \(file.count) bytes long, shorter than the \(headerSize)-byte ELF header")
        }
        // The header fits, so these reads cannot fail.
        type = ELFFileType(rawValue: file.u16(at: 16)!)
        machine = ELFMachine(rawValue: file.u16(at: 18)!)
        entry = is64 ? file.u64(at: 24)! : UInt64(file.u32(at: 24)!)
        let sectionTableOffset = is64 ? file.u64(at: 40)! : UInt64(file.u32(at: 32)!)
        let sectionEntrySize = Int(file.u16(at: is64 ? 58 : 46)!)
        var sectionCount = UInt64(file.u16(at: is64 ? 60 : 48)!)
        var namesIndex = UInt32(file.u16(at: is64 ? 62 : 50)!)

        guard sectionTableOffset != 0 else {
            // No section header table (a stripped core or a loader-only image).
            sections = []
            return
        }
        let minimumEntrySize = is64 ? 64 : 40
        guard sectionEntrySize >= minimumEntrySize else {
            throw ELFFile.malformed(source, "e_shentsize is \(sectionEntrySize); an \(is64 ? "ELF64" : "ELF32") section header needs \(minimumEntrySize) bytes")
        }
        guard sectionTableOffset <= UInt64(file.count), Int(sectionTableOffset) <= file.count - sectionEntrySize else {
            throw ELFFile.malformed(
                source, "e_shoff 0x\(String(sectionTableOffset, radix: 16)) puts the section header table past the end of the file (\(file.count) bytes)",
                hint: "the file is probably truncated; compare its size with the original")
        }
        let tableStart = Int(sectionTableOffset)
        // Section 0 carries the real count and name-table index when they do not fit in 16 bits.
        let zero = try ELFFile.header(file, table: tableStart, index: 0, entrySize: sectionEntrySize, is64: is64, source: source)
        if sectionCount == 0 { sectionCount = zero.size }
        if namesIndex == ELFSpecialSection.extendedIndex { namesIndex = zero.link }
        let room = UInt64((file.count - tableStart) / sectionEntrySize)
        guard sectionCount <= room else {
            throw ELFFile.malformed(
                source, "the header says there are \(sectionCount) sections at offset 0x\(String(tableStart, radix: 16)), but only \(room) section headers fit before the end of the file",
                hint: "the file is probably truncated or corrupt")
        }
        let count = Int(sectionCount)
        guard namesIndex < sectionCount || namesIndex == 0 else {
            throw ELFFile.malformed(source, "e_shstrndx is \(namesIndex), but there are only \(count) sections")
        }

        var names: ELFByteReader?
        if namesIndex != 0 {
            let header = try ELFFile.header(file, table: tableStart, index: Int(namesIndex), entrySize: sectionEntrySize, is64: is64, source: source)
            guard header.type != ELFSectionType.nobits.rawValue,
                  let table = file.slice(at: header.offset, count: header.size) else {
                throw ELFFile.malformed(
                    source, "the section name table [\(namesIndex)] (offset 0x\(String(header.offset, radix: 16)), size 0x\(String(header.size, radix: 16))) lies outside the file (\(file.count) bytes)",
                    hint: "the file is probably truncated")
            }
            names = table
        }

        var sections: [ELFSection] = []
        sections.reserveCapacity(count)
        for index in 0..<count {
            let header = try ELFFile.header(file, table: tableStart, index: index, entrySize: sectionEntrySize, is64: is64, source: source)
            var name = ""
            if let names, index != 0 || header.name != 0 {
                guard let text = names.string(at: Int(header.name)) else {
                    throw ELFFile.malformed(
                        source, "section [\(index)]: sh_name \(header.name) is not a terminated string inside the section name table (\(names.count) bytes)")
                }
                name = text
            }
            sections.append(ELFSection(
                index: index, name: name, type: ELFSectionType(rawValue: header.type), flags: header.flags,
                address: header.address, offset: header.offset, size: header.size, link: header.link,
                info: header.info, alignment: header.alignment, entrySize: header.entrySize))
        }
        self.sections = sections
    }

    /// The first section called `name`, if any.
    func section(named name: String) -> ELFSection? {
        sections.first { $0.name == name }
    }

    /// The section at `index`, or nil when there is none.
    func section(at index: Int) -> ELFSection? {
        index >= 0 && index < sections.count ? sections[index] : nil
    }

    /// The section a header field such as `sh_link` points at, or an error naming the field.
    func section(linkedBy value: UInt32, from section: ELFSection, field: String) throws(KallsymsError) -> ELFSection {
        guard value != 0, let target = self.section(at: Int(value)) else {
            throw malformed("\(section.label): \(field) is \(value), which is not a section index (the file has \(sections.count) sections)")
        }
        return target
    }

    /// An error about this file.
    func malformed(_ message: String, hint: String? = nil) -> KallsymsError {
        ELFFile.malformed(source, message, hint: hint)
    }

    static func malformed(_ source: String, _ message: String, hint: String? = nil) -> KallsymsError {
        KallsymsError(code: .malformedELF, source: source, message: message,
                      hint: hint ?? "the file may be truncated or corrupt; `readelf -a` shows what it contains")
    }

    private typealias RawSectionHeader = (
        name: UInt32, type: UInt32, flags: UInt64, address: UInt64, offset: UInt64, size: UInt64,
        link: UInt32, info: UInt32, alignment: UInt64, entrySize: UInt64
    )

    /// One section header's fields, or nil when the entry does not lie inside the file.
    private static func rawHeader(_ file: ELFByteReader, at offset: Int, is64: Bool) -> RawSectionHeader? {
        if is64 {
            guard file.contains(offset, 64) else { return nil }
            return (file.u32(at: offset)!, file.u32(at: offset + 4)!, file.u64(at: offset + 8)!,
                    file.u64(at: offset + 16)!, file.u64(at: offset + 24)!, file.u64(at: offset + 32)!,
                    file.u32(at: offset + 40)!, file.u32(at: offset + 44)!, file.u64(at: offset + 48)!,
                    file.u64(at: offset + 56)!)
        }
        guard file.contains(offset, 40) else { return nil }
        return (file.u32(at: offset)!, file.u32(at: offset + 4)!, UInt64(file.u32(at: offset + 8)!),
                UInt64(file.u32(at: offset + 12)!), UInt64(file.u32(at: offset + 16)!),
                UInt64(file.u32(at: offset + 20)!), file.u32(at: offset + 24)!, file.u32(at: offset + 28)!,
                UInt64(file.u32(at: offset + 32)!), UInt64(file.u32(at: offset + 36)!))
    }

    private static func header(_ file: ELFByteReader, table: Int, index: Int, entrySize: Int, is64: Bool,
                               source: String) throws(KallsymsError) -> RawSectionHeader {
        guard let header = rawHeader(file, at: table + index * entrySize, is64: is64) else {
            throw malformed(source, "section header [\(index)] at offset 0x\(String(table + index * entrySize, radix: 16)) lies past the end of the file (\(file.count) bytes)")
        }
        return header
    }
}
