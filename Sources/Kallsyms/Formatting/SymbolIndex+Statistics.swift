extension SymbolIndex {
    /// Counts that describe an index: what `kallsyms stats` prints.
    public struct Statistics: Sendable {
        /// All symbols.
        public var symbols: Int
        /// Symbols of vmlinux (no module column), absolute ones included.
        public var vmlinuxSymbols: Int
        /// Symbols in loadable modules.
        public var moduleSymbols: Int
        /// Symbols in `[bpf]`, `[__builtin__ftrace]` and `[__builtin__kprobes]`.
        public var pseudoModuleSymbols: Int
        /// Absolute and per-cpu symbols, which resolve by name only.
        public var absoluteSymbols: Int
        /// Symbols at addresses the kernel would not symbolize (see ``KernelCoverage``).
        public var unsymbolizableSymbols: Int
        /// `__pfx_` padding symbols stored as a flag on the function they pad.
        public var foldedPrefixSymbols: Int
        /// Loadable modules.
        public var modules: Int
        /// Pseudo-modules.
        public var pseudoModules: Int
        /// Symbols per type letter, most common first.
        public var byType: [(type: SymbolType, count: Int)]
        /// Symbols per module, in the input's order; nil is vmlinux.
        public var byModule: [(module: Module?, count: Int)]
        /// Names held by more than one symbol.
        public var duplicateNames: Int
        /// Symbols whose name is held by another symbol too.
        public var symbolsWithDuplicateNames: Int
        /// How vmlinux addresses are bounded.
        public var kernelCoverage: KernelCoverage
        /// Bytes of memory the index holds.
        public var residentBytes: Int
        /// ``residentBytes`` per symbol.
        public var bytesPerSymbol: Double
    }

    /// Computes the counts (walks the index once; duplicates take a few milliseconds).
    public func statistics() -> Statistics {
        var byTypeCode = [Int](repeating: 0, count: 32)
        var byRegion = [Int](repeating: 0, count: storage.regions.count)
        var unsymbolizable = 0
        var folded = 0
        var runIndex = 0
        for entry in 0..<storage.entryCount {
            while runIndex + 1 < storage.regionRunStarts.count && Int(storage.regionRunStarts[runIndex + 1]) <= entry {
                runIndex += 1
            }
            let region = Int(storage.regionRunRegions[runIndex])
            let copies = storage.hasPrefix(entry) ? 2 : 1
            byTypeCode[Int(storage.flags[entry] & IndexStorage.Flags.typeMask)] += copies
            byRegion[region] += copies
            folded += copies - 1
            if entry < storage.searchableCount && storage.flags[entry] & IndexStorage.Flags.specialExtent != 0
                && storage.extents.extent(of: entry).kind == .notSymbolizable {
                unsymbolizable += storage.groupLast(entry) - storage.groupFirst(entry) + 1
            }
        }
        let duplicates = duplicateNames()
        var moduleSymbols = 0
        var pseudoSymbols = 0
        for (region, module) in storage.regions.enumerated() {
            guard let module else { continue }
            if module.isPseudoModule { pseudoSymbols += byRegion[region] } else { moduleSymbols += byRegion[region] }
        }
        let byType = byTypeCode.enumerated().filter { $0.element > 0 }
            .map { (type: SymbolType(code: UInt8($0.offset)), count: $0.element) }
            .sorted { $0.count > $1.count || ($0.count == $1.count && $0.type.asciiLetter < $1.type.asciiLetter) }
        return Statistics(
            symbols: count,
            vmlinuxSymbols: byRegion[0],
            moduleSymbols: moduleSymbols,
            pseudoModuleSymbols: pseudoSymbols,
            absoluteSymbols: storage.entryCount - storage.searchableCount,
            unsymbolizableSymbols: unsymbolizable,
            foldedPrefixSymbols: folded,
            modules: storage.regions.filter { $0.map { !$0.isPseudoModule } ?? false }.count,
            pseudoModules: storage.regions.filter { $0?.isPseudoModule ?? false }.count,
            byType: byType,
            byModule: storage.regions.enumerated().map { (module: $0.element, count: byRegion[$0.offset]) },
            duplicateNames: duplicates.count,
            symbolsWithDuplicateNames: duplicates.reduce(0) { $0 + $1.symbols.count },
            kernelCoverage: storage.kernelCoverage,
            residentBytes: residentBytes,
            bytesPerSymbol: bytesPerSymbol)
    }
}
