/// Finds the source file of index entries from the ELF files users already
/// have: the vmlinux (or a `.ko`) that the symbol table came from.
///
/// - **vmlinux** (an executable): an ELF symbol names an index entry with
///   the same name at the same address, after correcting for the KASLR slide
///   (the difference between `_stext` in the table and in the ELF). A local
///   symbol's file is the `STT_FILE` before it. With DWARF, every vmlinux
///   entry whose address lies in a compile unit gets that unit's path, which
///   is more precise than the bare file name `STT_FILE` usually holds.
/// - **A module** (`.ko`, relocatable): symbol values are section offsets.
///   Each section's load address is found from the module's symbols whose
///   name is unique in both the ELF file and the index (address minus
///   offset, by majority), and then every symbol's address is known. DWARF
///   ranges are section-relative and map the same way.
///
/// Paths are canonicalized once per distinct name (``SourcePath``).
struct Attributor {
    let storage: IndexStorage
    let sourceRoot: String?
    private var canonicalNames: [String: String] = [:]
    private var canonicalUnits: [Int: String] = [:]

    init(storage: IndexStorage, sourceRoot: String?) {
        self.storage = storage
        self.sourceRoot = sourceRoot
    }

    /// Attributes the entries an ELF file describes.
    mutating func attribute(elfAt path: String, into origins: inout SymbolOrigins.Builder) throws(KallsymsError) {
        let elf = try ELFFile(path: path)
        let table = try elf.symbols()
        if elf.type == .relocatable {
            try attributeModule(elf, table, path: path, into: &origins)
        } else {
            try attributeKernel(elf, table, path: path, into: &origins)
        }
    }

    // MARK: - vmlinux

    private mutating func attributeKernel(_ elf: ELFFile, _ table: ELFSymbolTable, path: String,
                                          into origins: inout SymbolOrigins.Builder) throws(KallsymsError) {
        let slide = kaslrSlide(table)
        guard let slide else {
            throw KallsymsError(
                code: .malformedELF, source: path,
                message: "no symbol of this ELF file is in the symbol table at a consistent address",
                hint: "pass the vmlinux of the kernel the symbol table came from (with its symbol table, not stripped)")
        }
        matchByAddress(table, region: 0, address: { $0.value &+ slide }, into: &origins)
        guard DWARFCompileUnits.hasDebugInfo(elf) else { return }
        let ranges = try DWARFCompileUnits(elf).ranges()
        guard !ranges.isEmpty else { return }
        for entry in storage.searchableEntries(inRegion: 0).joined() {
            let address = storage.address(of: entry) &- slide
            guard let range = DWARFAddressRange.range(containing: address, in: ranges) else { continue }
            origins.setFile(canonicalUnit(range), of: entry, from: .debugInfo)
        }
    }

    /// The table's address minus the ELF file's for vmlinux: nonzero under KASLR.
    private func kaslrSlide(_ table: ELFSymbolTable) -> UInt64? {
        for anchor in ["_stext", "_text", "startup_64", "_sinittext"] {
            guard let symbol = table.symbols(named: anchor).first(where: { $0.isInSection }),
                  let entry = entries(named: anchor, region: 0).first else { continue }
            return storage.address(of: entry) &- symbol.value
        }
        // No anchor: the most common difference among names that are unique on both sides.
        var votes: [UInt64: Int] = [:]
        var tried = 0
        for symbol in table.symbols where isAttributable(symbol) && tried < 2000 {
            let found = entries(named: symbol.name, region: 0)
            guard found.count == 1 else { continue }
            tried += 1
            votes[storage.address(of: found[0]) &- symbol.value, default: 0] += 1
        }
        guard let best = votes.max(by: { $0.value < $1.value }), best.value * 2 > tried else { return nil }
        return best.key
    }

    // MARK: - Modules

    private mutating func attributeModule(_ elf: ELFFile, _ table: ELFSymbolTable, path: String,
                                          into origins: inout SymbolOrigins.Builder) throws(KallsymsError) {
        let name = try moduleName(elf, path: path)
        guard let region = storage.region(named: name), region != 0 else {
            let loaded = storage.regions.compactMap { $0?.name }.filter { !$0.hasPrefix("__builtin__") && $0 != "bpf" }
            throw KallsymsError(
                code: .malformedELF, source: path,
                message: "module \"\(name)\" is not in the symbol table"
                    + (loaded.isEmpty ? " (it lists no modules)" : "; its modules are \(loaded.joined(separator: ", "))"),
                hint: "pass the .ko of a module that was loaded when the table was read, or a table read while it was loaded")
        }
        // Section load addresses from names unique on both sides.
        var counts: [String: Int] = [:]
        for symbol in table.symbols where isAttributable(symbol) { counts[symbol.name, default: 0] += 1 }
        var votes: [UInt32: [UInt64: Int]] = [:]
        for symbol in table.symbols where isAttributable(symbol) && counts[symbol.name] == 1 {
            let found = entries(named: symbol.name, region: region)
            guard found.count == 1 else { continue }
            votes[symbol.sectionIndex, default: [:]][storage.address(of: found[0]) &- symbol.value, default: 0] += 1
        }
        var sectionBase: [UInt32: UInt64] = [:]
        for (section, candidates) in votes {
            if let best = candidates.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) {
                sectionBase[section] = best.key
            }
        }
        guard !sectionBase.isEmpty else {
            throw KallsymsError(
                code: .malformedELF, source: path,
                message: "none of this module's symbols is in the symbol table under [\(name)]",
                hint: "pass the .ko built with the running kernel; a rebuilt module has different symbols")
        }
        matchByAddress(table, region: region, address: { symbol in
            sectionBase[symbol.sectionIndex].map { $0 &+ symbol.value }
        }, into: &origins)
        guard DWARFCompileUnits.hasDebugInfo(elf) else { return }
        let ranges = try DWARFCompileUnits(elf).ranges()
        guard !ranges.isEmpty else { return }
        // Placed sections, to turn an address back into (section, offset).
        let placed: [(base: UInt64, end: UInt64, section: Int)] = sectionBase.compactMap { section, base in
            guard Int(section) < elf.sections.count else { return nil }
            return (base, base &+ max(elf.sections[Int(section)].size, 1), Int(section))
        }.sorted { $0.base < $1.base }
        for entry in storage.searchableEntries(inRegion: region).joined() {
            let address = storage.address(of: entry)
            guard let section = placed.last(where: { $0.base <= address }), address < section.end,
                  let range = DWARFAddressRange.range(containing: address &- section.base, sectionIndex: section.section,
                                                      in: ranges) else { continue }
            origins.setFile(canonicalUnit(range), of: entry, from: .debugInfo)
        }
    }

    /// The module's name: `name=` in `.modinfo`, else the file name without `.ko`.
    private func moduleName(_ elf: ELFFile, path: String) throws(KallsymsError) -> String {
        if let section = elf.section(named: ".modinfo") {
            let contents = try elf.contents(of: section).copyBytes()
            for field in contents.split(separator: 0) where field.starts(with: Array("name=".utf8)) {
                return String(decoding: field.dropFirst(5), as: UTF8.self)
            }
        }
        var file = Substring(path.split(separator: "/").last ?? Substring(path))
        for suffix in [".gz", ".xz", ".zst"] where file.hasSuffix(suffix) { file = file.dropLast(suffix.count) }
        if file.hasSuffix(".ko") { file = file.dropLast(3) }
        // The kernel names modules with underscores where files may have dashes.
        return file.replacingOccurrences(of: Character("-"), with: Character("_"))
    }

    // MARK: - Helpers

    /// Gives each entry of `region` the `STT_FILE` of the ELF symbol with its
    /// name at its address. Both sides are walked in address order, so the
    /// work is linear even when a name has thousands of copies.
    private mutating func matchByAddress(_ table: ELFSymbolTable, region: Int, address: (ELFSymbol) -> UInt64?,
                                         into origins: inout SymbolOrigins.Builder) {
        var located: [(address: UInt64, symbol: Int)] = []
        for (position, symbol) in table.symbols.enumerated() where symbol.file != nil && isAttributable(symbol) {
            if let placed = address(symbol) { located.append((placed, position)) }
        }
        located.sort { $0.address < $1.address }
        var next = 0
        for entry in storage.searchableEntries(inRegion: region).joined() {
            let entryAddress = storage.address(of: entry)
            while next < located.count && located[next].address < entryAddress { next += 1 }
            var candidate = next
            while candidate < located.count && located[candidate].address == entryAddress {
                let symbol = table.symbols[located[candidate].symbol]
                let sameName = storage.names.withName(entry) { $0.elementsEqual(symbol.name.utf8) }
                if sameName {
                    origins.setFile(canonicalName(symbol.file!), of: entry, from: .symbolTable)
                    break
                }
                candidate += 1
            }
        }
    }

    /// Functions and objects in a real section, with a name, that the index
    /// can hold (folded `__pfx_` padding shares its function's file anyway).
    private func isAttributable(_ symbol: ELFSymbol) -> Bool {
        symbol.isInSection && !symbol.name.isEmpty && symbol.type != .section && symbol.type != .file
            && !symbol.name.hasPrefix("__pfx_")
    }

    /// The entries (not folded prefixes) named `name` in `region`.
    func entries(named name: String, region: Int) -> [Int] {
        storage.matches(named: name, region: region).compactMap { $0.rawValue & 1 != 0 ? nil : Int($0.rawValue >> 1) }
    }

    private mutating func canonicalName(_ file: String) -> String {
        if let known = canonicalNames[file] { return known }
        let canonical = SourcePath.canonical(file, sourceRoot: sourceRoot)
        canonicalNames[file] = canonical
        return canonical
    }

    private mutating func canonicalUnit(_ range: DWARFAddressRange) -> String {
        if let known = canonicalUnits[range.unitOffset] { return known }
        let canonical = SourcePath.canonical(unitName: range.unitName ?? "<unnamed>", compDir: range.compDir,
                                             sourceRoot: sourceRoot)
        canonicalUnits[range.unitOffset] = canonical
        return canonical
    }
}

extension Substring {
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
