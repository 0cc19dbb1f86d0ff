/// Turns a ``ParsedTable`` into the columns of an ``IndexStorage``.
///
/// The steps, in order:
/// 1. Regions: vmlinux is region 0, each `[module]` its own region.
/// 2. Kernel coverage: which vmlinux addresses the kernel symbolizes, from
///    `_stext`, `_etext`, `_sinittext`, `_einittext` and `_end`.
/// 3. Absolute symbols (per-cpu offsets, `A` values below the kernel) are set
///    aside: they would otherwise stretch a region down to address 0.
/// 4. The rest is sorted by address, aliases ordered by the kernel's preference
///    with the preferred name last. vmlinux text is already sorted, so the sort
///    only has real work for modules.
/// 5. `__pfx_NAME` padding symbols are folded into `NAME`'s entry.
/// 6. Keys, segments, extents, names and the name hash table are written.
enum IndexBuilder {
    /// The symbolizable address ranges of one region, `end == nil` meaning unknown.
    struct Coverage {
        var ranges: [(start: UInt64, end: UInt64?)] = []

        func rangeIndex(_ address: UInt64) -> Int? {
            for (index, range) in ranges.enumerated()
            where address >= range.start && (range.end.map { address < $0 } ?? true) {
                return index
            }
            return nil
        }
    }

    private struct SortItem {
        var address: UInt64
        /// Higher sorts first among aliases; the preferred alias has the lowest cost and comes last.
        var tieBreak: UInt32
        var symbol: UInt32
    }

    static func build(_ table: ParsedTable, moduleLayout: ModuleLayout?) throws(KallsymsError) -> IndexStorage {
        let count = table.count

        // 1. Regions.
        var regions: [Module?] = [nil]
        var regionOfAnnotation = [UInt16](repeating: 0, count: table.annotations.count)
        var regionByName: [String: UInt16] = [:]
        for (annotationID, annotation) in table.annotations.enumerated() where annotationID > 0 {
            guard let moduleName = AnnotationParser.loadableModule(annotation) else { continue }
            if let known = regionByName[moduleName] {
                regionOfAnnotation[annotationID] = known
            } else {
                let region = UInt16(regions.count)
                regions.append(Module(name: moduleName))
                regionByName[moduleName] = region
                regionOfAnnotation[annotationID] = region
            }
        }
        var regionOfSymbol = [UInt16](repeating: 0, count: count)
        for symbol in 0..<count {
            regionOfSymbol[symbol] = regionOfAnnotation[Int(table.annotationIDs[symbol])]
        }

        // 2. Kernel coverage from the section markers.
        let markers = KernelMarkers(table, regionOfSymbol: regionOfSymbol)
        let isAbsoluteType: (Int) -> Bool = { SymbolType(code: table.typeCodes[$0]).isAbsolute }

        // 3. Absolute symbols: below the kernel's start in vmlinux, A/a below a module's code.
        var moduleLow = [UInt64](repeating: .max, count: regions.count)
        var moduleHigh = [UInt64](repeating: 0, count: regions.count)
        for symbol in 0..<count where regionOfSymbol[symbol] != 0 && !isAbsoluteType(symbol) {
            let region = Int(regionOfSymbol[symbol])
            moduleLow[region] = min(moduleLow[region], table.addresses[symbol])
            moduleHigh[region] = max(moduleHigh[region], table.addresses[symbol])
        }
        var kernelLow = markers.imageStart
        if kernelLow == nil {
            var lowest = UInt64.max
            for symbol in 0..<count where regionOfSymbol[symbol] == 0 && SymbolType(code: table.typeCodes[symbol]).isText {
                lowest = min(lowest, table.addresses[symbol])
            }
            if lowest != .max { kernelLow = lowest }
        }
        var isAbsolute = [Bool](repeating: false, count: count)
        for symbol in 0..<count {
            let region = Int(regionOfSymbol[symbol])
            let address = table.addresses[symbol]
            if region == 0 {
                isAbsolute[symbol] = kernelLow.map { address < $0 } ?? isAbsoluteType(symbol)
            } else {
                isAbsolute[symbol] = isAbsoluteType(symbol) && (address < moduleLow[region] || address > moduleHigh[region])
            }
        }

        var coverage = [Coverage](repeating: Coverage(), count: regions.count)
        let kernelCoverage = markers.coverage(table, regionOfSymbol: regionOfSymbol, isAbsolute: isAbsolute,
                                              fallbackStart: kernelLow)
        coverage[0] = kernelCoverage.ranges
        for region in 1..<max(regions.count, 1) where moduleLow[region] != .max {
            var end: UInt64?
            if let module = regions[region], let layout = moduleLayout?.module(named: module.name) {
                let layoutEnd = layout.base &+ layout.size
                if layout.base <= moduleLow[region] && layoutEnd > moduleHigh[region] { end = layoutEnd }
            }
            coverage[region].ranges = [(moduleLow[region], end)]
        }

        // 4. Sort by address; aliases by the kernel's preference, preferred last.
        var items: [SortItem] = []
        var absoluteItems: [SortItem] = []
        items.reserveCapacity(count)
        for symbol in 0..<count {
            let tieBreak: UInt32
            if regionOfSymbol[symbol] == 0 {
                tieBreak = ~kernelPreferenceCost(table, symbol)
            } else {
                // Modules: the kernel takes the first symbol in symbol-table (file) order.
                tieBreak = ~UInt32(truncatingIfNeeded: symbol)
            }
            let item = SortItem(address: table.addresses[symbol], tieBreak: tieBreak, symbol: UInt32(symbol))
            if isAbsolute[symbol] { absoluteItems.append(item) } else { items.append(item) }
        }
        sortByAddress(&items)
        sortByAddress(&absoluteItems)

        // 5. Fold `__pfx_` padding symbols into the function they pad.
        let prefixDistance = mostCommonPrefixDistance(table, items)
        var stored: [UInt32] = []  // parsed symbol of each searchable entry
        var storedHasPrefix: [Bool] = []
        stored.reserveCapacity(items.count)
        storedHasPrefix.reserveCapacity(items.count)
        var position = 0
        var pendingPrefix = false
        while position < items.count {
            let address = items[position].address
            var groupEnd = position + 1
            while groupEnd < items.count && items[groupEnd].address == address { groupEnd += 1 }
            let symbol = Int(items[position].symbol)
            if prefixDistance > 0, !pendingPrefix, groupEnd == position + 1, groupEnd < items.count,
               canFold(table, prefix: symbol, into: Int(items[groupEnd].symbol), distance: prefixDistance,
                       regionOfSymbol: regionOfSymbol, coverage: coverage) {
                pendingPrefix = true
            } else {
                for index in position..<groupEnd {
                    stored.append(items[index].symbol)
                    storedHasPrefix.append(index == position && pendingPrefix)
                }
                pendingPrefix = false
            }
            position = groupEnd
        }
        let searchableCount = stored.count
        for item in absoluteItems {
            stored.append(item.symbol)
            storedHasPrefix.append(false)
        }
        let entryCount = stored.count

        // 6. Keys and segments.
        var addresses = [UInt64](repeating: 0, count: searchableCount)
        var logicalStarts = [UInt64](repeating: 0, count: searchableCount)
        for entry in 0..<searchableCount {
            addresses[entry] = table.addresses[Int(stored[entry])]
            logicalStarts[entry] = storedHasPrefix[entry] ? addresses[entry] - UInt64(prefixDistance) : addresses[entry]
        }
        let search = AddressSearch(addresses: addresses, logicalStarts: logicalStarts)
        var segmentOfEntry = [UInt32](repeating: 0, count: searchableCount)
        for segment in 0..<search.segmentBases.count {
            for entry in Int(search.segmentStarts[segment])..<Int(search.segmentStarts[segment + 1]) {
                segmentOfEntry[entry] = UInt32(segment)
            }
        }

        // Flags and extents.
        var flags = [UInt8](repeating: 0, count: entryCount)
        for entry in 0..<entryCount {
            flags[entry] = table.typeCodes[Int(stored[entry])] | (storedHasPrefix[entry] ? IndexStorage.Flags.hasPrefix : 0)
        }
        var extents = ExtentTable()
        var entry = 0
        while entry < searchableCount {
            var last = entry
            while last + 1 < searchableCount && addresses[last + 1] == addresses[entry] {
                last += 1
            }
            let symbol = Int(stored[last])
            let region = Int(regionOfSymbol[symbol])
            let address = table.addresses[symbol]
            let regionCoverage = coverage[region]
            if let rangeIndex = regionCoverage.rangeIndex(address) {
                let rangeEnd = regionCoverage.ranges[rangeIndex].end
                var naturalEnd: UInt64?
                let next = last + 1
                if next < searchableCount, regionOfSymbol[Int(stored[next])] == region,
                   segmentOfEntry[next] == segmentOfEntry[last] {
                    let nextAddress = table.addresses[Int(stored[next])]
                    naturalEnd = storedHasPrefix[next] ? nextAddress - UInt64(prefixDistance) : nextAddress
                }
                if let naturalEnd, rangeEnd.map({ naturalEnd <= $0 }) ?? true {
                    // The common case: ends where the next entry begins; nothing recorded.
                } else if let rangeEnd {
                    extents.append(entry: last, end: rangeEnd, kind: .bounded)
                    flags[last] |= IndexStorage.Flags.specialExtent
                } else {
                    extents.append(entry: last, end: address &+ 1, kind: .unknownSize)
                    flags[last] |= IndexStorage.Flags.specialExtent
                }
            } else {
                extents.append(entry: last, end: address, kind: .notSymbolizable)
                flags[last] |= IndexStorage.Flags.specialExtent
            }
            entry = last + 1
        }

        // Region runs.
        var runStarts: [UInt32] = []
        var runRegions: [UInt16] = []
        for entry in 0..<entryCount {
            let region = regionOfSymbol[Int(stored[entry])]
            if runRegions.last != region || entry == searchableCount {
                runStarts.append(UInt32(entry))
                runRegions.append(region)
            }
        }
        if runStarts.isEmpty { runStarts.append(0); runRegions.append(0) }

        // Names and the name table.
        var hashes = [UInt64](repeating: 0, count: entryCount)
        let names: NameStore = table.text.withUnsafeBufferPointer { text in
            var nameBuffers: [UnsafeBufferPointer<UInt8>] = []
            nameBuffers.reserveCapacity(entryCount)
            for entry in 0..<entryCount {
                let symbol = Int(stored[entry])
                let start = Int(table.nameStarts[symbol])
                let name = UnsafeBufferPointer(rebasing: text[start..<start + Int(table.nameLengths[symbol])])
                nameBuffers.append(name)
                hashes[entry] = NameHash.hash(name)
            }
            return NameStore.build(nameBuffers)
        }

        return IndexStorage(
            source: table.source, symbolCount: count, searchableCount: searchableCount,
            search: search, flags: Column(flags), prefixDistance: Int32(prefixDistance), extents: extents,
            absoluteValues: absoluteItems.map(\.address), regionRunStarts: runStarts, regionRunRegions: runRegions,
            regions: regions, names: names, nameTable: NameHashTable(hashes: hashes),
            diagnostics: table.diagnostics, kernelCoverage: kernelCoverage.kind,
            addressWidth: table.addressWidth)
    }

    // MARK: - Alias preference

    /// The kernel's order for aliases (scripts/kallsyms.c `compare_symbols`):
    /// strong before weak, real names before linker-script markers, fewer
    /// leading underscores first, then the original order. Lower is preferred.
    static func kernelPreferenceCost(_ table: ParsedTable, _ symbol: Int) -> UInt32 {
        let letter = SymbolType(code: table.typeCodes[symbol]).asciiLetter | 0x20
        let weak: UInt32 = letter == UInt8(ascii: "w") ? 1 : 0
        let name = table.nameBytes(symbol)
        let linker: UInt32 = isLinkerScriptMarker(name) ? 1 : 0
        var underscores: UInt32 = 0
        for byte in name {
            guard byte == UInt8(ascii: "_") else { break }
            underscores += 1
        }
        return weak << 31 | linker << 30 | min(underscores, 63) << 24 | (UInt32(truncatingIfNeeded: symbol) & 0xFF_FFFF)
    }

    /// `__start_*`, `__stop_*`, `__end_*`, `__*_start`, `__*_end`, as the kernel's
    /// `may_be_linker_script_provide_symbol` defines them.
    static func isLinkerScriptMarker(_ name: ArraySlice<UInt8>) -> Bool {
        guard name.count >= 8, name.starts(with: [0x5F, 0x5F]) else { return false }
        let body = name.dropFirst(2)
        return body.starts(with: Array("start_".utf8)) || body.starts(with: Array("stop_".utf8))
            || body.starts(with: Array("end_".utf8)) || name.hasSuffix(Array("_start".utf8))
            || name.hasSuffix(Array("_end".utf8))
    }

    private static func sortByAddress(_ items: inout [SortItem]) {
        var sorted = true
        for index in items.indices.dropFirst() {
            let previous = items[index - 1]
            let current = items[index]
            if previous.address > current.address
                || (previous.address == current.address && previous.tieBreak > current.tieBreak) {
                sorted = false
                break
            }
        }
        if sorted { return }
        items.sort { ($0.address, $0.tieBreak) < ($1.address, $1.tieBreak) }
    }

    // MARK: - Prefix folding

    /// The distance between `__pfx_NAME` and `NAME` that most pairs have (16 on
    /// x86 with `CONFIG_FUNCTION_PADDING_BYTES=16`), or 0 when there are none.
    private static func mostCommonPrefixDistance(_ table: ParsedTable, _ items: [SortItem]) -> UInt32 {
        var counts: [UInt64: Int] = [:]
        var index = 0
        var seen = 0
        while index + 1 < items.count && seen < 4096 {
            let symbol = Int(items[index].symbol)
            if table.nameBytes(symbol).starts(with: IndexStorage.prefixName) {
                var next = index + 1
                while next < items.count && items[next].address == items[index].address { next += 1 }
                if next < items.count {
                    let distance = items[next].address &- items[index].address
                    if distance <= 256 { counts[distance, default: 0] += 1; seen += 1 }
                }
            }
            index += 1
        }
        guard let best = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) else { return 0 }
        return UInt32(best.key)
    }

    private static func canFold(_ table: ParsedTable, prefix: Int, into target: Int, distance: UInt32,
                                regionOfSymbol: [UInt16], coverage: [Coverage]) -> Bool {
        let prefixAddress = table.addresses[prefix]
        guard table.addresses[target] == prefixAddress &+ UInt64(distance),
              table.addresses[target] > prefixAddress,
              regionOfSymbol[prefix] == regionOfSymbol[target],
              table.typeCodes[prefix] == table.typeCodes[target] else { return false }
        let prefixName = table.nameBytes(prefix)
        let targetName = table.nameBytes(target)
        guard prefixName.count == targetName.count + IndexStorage.prefixName.count,
              prefixName.starts(with: IndexStorage.prefixName),
              prefixName.dropFirst(IndexStorage.prefixName.count).elementsEqual(targetName) else { return false }
        // Both must resolve the same way, or the folded prefix would answer where
        // the kernel does not.
        let regionCoverage = coverage[Int(regionOfSymbol[target])]
        guard let prefixRange = regionCoverage.rangeIndex(prefixAddress),
              prefixRange == regionCoverage.rangeIndex(table.addresses[target]) else { return false }
        return true
    }
}

extension ArraySlice where Element == UInt8 {
    fileprivate func hasSuffix(_ suffix: [UInt8]) -> Bool {
        count >= suffix.count && self.suffix(suffix.count).elementsEqual(suffix)
    }
}
