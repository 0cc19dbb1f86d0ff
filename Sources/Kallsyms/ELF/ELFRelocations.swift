/// The relocations of a relocatable object (`ET_REL`, such as a `.ko`) that
/// apply to one section, looked up by offset within that section.
///
/// Debug sections of an object file hold zeros (RELA) or addends (REL) where
/// other sections' offsets belong: the name of a compile unit is "offset 0 in
/// `.debug_str`, plus an addend of 0x2a" until relocated. Only plain absolute
/// relocations (`R_X86_64_64`, `R_X86_64_32`, `R_AARCH64_ABS64`, …) are
/// resolved, which is what debug sections use; any other type is ignored.
///
/// Nothing is copied: lookups binary-search the entries where they lie in the
/// file. Only when a file's entries are not sorted by offset (rare) is an
/// index of entry numbers built, 4 bytes an entry.
struct ELFRelocations: Sendable {
    /// A relocated value: the target symbol's value plus the addend, and the
    /// section that symbol is in (nil for absolute and undefined symbols).
    struct Resolved: Sendable, Hashable {
        var value: UInt64
        var sectionIndex: Int?
    }

    private let entries: ELFByteReader
    private let entrySize: Int
    /// How many relocations there are.
    let count: Int
    private let isRela: Bool
    private let is64: Bool
    private let machine: ELFMachine
    private let symbols: ELFFile.SymbolLayout
    private let extended: ELFByteReader?
    private let sectionCount: Int
    /// Entry numbers sorted by offset, only when the file's order is not sorted.
    private let order: [UInt32]?
    private let source: String
    private let label: String

    init(file: ELFFile, relocationSection section: ELFSection) throws(KallsymsError) {
        isRela = section.type == .rela
        is64 = file.is64Bit
        machine = file.machine
        source = file.source
        label = section.label
        sectionCount = file.sections.count
        let standard = (is64 ? 8 : 4) * (isRela ? 3 : 2)
        let size = section.entrySize == 0 ? UInt64(standard) : section.entrySize
        guard size >= UInt64(standard), size <= 1 << 16 else {
            throw file.malformed("\(section.label): sh_entsize is \(section.entrySize); a relocation needs \(standard) bytes")
        }
        entrySize = Int(size)
        entries = try file.contents(of: section)
        count = entries.count / entrySize
        let symbolTable = try file.section(linkedBy: section.link, from: section, field: "sh_link")
        guard symbolTable.type == .symtab || symbolTable.type == .dynsym else {
            throw file.malformed("\(section.label): sh_link \(section.link) names \(symbolTable.label), which is not a symbol table")
        }
        symbols = try file.symbolLayout(of: symbolTable)
        extended = try file.extendedSectionIndices(for: symbolTable)

        // Assemblers write relocations in offset order; check rather than assume.
        var sorted = true
        var previous: UInt64 = 0
        for i in 0..<count {
            let offset = ELFRelocations.offset(entries, i * entrySize, is64: is64)
            if offset < previous { sorted = false; break }
            previous = offset
        }
        if sorted {
            order = nil
        } else {
            let entries = self.entries, entrySize = self.entrySize, is64 = self.is64
            order = (0..<UInt32(count)).sorted {
                ELFRelocations.offset(entries, Int($0) * entrySize, is64: is64)
                    < ELFRelocations.offset(entries, Int($1) * entrySize, is64: is64)
            }
        }
    }

    /// The relocated value of the `size`-byte field at `offset`, or nil when no
    /// supported relocation applies there.
    ///
    /// - Parameters:
    ///   - offset: The field's offset in the relocated section.
    ///   - inPlace: The bytes already in the field; REL relocations add them.
    /// - Throws: `.malformedELF` when the relocation names a symbol that does not exist.
    func resolve(at offset: Int, inPlace: UInt64) throws(KallsymsError) -> Resolved? {
        guard count > 0, offset >= 0 else { return nil }
        let wanted = UInt64(offset)
        // The first entry whose offset is >= wanted.
        var low = 0, high = count
        while low < high {
            let middle = (low &+ high) &>> 1
            if self.offset(ofEntry: middle) < wanted { low = middle &+ 1 } else { high = middle }
        }
        guard low < count, self.offset(ofEntry: low) == wanted else { return nil }
        let at = entryPosition(low)

        let info = is64 ? entries.u64(at: at + 8)! : UInt64(entries.u32(at: at + 4)!)
        let type = is64 ? UInt32(truncatingIfNeeded: info) : UInt32(info & 0xFF)
        let symbolIndex = is64 ? Int(info >> 32) : Int(info >> 8)
        guard let width = ELFRelocations.absoluteWidth(type: type, machine: machine) else { return nil }
        var addend: UInt64
        if isRela {
            addend = is64 ? entries.u64(at: at + 16)! : UInt64(bitPattern: Int64(Int32(bitPattern: entries.u32(at: at + 8)!)))
        } else {
            addend = inPlace
        }
        guard symbolIndex < symbols.count else {
            throw KallsymsError(
                code: .malformedELF, source: source,
                message: "\(label): relocation \(low) at offset 0x\(String(wanted, radix: 16)) names symbol \(symbolIndex), but the symbol table has \(symbols.count) entries",
                hint: "the file is corrupt; `readelf -r` shows its relocations")
        }
        var symbolValue: UInt64 = 0
        var sectionIndex: Int?
        if symbolIndex != 0 {
            let symbol = symbols.entry(symbolIndex)
            symbolValue = symbol.value
            var shndx = UInt32(symbol.sectionIndex)
            if shndx == ELFSpecialSection.extendedIndex, let real = extended?.u32(at: symbolIndex * 4) {
                shndx = real
            }
            if shndx != ELFSpecialSection.undefined && shndx < ELFSpecialSection.lowReserve && Int(shndx) < sectionCount {
                sectionIndex = Int(shndx)
            }
        }
        if width == 4 && !isRela { addend &= 0xFFFF_FFFF }
        var value = symbolValue &+ addend
        if width == 4 { value &= 0xFFFF_FFFF }
        return Resolved(value: value, sectionIndex: sectionIndex)
    }

    @inline(__always)
    private func entryPosition(_ sortedIndex: Int) -> Int {
        (order.map { Int($0[sortedIndex]) } ?? sortedIndex) * entrySize
    }

    @inline(__always)
    private func offset(ofEntry sortedIndex: Int) -> UInt64 {
        ELFRelocations.offset(entries, entryPosition(sortedIndex), is64: is64)
    }

    /// `r_offset` of the entry at byte `position`; `position` is a whole entry inside `entries`.
    @inline(__always)
    private static func offset(_ entries: ELFByteReader, _ position: Int, is64: Bool) -> UInt64 {
        is64 ? entries.u64(at: position)! : UInt64(entries.u32(at: position)!)
    }

    /// The width in bytes of an absolute data relocation, or nil for any other type.
    static func absoluteWidth(type: UInt32, machine: ELFMachine) -> Int? {
        switch (machine, type) {
        case (.x86_64, 1): return 8           // R_X86_64_64
        case (.x86_64, 10), (.x86_64, 11): return 4  // R_X86_64_32, R_X86_64_32S
        case (.i386, 1): return 4             // R_386_32
        case (.aarch64, 257): return 8        // R_AARCH64_ABS64
        case (.aarch64, 258): return 4        // R_AARCH64_ABS32
        case (.arm, 2): return 4              // R_ARM_ABS32
        case (.riscv, 1), (.loongArch, 1): return 4  // R_RISCV_32, R_LARCH_32
        case (.riscv, 2), (.loongArch, 2): return 8  // R_RISCV_64, R_LARCH_64
        case (.powerPC64, 38): return 8       // R_PPC64_ADDR64
        case (.powerPC64, 1), (.powerPC, 1): return 4  // R_PPC_ADDR32
        case (.s390, 4): return 4             // R_390_32
        case (.s390, 22): return 8            // R_390_64
        default: return nil
        }
    }
}

extension ELFFile {
    /// The relocations that apply to `section`, when this is a relocatable
    /// object and a `SHT_RELA` or `SHT_REL` section targets it; else nil.
    func relocations(for section: ELFSection) throws(KallsymsError) -> ELFRelocations? {
        guard type == .relocatable, let relocationSection = sections.first(where: {
            ($0.type == .rela || $0.type == .rel) && Int($0.info) == section.index
        }) else { return nil }
        return try ELFRelocations(file: self, relocationSection: relocationSection)
    }
}
