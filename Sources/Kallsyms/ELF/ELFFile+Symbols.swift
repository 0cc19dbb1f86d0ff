extension ELFFile {
    /// Reads the symbol table: `.symtab`, or `.dynsym` when there is none.
    ///
    /// Each local symbol is attributed to the source file named by the nearest
    /// `STT_FILE` symbol before it; that is how two `static` functions with one
    /// name in different files are told apart.
    ///
    /// - Returns: All symbols in table order.
    /// - Throws: `.malformedELF` when there is no symbol table, or when it, its
    ///   string table or `.symtab_shndx` is out of range or inconsistent.
    func symbols() throws(KallsymsError) -> ELFSymbolTable {
        guard let table = sections.first(where: { $0.type == .symtab })
                ?? sections.first(where: { $0.type == .dynsym }) else {
            throw malformed("the file has no symbol table (.symtab or .dynsym)",
                            hint: "the file was stripped; use the unstripped file (for a kernel, vmlinux from the -dbg package)")
        }
        let layout = try symbolLayout(of: table)
        let strings = try contents(of: try section(linkedBy: table.link, from: table, field: "sh_link"))
        let extended = try extendedSectionIndices(for: table)

        var symbols: [ELFSymbol] = []
        symbols.reserveCapacity(layout.count)
        var fileNames: [String] = []
        var currentFile: String?
        // Section names are looked up for every symbol; one array read each.
        let sectionNames = sections.map(\.name)
        for index in 0..<layout.count {
            let raw = layout.entry(index)
            let nameOffset = raw.name
            var name = ""
            if nameOffset != 0 {
                guard let text = strings.string(at: Int(nameOffset)) else {
                    throw malformed(
                        "symbol \(index) in \(table.label): st_name \(nameOffset) is not a terminated string inside its string table (\(strings.count) bytes)")
                }
                name = text
            }
            var sectionIndex = UInt32(raw.sectionIndex)
            if sectionIndex == ELFSpecialSection.extendedIndex, let extended {
                guard let real = extended.u32(at: index * 4) else {
                    throw malformed("symbol \(index) in \(table.label) has SHN_XINDEX, but .symtab_shndx has no entry for it")
                }
                sectionIndex = real
            }
            let type = ELFSymbolType(rawValue: raw.info & 0xF)
            let binding = ELFSymbolBinding(rawValue: raw.info >> 4)
            var file: String?
            if binding == .local {
                if type == .file {
                    currentFile = name.isEmpty ? nil : name
                    if !name.isEmpty { fileNames.append(name) }
                }
                file = currentFile
            }
            let isSection = sectionIndex != ELFSpecialSection.undefined && sectionIndex < ELFSpecialSection.lowReserve
                && Int(sectionIndex) < sectionNames.count
            symbols.append(ELFSymbol(
                index: index, name: name, value: raw.value, size: raw.size, type: type, binding: binding,
                visibility: raw.other & 3, sectionIndex: sectionIndex,
                sectionName: isSection ? sectionNames[Int(sectionIndex)] : nil, file: file))
        }
        return ELFSymbolTable(sectionName: table.name, symbols: symbols, fileNames: fileNames)
    }

    /// Where the entries of a symbol table are and how big each is.
    struct SymbolLayout {
        let bytes: ELFByteReader
        let entrySize: Int
        let count: Int
        let is64: Bool

        /// Entry `index`'s raw fields; `index < count`, so the read is inside `bytes`.
        func entry(_ index: Int) -> (name: UInt32, info: UInt8, other: UInt8, sectionIndex: UInt16, value: UInt64, size: UInt64) {
            let at = index * entrySize
            if is64 {
                return (bytes.u32(at: at)!, bytes.u8(at: at + 4)!, bytes.u8(at: at + 5)!, bytes.u16(at: at + 6)!,
                        bytes.u64(at: at + 8)!, bytes.u64(at: at + 16)!)
            }
            return (bytes.u32(at: at)!, bytes.u8(at: at + 12)!, bytes.u8(at: at + 13)!, bytes.u16(at: at + 14)!,
                    UInt64(bytes.u32(at: at + 4)!), UInt64(bytes.u32(at: at + 8)!))
        }
    }

    /// Checks a symbol table's entry size and finds its entries.
    func symbolLayout(of table: ELFSection) throws(KallsymsError) -> SymbolLayout {
        let standard = is64Bit ? 24 : 16
        let entrySize = table.entrySize == 0 ? UInt64(standard) : table.entrySize
        guard entrySize >= UInt64(standard), entrySize <= 1 << 16 else {
            throw malformed("\(table.label): sh_entsize is \(table.entrySize); an \(is64Bit ? "ELF64" : "ELF32") symbol needs \(standard) bytes")
        }
        let bytes = try contents(of: table)
        // Whole entries only: a trailing partial entry is ignored, as readelf does.
        return SymbolLayout(bytes: bytes, entrySize: Int(entrySize), count: bytes.count / Int(entrySize), is64: is64Bit)
    }

    /// The `.symtab_shndx` section that belongs to `table`, if there is one.
    func extendedSectionIndices(for table: ELFSection) throws(KallsymsError) -> ELFByteReader? {
        guard let section = sections.first(where: {
            $0.type == .symtabSectionIndices && Int($0.link) == table.index
        }) else { return nil }
        return try contents(of: section)
    }
}
