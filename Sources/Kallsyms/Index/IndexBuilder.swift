import Dispatch

/// Turns a ``ParsedTable`` into the columns of an ``IndexStorage``.
///
/// The steps, in order:
/// 1. Regions: vmlinux is region 0, each `[module]` its own region.
/// 2. Kernel coverage: which vmlinux addresses the kernel symbolizes, from
///    `_stext`, `_etext`, `_sinittext`, `_einittext` and `_end`.
/// 3. Absolute symbols (per-cpu offsets, `A` values below the kernel) are set
///    aside: they would otherwise stretch a region down to address 0.
/// 4. The rest is sorted by address, aliases ordered by the kernel's preference
///    with the preferred name last. vmlinux is already sorted, so the sort has
///    real work only for modules; preference is computed only for aliases.
/// 5. `__pfx_NAME` padding symbols are folded into `NAME`'s entry.
/// 6. Keys, segments and extents are written.
/// 7. Names, compressed meanwhile on a second thread in input order, are laid
///    out in entry order, and the name hash table is built.
///
/// Every loop reads the parsed columns through pointers and makes no
/// per-symbol allocation: building is a few passes over flat arrays.
enum IndexBuilder {
    /// What attribution needs from the build beyond the storage.
    struct BuildExtras {
        var builtinAnnotations: BuiltinAnnotations?
        var namesMayBeDecorated: Bool
    }

    /// The symbolizable address ranges of one region, `end == nil` meaning unknown.
    struct Coverage {
        var ranges: [(start: UInt64, end: UInt64?)] = []

        func rangeIndex(_ address: UInt64) -> Int? {
            var index = 0
            while index < ranges.count {
                let range = ranges[index]
                if address >= range.start && address < (range.end ?? .max) { return index }
                if range.end == nil && address == .max { return index }
                index += 1
            }
            return nil
        }
    }

    private struct SortItem {
        var address: UInt64
        var symbol: UInt32
    }

    /// Everything the address side decides: the entry order and the address columns.
    private struct AddressLayout {
        /// The parsed symbol behind each entry.
        var entries: [UInt32]
        var searchableCount: Int
        var search: AddressSearch
        var flags: [UInt8]
        var prefixDistance: UInt32
        var extents: ExtentTable
        var absoluteValues: [UInt64]
        var regionRunStarts: [UInt32]
        var regionRunRegions: [UInt16]
        var regions: [Module?]
        var kernelCoverage: KernelCoverage
        var builtinAnnotations: BuiltinAnnotations?
    }

    /// What the two threads of a build hand back.
    private final class Halves: @unchecked Sendable {
        var layout: AddressLayout?
        var names: PendingNames?
        var store: NameStore?
        var nameTable: NameHashTable?
    }

    /// Tables smaller than this are built on one thread.
    static let parallelThreshold = 8192

    /// Builds the storage: the address side (steps 1 to 6 but names) on one
    /// thread while the names are compressed in input order on another, then
    /// the name store laid out in entry order while the name table is built.
    static func build(_ table: ParsedTable, moduleLayout: ModuleLayout?) -> (storage: IndexStorage, extras: BuildExtras) {
        let halves = Halves()
        let parallel = table.count >= parallelThreshold
        let work: @Sendable (Int) -> Void = { half in
            if half == 0 {
                halves.layout = layOutAddresses(table, moduleLayout: moduleLayout)
            } else {
                halves.names = PendingNames(encoding: table)
            }
        }
        if parallel { DispatchQueue.concurrentPerform(iterations: 2, execute: work) } else { work(0); work(1) }
        let layout = halves.layout!
        let names = halves.names!
        let hashes = layout.entries.withUnsafeBufferPointer { names.hashes(entries: $0) }
        let finish: @Sendable (Int) -> Void = { half in
            if half == 0 {
                halves.store = layout.entries.withUnsafeBufferPointer { names.store(entries: $0) }
            } else {
                halves.nameTable = NameHashTable(hashes: hashes)
            }
        }
        if parallel { DispatchQueue.concurrentPerform(iterations: 2, execute: finish) } else { finish(0); finish(1) }

        return (IndexStorage(
            source: table.source, symbolCount: table.count, searchableCount: layout.searchableCount,
            search: layout.search, flags: Column(layout.flags), prefixDistance: Int32(layout.prefixDistance),
            extents: layout.extents, absoluteValues: layout.absoluteValues, regionRunStarts: layout.regionRunStarts,
            regionRunRegions: layout.regionRunRegions, regions: layout.regions, names: halves.store!,
            nameTable: halves.nameTable!, diagnostics: table.diagnostics, kernelCoverage: layout.kernelCoverage,
            addressWidth: table.addressWidth), BuildExtras(builtinAnnotations: layout.builtinAnnotations,
                                                          namesMayBeDecorated: table.namesMayBeDecorated))
    }

    /// The address side of a build: regions, coverage, order, folding, keys and extents.
    private static func layOutAddresses(_ table: ParsedTable, moduleLayout: ModuleLayout?) -> AddressLayout {
        let count = table.count
        let addressOf = table.addresses.base
        let typeOf = table.typeCodes.base

        // 1. Section markers. Only vmlinux defines `_stext` and friends, so every
        // line is searched: in kallmodsyms output even vmlinux lines carry a module.
        let markers = KernelMarkers(table)

        // 2. Regions. A `[module]` line is a loaded module's unless it lies inside
        // the kernel image (kallmodsyms marks built-in code that way) or names
        // several modules or an object file (only built-in code does).
        var regions: [Module?] = [nil]
        var regionByName: [String: UInt16] = [:]
        var annotationModule = [UInt16](repeating: 0, count: table.annotations.count)
        var annotationIsBuiltinOnly = [Bool](repeating: false, count: table.annotations.count)
        // Each distinct annotation is read once, here; attribution reuses it.
        var parsedAnnotations = [KallmodsymsAnnotation?](repeating: nil, count: table.annotations.count)
        for (annotationID, annotation) in table.annotations.enumerated() where annotationID > 0 {
            let items = AnnotationParser.items(annotation)
            let modules = items.filter { !$0.isObject }
            let objects = items.filter(\.isObject)
            parsedAnnotations[annotationID] = KallmodsymsAnnotation(
                modules: modules.map(\.name), objectFile: objects.count == 1 ? objects[0].name : nil)
            annotationIsBuiltinOnly[annotationID] = modules.count != 1 || items.count != 1
            guard let moduleName = modules.first?.name, modules.count == 1, items.count == 1 else { continue }
            if let known = regionByName[moduleName] {
                annotationModule[annotationID] = known
            } else {
                let region = UInt16(regions.count)
                regions.append(Module(name: moduleName))
                regionByName[moduleName] = region
                annotationModule[annotationID] = region
            }
        }
        var regionOfSymbol = [UInt16](repeating: 0, count: count)
        // A symbol with an annotation keeps region 0 exactly when that annotation
        // names built-in code; attribution later reads it back from the table.
        var anyBuiltin = false
        if table.annotations.count > 1 {
            let image = markers.imageRange
            for symbol in 0..<count {
                let annotation = Int(table.annotationIDs[symbol])
                guard annotation > 0 else { continue }
                let insideImage = image.map { $0.contains(addressOf[symbol]) } ?? false
                if annotationIsBuiltinOnly[annotation] || insideImage {
                    anyBuiltin = true
                } else {
                    regionOfSymbol[symbol] = annotationModule[annotation]
                }
            }
        }
        // Modules only named by built-in lines have no region of their own.
        var regionUsed = [Bool](repeating: false, count: regions.count)
        if regions.count > 1 { for region in regionOfSymbol { regionUsed[Int(region)] = true } }
        if regionUsed.dropFirst().contains(false) {
            var renumbered = [UInt16](repeating: 0, count: regions.count)
            var kept: [Module?] = [nil]
            for region in 1..<regions.count where regionUsed[region] {
                renumbered[region] = UInt16(kept.count)
                kept.append(regions[region])
            }
            for symbol in 0..<count { regionOfSymbol[symbol] = renumbered[Int(regionOfSymbol[symbol])] }
            regions = kept
        }

        // 3. Absolute symbols: below the kernel's start in vmlinux, A/a outside a module's code.
        var moduleLow = [UInt64](repeating: .max, count: regions.count)
        var moduleHigh = [UInt64](repeating: 0, count: regions.count)
        for symbol in 0..<count where regionOfSymbol[symbol] != 0 && !SymbolType.isAbsoluteCode(typeOf[symbol]) {
            let region = Int(regionOfSymbol[symbol])
            moduleLow[region] = min(moduleLow[region], addressOf[symbol])
            moduleHigh[region] = max(moduleHigh[region], addressOf[symbol])
        }
        var kernelLow = markers.imageStart
        if kernelLow == nil {
            var lowest = UInt64.max
            for symbol in 0..<count where regionOfSymbol[symbol] == 0 && SymbolType.isTextCode(typeOf[symbol]) {
                lowest = min(lowest, addressOf[symbol])
            }
            if lowest != .max { kernelLow = lowest }
        }
        var isAbsolute = [Bool](repeating: false, count: count)
        var absoluteCount = 0
        for symbol in 0..<count {
            let region = Int(regionOfSymbol[symbol])
            let address = addressOf[symbol]
            let absolute: Bool
            if region == 0 {
                absolute = kernelLow.map { address < $0 } ?? SymbolType.isAbsoluteCode(typeOf[symbol])
            } else {
                absolute = SymbolType.isAbsoluteCode(typeOf[symbol])
                    && (address < moduleLow[region] || address > moduleHigh[region])
            }
            isAbsolute[symbol] = absolute
            if absolute { absoluteCount += 1 }
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

        // 4. Sort by address, then order aliases: preferred last.
        var items: [SortItem] = []
        var absoluteItems: [SortItem] = []
        items.reserveCapacity(count - absoluteCount)
        absoluteItems.reserveCapacity(absoluteCount)
        for symbol in 0..<count {
            let item = SortItem(address: addressOf[symbol], symbol: UInt32(truncatingIfNeeded: symbol))
            if isAbsolute[symbol] { absoluteItems.append(item) } else { items.append(item) }
        }
        sortByAddress(&items)
        sortByAddress(&absoluteItems)
        orderAliases(&items, table, regionOfSymbol: regionOfSymbol)
        orderAliases(&absoluteItems, table, regionOfSymbol: regionOfSymbol)

        // 5. Fold `__pfx_` padding symbols into the function they pad.
        let prefixDistance = mostCommonPrefixDistance(table, items)
        var stored = [UInt32](repeating: 0, count: count)  // the parsed symbol behind each entry
        var storedHasPrefix = [Bool](repeating: false, count: count)
        var entryCount = 0
        items.withUnsafeBufferPointer { items in
            stored.withUnsafeMutableBufferPointer { stored in
                storedHasPrefix.withUnsafeMutableBufferPointer { storedHasPrefix in
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
                                stored[entryCount] = items[index].symbol
                                storedHasPrefix[entryCount] = index == position && pendingPrefix
                                entryCount += 1
                            }
                            pendingPrefix = false
                        }
                        position = groupEnd
                    }
                }
            }
        }
        let searchableCount = entryCount
        for item in absoluteItems {
            stored[entryCount] = item.symbol
            entryCount += 1
        }
        stored.removeLast(count - entryCount)
        storedHasPrefix.removeLast(count - entryCount)

        // 6. Keys and segments.
        var addresses = [UInt64](repeating: 0, count: searchableCount)
        var logicalStarts = [UInt64](repeating: 0, count: searchableCount)
        for entry in 0..<searchableCount {
            let address = addressOf[Int(stored[entry])]
            addresses[entry] = address
            logicalStarts[entry] = storedHasPrefix[entry] ? address - UInt64(prefixDistance) : address
        }
        let segmentStarts = AddressSearch.segmentStarts(addresses: addresses, logicalStarts: logicalStarts)

        // Flags and extents.
        var flags = [UInt8](repeating: 0, count: entryCount)
        for entry in 0..<entryCount {
            flags[entry] = typeOf[Int(stored[entry])] | (storedHasPrefix[entry] ? IndexStorage.Flags.hasPrefix : 0)
        }
        var extents = ExtentTable()
        // The first segment start after the current entry (entries go up).
        var upcomingSegment = 1
        var entry = 0
        while entry < searchableCount {
            var last = entry
            while last + 1 < searchableCount && addresses[last + 1] == addresses[entry] { last += 1 }
            let region = Int(regionOfSymbol[Int(stored[last])])
            let address = addresses[last]
            var special: (end: UInt64, kind: ExtentTable.Kind)?
            if let rangeIndex = coverage[region].rangeIndex(address) {
                let rangeEnd = coverage[region].ranges[rangeIndex].end
                // The kernel's size runs to the next symbol of the same region.
                var nextStart: UInt64?
                let next = last + 1
                if next < searchableCount, regionOfSymbol[Int(stored[next])] == region {
                    nextStart = logicalStarts[next]
                }
                if let nextStart, rangeEnd.map({ nextStart <= $0 }) ?? true {
                    while segmentStarts[upcomingSegment] < next { upcomingSegment += 1 }
                    if segmentStarts[upcomingSegment] == next {
                        // Across a segment boundary the lookup cannot read the next key.
                        special = (nextStart, .bounded)
                    }
                    // Otherwise the common case: ends where the next entry begins; nothing recorded.
                } else if let rangeEnd {
                    special = (rangeEnd, .bounded)
                } else {
                    special = (address &+ 1, .unknownSize)
                }
            } else {
                special = (address, .notSymbolizable)
            }
            if let special {
                extents.append(entry: last, end: special.end, kind: special.kind)
                flags[last] |= IndexStorage.Flags.specialExtent
            }
            entry = last + 1
        }
        let search = AddressSearch(addresses: addresses, logicalStarts: logicalStarts, starts: segmentStarts,
                                   flags: flags)

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

        let builtinAnnotations = anyBuiltin ? BuiltinAnnotations(
            annotations: parsedAnnotations,
            ofEntry: stored.map { regionOfSymbol[Int($0)] == 0 ? table.annotationIDs[Int($0)] : 0 }) : nil
        return AddressLayout(
            entries: stored, searchableCount: searchableCount, search: search, flags: flags,
            prefixDistance: prefixDistance, extents: extents, absoluteValues: absoluteItems.map(\.address),
            regionRunStarts: runStarts, regionRunRegions: runRegions, regions: regions,
            kernelCoverage: kernelCoverage.kind, builtinAnnotations: builtinAnnotations)
    }

    // MARK: - Order

    /// Sorts by address, stable, so equal addresses keep file order. A table
    /// that is already in order (vmlinux) costs one comparison a symbol.
    private static func sortByAddress(_ items: inout [SortItem]) {
        var sorted = true
        for index in items.indices.dropFirst() where items[index - 1].address > items[index].address {
            sorted = false
            break
        }
        if sorted { return }
        items.sort { ($0.address, $0.symbol) < ($1.address, $1.symbol) }
    }

    /// Puts each group of aliases in the kernel's order of preference,
    /// reversed, so that the preferred name is the group's last entry.
    ///
    /// vmlinux follows scripts/kallsyms.c `compare_symbols`; a module's
    /// `find_kallsyms_symbol` takes the first symbol in symbol-table order.
    private static func orderAliases(_ items: inout [SortItem], _ table: ParsedTable, regionOfSymbol: [UInt16]) {
        var start = 0
        while start < items.count {
            var end = start + 1
            while end < items.count && items[end].address == items[start].address { end += 1 }
            if end - start > 1 {
                let group = items[start..<end].sorted { lhs, rhs in
                    let left = preferenceCost(table, Int(lhs.symbol), regionOfSymbol: regionOfSymbol)
                    let right = preferenceCost(table, Int(rhs.symbol), regionOfSymbol: regionOfSymbol)
                    return left > right
                }
                items.replaceSubrange(start..<end, with: group)
            }
            start = end
        }
    }

    /// Lower is preferred. For vmlinux (scripts/kallsyms.c): strong before weak,
    /// real names before linker-script markers, fewer leading underscores
    /// first, then file order. For modules: file order.
    static func preferenceCost(_ table: ParsedTable, _ symbol: Int, regionOfSymbol: [UInt16]) -> UInt64 {
        let order = UInt64(truncatingIfNeeded: symbol)
        guard regionOfSymbol[symbol] == 0 else { return order }
        let weak: UInt64 = SymbolType.isWeakForKallsyms(table.typeCodes[symbol]) ? 1 : 0
        let name = table.name(symbol)
        let linker: UInt64 = isLinkerScriptMarker(name) ? 1 : 0
        var underscores: UInt64 = 0
        for byte in name {
            guard byte == UInt8(ascii: "_") else { break }
            underscores += 1
        }
        return weak << 63 | linker << 62 | min(underscores, 1023) << 52 | order
    }

    /// `__start_*`, `__stop_*`, `__end_*`, `__*_start`, `__*_end`, as the kernel's
    /// `may_be_linker_script_provide_symbol` defines them.
    static func isLinkerScriptMarker(_ name: UnsafeRawBufferPointer) -> Bool {
        guard name.count >= 8, name.starts(withASCII: "__") else { return false }
        return name.starts(withASCII: "__start_") || name.starts(withASCII: "__stop_")
            || name.starts(withASCII: "__end_") || name.ends(withASCII: "_start") || name.ends(withASCII: "_end")
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
            if IndexStorage.hasPrefixName(table.name(symbol)) {
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

    @inline(__always)
    private static func canFold(_ table: ParsedTable, prefix: Int, into target: Int, distance: UInt32,
                                regionOfSymbol: [UInt16], coverage: [Coverage]) -> Bool {
        let prefixAddress = table.addresses[prefix]
        let prefixName = table.name(prefix)
        guard IndexStorage.hasPrefixName(prefixName),
              table.addresses[target] == prefixAddress &+ UInt64(distance),
              table.addresses[target] > prefixAddress,
              regionOfSymbol[prefix] == regionOfSymbol[target],
              table.typeCodes[prefix] == table.typeCodes[target],
              UnsafeRawBufferPointer(rebasing: prefixName[6...]).bytesEqual(table.name(target)) else { return false }
        // Both must resolve the same way, or the folded prefix would answer where
        // the kernel does not. (Read in place: copying a Coverage out retains its array.)
        let region = Int(regionOfSymbol[target])
        guard let prefixRange = coverage[region].rangeIndex(prefixAddress),
              prefixRange == coverage[region].rangeIndex(table.addresses[target]) else { return false }
        return true
    }
}
