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
/// 6. Keys, segments and extents are written (the search table over the
///    keys is built while the name store is sized, in the second phase).
/// 7. Names, compressed meanwhile in input order on a second thread (which
///    the first joins when done with steps 1 to 6), are filed into the
///    name store's hash buckets in entry order.
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
    }

    /// Every region's ``Coverage`` in flat columns, for the per-symbol passes:
    /// reading `[Coverage]` element by element cost a call and an array
    /// access per range, and reading flat arrays still cost a bounds check
    /// per access (a fifth of the folding's instructions).
    final class CoverageRanges {
        /// Region `r`'s ranges are `first[r]..<first[r + 1]`.
        private let first: UnsafeMutablePointer<Int>
        private let starts: UnsafeMutablePointer<UInt64>
        /// The range's last address: its end minus one, or `UInt64.max` when
        /// the end is unknown (no known end is `UInt64.max`: ends are addresses
        /// past a symbol).
        private let lasts: UnsafeMutablePointer<UInt64>

        init(_ coverage: [Coverage]) {
            let rangeCount = coverage.reduce(0) { $0 + $1.ranges.count }
            first = .allocate(capacity: coverage.count + 1)
            starts = .allocate(capacity: max(rangeCount, 1))
            lasts = .allocate(capacity: max(rangeCount, 1))
            var number = 0
            first[0] = 0
            for (region, regionCoverage) in coverage.enumerated() {
                for range in regionCoverage.ranges {
                    starts[number] = range.start
                    // Ends are above starts, so `end - 1` cannot wrap.
                    lasts[number] = range.end.map { $0 &- 1 } ?? .max
                    number += 1
                }
                first[region + 1] = number
            }
        }

        deinit {
            first.deallocate()
            starts.deallocate()
            lasts.deallocate()
        }

        /// The number (across all regions) of the range of `region` holding `address`, or nil.
        @inline(__always)
        func rangeNumber(region: Int, containing address: UInt64) -> Int? {
            var number = first[region]
            let end = first[region &+ 1]
            while number < end {
                if address >= starts[number] && address <= lasts[number] { return number }
                number &+= 1
            }
            return nil
        }

        /// The range of `region` holding `address`, or nil.
        @inline(__always)
        func range(region: Int, containing address: UInt64) -> (start: UInt64, end: UInt64?)? {
            rangeNumber(region: region, containing: address).map {
                (starts[$0], lasts[$0] == .max ? nil : lasts[$0] &+ 1)
            }
        }

        /// True when the first range of `region` holding each address is the same one.
        @inline(__always)
        func sameRange(region: Int, _ first: UInt64, _ second: UInt64) -> Bool {
            // The same first range, as lookups pick it, not merely one range
            // holding both: ranges that overlap (only malformed markers make
            // them) would otherwise bound the two differently.
            guard let number = rangeNumber(region: region, containing: first) else { return false }
            return rangeNumber(region: region, containing: second) == number
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
        /// The searchable entries' addresses and logical starts, and the
        /// segments they fall in: what ``AddressSearch`` is built from, which
        /// happens beside the name store, not on the address side's thread.
        var addresses: [UInt64]
        var logicalStarts: [UInt64]
        var segmentStarts: [Int]
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
        var search: AddressSearch?
        var storeBuilder: NameStore.Builder?
        /// The names once trained, for the thread that finishes its own half
        /// first to help encode; guarded by `mutex`, since the other thread
        /// may look while it is being set.
        private var trainedNames: PendingNames?
        private let mutex = BuildLock()

        func publish(_ names: PendingNames) { mutex.withLock { trainedNames = names } }

        var names: PendingNames? { mutex.withLock { trainedNames } }
    }

    /// Tables smaller than this are built on one thread.
    static let parallelThreshold = 8192

    /// Runs `body(0)` and `body(1)`: on two threads when `parallel`, else one
    /// after the other in the order `serially` gives.
    private static func runTwo(_ parallel: Bool, _ body: @Sendable (Int) -> Void, serially order: (Int, Int) = (0, 1)) {
        if parallel {
            DispatchQueue.concurrentPerform(iterations: 2, execute: body)
        } else {
            body(order.0)
            body(order.1)
        }
    }

    /// Builds the storage: the address side (steps 1 to 6 but names) on one
    /// thread while the names are compressed (and counted into the name
    /// store's buckets) in input order on another, the first thread joining
    /// in once done; then the address search table built while the name
    /// store's late names are added and its buckets placed; then the name
    /// store's records written, half its buckets on each thread.
    ///
    /// The search table is left to the second phase because there it sits
    /// beside the placing: 0.4–0.5 ms against 0.55–0.6 on the 6.18 snapshot
    /// (instrumented builds, 2026-12-02). The phases then took 2.0–2.8 ms
    /// (parse), 3.5–4.6 (addresses beside names), 0.6 and 0.7–0.8 ms.
    static func build(_ table: ParsedTable, moduleLayout: ModuleLayout?) -> (storage: IndexStorage, extras: BuildExtras) {
        let halves = Halves()
        let parallel = table.count >= parallelThreshold
        let work: @Sendable (Int) -> Void = { half in
            if half == 0 {
                halves.layout = layOutAddresses(table, moduleLayout: moduleLayout)
                // Then help with the names, if they are trained by now (they
                // always are: training takes a tenth of the address side).
                // Never waits, so iterations run one after the other on
                // one thread, as `concurrentPerform` may, cannot deadlock.
                halves.names?.encode()
            } else {
                let names = PendingNames(training: table)
                halves.publish(names)
                names.encode()
            }
        }
        // Serially, the names come first, so that they are all encoded by
        // the time the address side looks for work.
        runTwo(parallel, work, serially: (1, 0))
        let layout = halves.layout!
        let names = halves.names!
        // The index's flag column, made now so that the store's builder can
        // read each entry's folded-prefix bit from it.
        let flags = Column(layout.flags)
        // The store's builder reads the entry order and flags, and the names
        // where they were encoded, until it is finished.
        let store = withExtendedLifetime(names) { layout.entries.withUnsafeBufferPointer { entries in
            // Read-only while both threads run.
            nonisolated(unsafe) let entries = entries
            nonisolated(unsafe) let flags = UnsafePointer(flags.base)
            let finish: @Sendable (Int) -> Void = { half in
                if half == 0 {
                    halves.search = AddressSearch(addresses: layout.addresses, logicalStarts: layout.logicalStarts,
                                                  starts: layout.segmentStarts, flags: layout.flags)
                } else {
                    halves.storeBuilder = names.storeBuilder(entries: entries, flags: flags)
                }
            }
            runTwo(parallel, finish)
            // The name store's records, written as two halves of its buckets.
            let builder = halves.storeBuilder!
            runTwo(parallel, builder.write)
            return builder.finished()
        } }

        return (IndexStorage(
            source: table.source, symbolCount: table.count, searchableCount: layout.searchableCount,
            search: halves.search!, flags: flags, prefixDistance: Int32(layout.prefixDistance),
            extents: layout.extents, absoluteValues: layout.absoluteValues, regionRunStarts: layout.regionRunStarts,
            regionRunRegions: layout.regionRunRegions, regions: layout.regions, names: store,
            diagnostics: table.diagnostics, kernelCoverage: layout.kernelCoverage,
            addressWidth: table.addressWidth), BuildExtras(builtinAnnotations: layout.builtinAnnotations,
                                                          namesMayBeDecorated: table.namesMayBeDecorated))
    }

    /// The address side of a build: regions, coverage, order, folding, keys and extents.
    private static func layOutAddresses(_ table: ParsedTable, moduleLayout: ModuleLayout?) -> AddressLayout {
        let count = table.count
        let addressOf = table.addresses.base
        let typeOf = table.typeCodes.base

        // 1. Section markers, found by the parser. Only vmlinux defines `_stext`
        // and friends, so every line is searched: in kallmodsyms output even
        // vmlinux lines carry a module.
        let markers = table.markers

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
        // Passes over all symbols read and write through pointers: array
        // subscripts cost bounds and uniqueness checks per symbol, which made
        // these simple loops most of the address side.
        let regionOf = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: max(count, 1))
        defer { regionOf.deallocate() }
        regionOf.initialize(repeating: 0)
        // A symbol with an annotation keeps region 0 exactly when that annotation
        // names built-in code; attribution later reads it back from the table.
        var anyBuiltin = false
        // Modules only named by built-in lines have no region of their own.
        var regionUsed = [Bool](repeating: false, count: regions.count)
        if table.annotations.count > 1 {
            let image = markers.imageRange
            let annotationOf = table.annotationIDs.base
            for symbol in 0..<count {
                let annotation = Int(annotationOf[symbol])
                guard annotation > 0 else { continue }
                let insideImage = image.map { $0.contains(addressOf[symbol]) } ?? false
                if annotationIsBuiltinOnly[annotation] || insideImage {
                    anyBuiltin = true
                } else {
                    let region = annotationModule[annotation]
                    regionOf[symbol] = region
                    regionUsed[Int(region)] = true
                }
            }
        }
        if regionUsed.dropFirst().contains(false) {
            var renumbered = [UInt16](repeating: 0, count: regions.count)
            var kept: [Module?] = [nil]
            for region in 1..<regions.count where regionUsed[region] {
                renumbered[region] = UInt16(kept.count)
                kept.append(regions[region])
            }
            for symbol in 0..<count { regionOf[symbol] = renumbered[Int(regionOf[symbol])] }
            regions = kept
        }

        // 3. Absolute symbols: below the kernel's start in vmlinux, A/a outside a module's code.
        var moduleLow = [UInt64](repeating: .max, count: regions.count)
        var moduleHigh = [UInt64](repeating: 0, count: regions.count)
        if regions.count > 1 {
            for symbol in 0..<count where regionOf[symbol] != 0 && !SymbolType.isAbsoluteCode(typeOf[symbol]) {
                let region = Int(regionOf[symbol])
                moduleLow[region] = min(moduleLow[region], addressOf[symbol])
                moduleHigh[region] = max(moduleHigh[region], addressOf[symbol])
            }
        }
        var kernelLow = markers.imageStart
        if kernelLow == nil {
            var lowest = UInt64.max
            for symbol in 0..<count where regionOf[symbol] == 0 && SymbolType.isTextCode(typeOf[symbol]) {
                lowest = min(lowest, addressOf[symbol])
            }
            if lowest != .max { kernelLow = lowest }
        }
        let isAbsolute = UnsafeMutableBufferPointer<Bool>.allocate(capacity: max(count, 1))
        defer { isAbsolute.deallocate() }
        // Each symbol is tested and filed for sorting in one pass: searchable
        // symbols in input order, absolute ones apart. (A second pass used to
        // file them, into arrays first filled with zeros: the filling alone
        // was 1% of a build's samples.)
        var absoluteItems: [SortItem] = []
        var items = moduleLow.withUnsafeBufferPointer { moduleLow in
            moduleHigh.withUnsafeBufferPointer { moduleHigh in
                [SortItem](unsafeUninitializedCapacity: count) { items, initialized in
                    var searchable = 0
                    for symbol in 0..<count {
                        let region = Int(regionOf[symbol])
                        let address = addressOf[symbol]
                        let absolute: Bool
                        if region == 0 {
                            absolute = kernelLow.map { address < $0 } ?? SymbolType.isAbsoluteCode(typeOf[symbol])
                        } else {
                            absolute = SymbolType.isAbsoluteCode(typeOf[symbol])
                                && (address < moduleLow[region] || address > moduleHigh[region])
                        }
                        isAbsolute[symbol] = absolute
                        let item = SortItem(address: address, symbol: UInt32(truncatingIfNeeded: symbol))
                        if _slowPath(absolute) {
                            absoluteItems.append(item)
                        } else {
                            items[searchable] = item
                            searchable &+= 1
                        }
                    }
                    initialized = searchable
                }
            }
        }

        var coverage = [Coverage](repeating: Coverage(), count: regions.count)
        let kernelCoverage = markers.coverage(table, regionOf: UnsafeBufferPointer(regionOf),
                                              isAbsolute: UnsafeBufferPointer(isAbsolute), fallbackStart: kernelLow)
        coverage[0] = kernelCoverage.ranges
        for region in 1..<max(regions.count, 1) where moduleLow[region] != .max {
            var end: UInt64?
            if let module = regions[region], let layout = moduleLayout?.module(named: module.name) {
                let layoutEnd = layout.base &+ layout.size
                if layout.base <= moduleLow[region] && layoutEnd > moduleHigh[region] { end = layoutEnd }
            }
            coverage[region].ranges = [(moduleLow[region], end)]
        }
        let ranges = CoverageRanges(coverage)

        // 4. Sort by address, then order aliases: preferred last.
        sortByAddress(&items)
        sortByAddress(&absoluteItems)
        orderAliases(&items, table, regionOf: UnsafeBufferPointer(regionOf))
        orderAliases(&absoluteItems, table, regionOf: UnsafeBufferPointer(regionOf))

        // 5. Fold `__pfx_` padding symbols into the function they pad.
        let prefixDistance = mostCommonPrefixDistance(table, items)
        // The parsed symbol behind each entry, and whether a prefix is folded into it.
        var stored = [UInt32](repeating: 0, count: count)
        let storedHasPrefix = UnsafeMutableBufferPointer<Bool>.allocate(capacity: max(count, 1))
        defer { storedHasPrefix.deallocate() }
        var entryCount = 0
        items.withUnsafeBufferPointer { items in
            stored.withUnsafeMutableBufferPointer { stored in
                entryCount = foldPrefixes(items, table: table, distance: prefixDistance,
                                          regionOf: UnsafeBufferPointer(regionOf),
                                          ranges: ranges, into: stored.baseAddress!, hasPrefix: storedHasPrefix.baseAddress!)
                for item in absoluteItems {
                    stored[entryCount] = item.symbol
                    storedHasPrefix[entryCount] = false
                    entryCount &+= 1
                }
            }
        }
        let searchableCount = entryCount - absoluteItems.count
        stored.removeLast(count - entryCount)

        // 6. Keys and segments.
        let distance = UInt64(prefixDistance)
        var addresses = [UInt64](repeating: 0, count: searchableCount)
        var logicalStarts = [UInt64](repeating: 0, count: searchableCount)
        var flags = [UInt8](repeating: 0, count: entryCount)
        stored.withUnsafeBufferPointer { stored in
            addresses.withUnsafeMutableBufferPointer { addresses in
                logicalStarts.withUnsafeMutableBufferPointer { logicalStarts in
                    for entry in 0..<searchableCount {
                        let address = addressOf[Int(stored[entry])]
                        addresses[entry] = address
                        logicalStarts[entry] = storedHasPrefix[entry] ? address &- distance : address
                    }
                }
            }
            flags.withUnsafeMutableBufferPointer { flags in
                for entry in 0..<entryCount {
                    flags[entry] = typeOf[Int(stored[entry])] | (storedHasPrefix[entry] ? IndexStorage.Flags.hasPrefix : 0)
                }
            }
        }
        let segmentStarts = AddressSearch.segmentStarts(addresses: addresses, logicalStarts: logicalStarts)

        // Extents: only where an entry does not simply end at the next one.
        let extents = stored.withUnsafeBufferPointer { stored in
            addresses.withUnsafeBufferPointer { addresses in
                logicalStarts.withUnsafeBufferPointer { logicalStarts in
                    flags.withUnsafeMutableBufferPointer { flags in
                        recordExtents(entries: stored, addresses: addresses, logicalStarts: logicalStarts,
                                      segmentStarts: segmentStarts, regionOf: UnsafeBufferPointer(regionOf),
                                      ranges: ranges, flags: flags)
                    }
                }
            }
        }

        // Region runs.
        var runStarts: [UInt32] = []
        var runRegions: [UInt16] = []
        stored.withUnsafeBufferPointer { stored in
            var current: UInt16 = 0
            for entry in 0..<entryCount {
                let region = regionOf[Int(stored[entry])]
                if region != current || entry == 0 || entry == searchableCount {
                    runStarts.append(UInt32(entry))
                    runRegions.append(region)
                    current = region
                }
            }
        }
        if runStarts.isEmpty { runStarts.append(0); runRegions.append(0) }

        let builtinAnnotations = anyBuiltin ? BuiltinAnnotations(
            annotations: parsedAnnotations,
            ofEntry: stored.map { regionOf[Int($0)] == 0 ? table.annotationIDs[Int($0)] : 0 }) : nil
        return AddressLayout(
            entries: stored, searchableCount: searchableCount, addresses: addresses, logicalStarts: logicalStarts,
            segmentStarts: segmentStarts, flags: flags,
            prefixDistance: prefixDistance, extents: extents, absoluteValues: absoluteItems.map(\.address),
            regionRunStarts: runStarts, regionRunRegions: runRegions, regions: regions,
            kernelCoverage: kernelCoverage.kind, builtinAnnotations: builtinAnnotations)
    }

    // MARK: - Order

    /// Sorts by address, stable, so equal addresses keep file order. A table
    /// that is already in order (vmlinux) costs one comparison a symbol.
    private static func sortByAddress(_ items: inout [SortItem]) {
        let sorted = items.withUnsafeBufferPointer { items in
            var index = 1
            while index < items.count && items[index &- 1].address <= items[index].address { index &+= 1 }
            return index >= items.count
        }
        if sorted { return }
        items.sort { ($0.address, $0.symbol) < ($1.address, $1.symbol) }
    }

    /// Puts each group of aliases in the kernel's order of preference,
    /// reversed, so that the preferred name is the group's last entry.
    ///
    /// vmlinux follows scripts/kallsyms.c `compare_symbols`; a module's
    /// `find_kallsyms_symbol` takes the first symbol in symbol-table order.
    /// Groups are rare (170 in the 6.18 snapshot), so the pass is mostly a
    /// scan for equal neighbours.
    private static func orderAliases(_ items: inout [SortItem], _ table: ParsedTable,
                                     regionOf: UnsafeBufferPointer<UInt16>) {
        items.withUnsafeMutableBufferPointer { items in
            let count = items.count
            // Neighbours compared pairwise, a group's end sought only once two
            // are equal: the scan from each group's start, which set up an
            // inner loop for every item, was 26 instructions an item.
            var index = 1
            while index < count {
                let address = items[index].address
                guard address == items[index &- 1].address else {
                    index &+= 1
                    continue
                }
                let start = index &- 1
                var end = index &+ 1
                while end < count && items[end].address == address { end &+= 1 }
                var group = UnsafeMutableBufferPointer(rebasing: items[start..<end])
                group.sort { lhs, rhs in
                    preferenceCost(table, Int(lhs.symbol), regionOf: regionOf)
                        > preferenceCost(table, Int(rhs.symbol), regionOf: regionOf)
                }
                // `items[end]` differs from the group; compare it with the next.
                index = end &+ 1
            }
        }
    }

    /// Lower is preferred. For vmlinux (scripts/kallsyms.c): strong before weak,
    /// real names before linker-script markers, fewer leading underscores
    /// first, then file order. For modules: file order.
    static func preferenceCost(_ table: ParsedTable, _ symbol: Int, regionOf: UnsafeBufferPointer<UInt16>) -> UInt64 {
        let order = UInt64(truncatingIfNeeded: symbol)
        guard regionOf[symbol] == 0 else { return order }
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
        // One counter per distance, 0 to 256: a dictionary's hashing was most
        // of this function's instructions.
        var counts = [Int](repeating: 0, count: 257)
        var index = 0
        var seen = 0
        while index + 1 < items.count && seen < 4096 {
            let symbol = Int(items[index].symbol)
            if table.namesPadding(symbol) {
                var next = index + 1
                while next < items.count && items[next].address == items[index].address { next += 1 }
                if next < items.count {
                    let distance = items[next].address &- items[index].address
                    if distance <= 256 { counts[Int(distance)] += 1; seen += 1 }
                }
            }
            index += 1
        }
        // The most frequent distance, the smallest of equals.
        var best = 0
        for distance in counts.indices where counts[distance] > counts[best] { best = distance }
        return counts[best] > 0 ? UInt32(best) : 0
    }

    /// The extents of the searchable entries that do not simply end where the
    /// next entry begins, with ``IndexStorage/Flags/specialExtent`` set in
    /// their flags: the last of each alias group is the one recorded.
    private static func recordExtents(entries: UnsafeBufferPointer<UInt32>, addresses: UnsafeBufferPointer<UInt64>,
                                      logicalStarts: UnsafeBufferPointer<UInt64>, segmentStarts: [Int],
                                      regionOf: UnsafeBufferPointer<UInt16>, ranges: CoverageRanges,
                                      flags: UnsafeMutableBufferPointer<UInt8>) -> ExtentTable {
        var extents = ExtentTable()
        let searchableCount = addresses.count
        // The first segment start after the current entry (entries go up).
        var upcomingSegment = 1
        var entry = 0
        while entry < searchableCount {
            let address = addresses[entry]
            var last = entry
            while last &+ 1 < searchableCount && addresses[last &+ 1] == address { last &+= 1 }
            let region = Int(regionOf[Int(entries[last])])
            var special: (end: UInt64, kind: ExtentTable.Kind)?
            if let range = ranges.range(region: region, containing: address) {
                let rangeEnd = range.end
                // The kernel's size runs to the next symbol of the same region.
                var nextStart: UInt64?
                let next = last &+ 1
                if next < searchableCount, Int(regionOf[Int(entries[next])]) == region {
                    nextStart = logicalStarts[next]
                }
                if let nextStart, rangeEnd.map({ nextStart <= $0 }) ?? true {
                    while segmentStarts[upcomingSegment] < next { upcomingSegment &+= 1 }
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
            entry = last &+ 1
        }
        return extents
    }

    /// Writes the entries `items` make once `__pfx_` padding symbols are
    /// folded: the parsed symbol behind each entry and whether a prefix was
    /// folded into it. Returns the entry count.
    ///
    /// A function of its own, with its state in locals: as a closure inside
    /// the builder, the entry count lived in memory and the loop's values
    /// spilled to the stack.
    private static func foldPrefixes(_ items: UnsafeBufferPointer<SortItem>, table: ParsedTable, distance: UInt32,
                                     regionOf: UnsafeBufferPointer<UInt16>, ranges: CoverageRanges,
                                     into entries: UnsafeMutablePointer<UInt32>,
                                     hasPrefix: UnsafeMutablePointer<Bool>) -> Int {
        var entryCount = 0
        var position = 0
        var pendingPrefix = false
        let count = items.count
        while position < count {
            let item = items[position]
            var groupEnd = position &+ 1
            // Most items are alone at their address: the next one decides.
            if groupEnd < count && items[groupEnd].address == item.address {
                repeat { groupEnd &+= 1 } while groupEnd < count && items[groupEnd].address == item.address
            } else if distance > 0, !pendingPrefix, groupEnd < count,
                      canFold(table, prefix: Int(item.symbol), into: Int(items[groupEnd].symbol),
                              distance: distance, regionOf: regionOf, ranges: ranges) {
                pendingPrefix = true
                position = groupEnd
                continue
            }
            entries[entryCount] = item.symbol
            hasPrefix[entryCount] = pendingPrefix
            entryCount &+= 1
            var index = position &+ 1
            while index < groupEnd {
                entries[entryCount] = items[index].symbol
                hasPrefix[entryCount] = false
                entryCount &+= 1
                index &+= 1
            }
            pendingPrefix = false
            position = groupEnd
        }
        return entryCount
    }

    @inline(__always)
    private static func canFold(_ table: ParsedTable, prefix: Int, into target: Int, distance: UInt32,
                                regionOf: UnsafeBufferPointer<UInt16>, ranges: CoverageRanges) -> Bool {
        guard table.namesPadding(prefix) else { return false }
        let prefixAddress = table.addresses[prefix]
        let targetAddress = table.addresses[target]
        let region = regionOf[target]
        guard targetAddress == prefixAddress &+ UInt64(distance), targetAddress > prefixAddress,
              regionOf[prefix] == region,
              table.typeCodes[prefix] == table.typeCodes[target] else { return false }
        // The parser compared the names of adjacent lines; others are compared here.
        let parserMatched = target == prefix &+ 1 && table.prefixedNames[prefix] == ParsedTable.NamePrefix.paddingOfNext
        guard parserMatched || UnsafeRawBufferPointer(rebasing: table.name(prefix)[6...]).bytesEqual(table.name(target))
        else { return false }
        // Both must resolve the same way, or the folded prefix would answer where
        // the kernel does not.
        return ranges.sameRange(region: Int(region), prefixAddress, targetAddress)
    }
}
