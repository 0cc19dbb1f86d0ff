/// The immutable columns behind a ``SymbolIndex``, shared by every copy of the
/// index and by every ``Symbol`` it hands out.
///
/// Layout (struct of arrays, one element per *entry*):
/// - Entries `0..<searchableCount` are the symbols an address can resolve to,
///   sorted by address. Aliases (symbols at one address) are adjacent, with the
///   preferred name *last*, so "the last entry at or below an address" is
///   directly the answer, and the entry after it starts the next address.
/// - Entries `searchableCount...` are absolute and per-cpu symbols
///   (`A`/`a` at small values): found by name, never by address.
/// - A `__pfx_NAME` padding symbol that sits alone `prefixDistance` bytes
///   before `NAME` is not stored; `NAME`'s entry carries ``Flags/hasPrefix``
///   instead. That folds away half the symbols of a 6.x x86 kernel.
///
/// Per entry: a 32-bit key (the offset from its segment's base), one flag byte
/// (type code, prefix bit, extent bit), and a name in the ``NameStore``. Module
/// membership is kept as runs, the ends of a few symbols in the ``ExtentTable``.
@usableFromInline
final class IndexStorage: @unchecked Sendable {
    enum Flags {
        static let typeMask: UInt8 = 0x1F
        /// A folded `__pfx_` symbol sits ``IndexStorage/prefixDistance`` bytes before this entry.
        static let hasPrefix: UInt8 = 0x20
        /// This entry's end is in the ``ExtentTable``.
        static let specialExtent: UInt8 = 0x40
    }

    static let prefixName: [UInt8] = Array("__pfx_".utf8)

    /// True when `bytes` begins with `__pfx_`: two loads and compares, no
    /// global array (whose lazy initialisation check costs more than the test).
    @inline(__always)
    static func hasPrefixName(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 6, let start = bytes.baseAddress else { return false }
        // "__pf" and "x_" little-endian.
        return start.loadUnaligned(as: UInt32.self) == 0x6670_5F5F
            && start.loadUnaligned(fromByteOffset: 4, as: UInt16.self) == 0x5F78
    }

    /// Where the text came from, for messages.
    let source: String
    /// Symbols the input listed (folded prefixes included).
    let symbolCount: Int
    let searchableCount: Int
    var entryCount: Int { flags.count }

    let search: AddressSearch
    let flags: Column<UInt8>
    @usableFromInline let prefixDistance: Int32
    let extents: ExtentTable
    /// Values of absolute entries, in entry order from `searchableCount`.
    let absoluteValues: [UInt64]
    /// First entry of each run of entries in one region, and that region.
    let regionRunStarts: [UInt32]
    let regionRunRegions: [UInt16]
    /// Region 0 is vmlinux (nil); the others are modules.
    let regions: [Module?]
    let names: NameStore
    let diagnostics: [KallsymsError]
    /// How the vmlinux part decides which addresses it symbolizes.
    let kernelCoverage: KernelCoverage
    /// Hex digits to print addresses with, as the input did.
    let addressWidth: Int
    /// Source files and built-in modules. Set once, by ``attach(_:)``, before
    /// the storage is shared; never changed after.
    private(set) var origins: SymbolOrigins?

    init(source: String, symbolCount: Int, searchableCount: Int, search: AddressSearch, flags: Column<UInt8>,
         prefixDistance: Int32,
         extents: ExtentTable, absoluteValues: [UInt64], regionRunStarts: [UInt32], regionRunRegions: [UInt16],
         regions: [Module?], names: NameStore, diagnostics: [KallsymsError],
         kernelCoverage: KernelCoverage, addressWidth: Int) {
        self.source = source
        self.symbolCount = symbolCount
        self.searchableCount = searchableCount
        self.search = search
        self.flags = flags
        self.prefixDistance = prefixDistance
        self.extents = extents
        self.absoluteValues = absoluteValues
        self.regionRunStarts = regionRunStarts
        self.regionRunRegions = regionRunRegions
        self.regions = regions
        self.names = names
        self.diagnostics = diagnostics
        self.kernelCoverage = kernelCoverage
        self.addressWidth = addressWidth
    }

    deinit {
        search.deallocate()
        flags.deallocate()
        names.deallocate()
    }

    /// Installs the attribution, while the storage is still private to its builder.
    func attach(_ origins: SymbolOrigins?) {
        precondition(self.origins == nil, "attribution is attached once")
        self.origins = origins
    }

    /// Bytes held by the index, all columns and tables included.
    var residentBytes: Int {
        search.byteCount + flags.byteCount
            + extents.byteCount + absoluteValues.count * 8 + regionRunStarts.count * 6
            + names.byteCount + (origins?.byteCount ?? 0)
    }

    // MARK: - Per-entry facts

    @inline(__always)
    func segment(of entry: Int) -> Int { search.segment(ofEntry: entry) }

    /// The address of an entry (its value, for absolute entries).
    @usableFromInline
    func address(of entry: Int) -> UInt64 {
        if entry >= searchableCount { return absoluteValues[entry - searchableCount] }
        return search.segmentBases[segment(of: entry)] &+ search.offset(of: entry)
    }

    /// Whether two searchable entries share an address.
    func sameAddress(_ first: Int, _ second: Int) -> Bool {
        search.offset(of: first) == search.offset(of: second) && segment(of: first) == segment(of: second)
    }

    func region(of entry: Int) -> Int {
        var low = 0
        var high = regionRunStarts.count
        while high - low > 1 {
            let middle = (low + high) >> 1
            if Int(regionRunStarts[middle]) <= entry { low = middle } else { high = middle }
        }
        return Int(regionRunRegions[low])
    }

    /// The searchable entries of `region`, in entry order, read from the
    /// region runs (no search per entry).
    func searchableEntries(inRegion region: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for (run, start) in regionRunStarts.enumerated() where Int(regionRunRegions[run]) == region {
            let end = run + 1 < regionRunStarts.count ? Int(regionRunStarts[run + 1]) : entryCount
            let searchable = Int(start)..<min(end, searchableCount)
            if !searchable.isEmpty { ranges.append(searchable) }
        }
        return ranges
    }

    func type(of entry: Int) -> SymbolType { SymbolType(code: flags[entry] & Flags.typeMask) }

    func hasPrefix(_ entry: Int) -> Bool { flags[entry] & Flags.hasPrefix != 0 }

    /// The last entry at the same address as `entry`: the one whose end is recorded.
    func groupLast(_ entry: Int) -> Int {
        guard entry < searchableCount else { return entry }
        var last = entry
        while last + 1 < searchableCount && sameAddress(last + 1, entry) {
            last += 1
        }
        return last
    }

    /// The first entry at the same address as `entry`.
    func groupFirst(_ entry: Int) -> Int {
        guard entry < searchableCount else { return entry }
        var first = entry
        while first > 0 && sameAddress(first - 1, entry) {
            first -= 1
        }
        return first
    }

    /// Where the symbol at `entry` ends, and whether that end is known.
    func extent(of entry: Int) -> ExtentTable.Extent {
        guard entry < searchableCount else { return .init(end: address(of: entry), kind: .notSymbolizable) }
        let last = groupLast(entry)
        if flags[last] & Flags.specialExtent != 0 { return extents.extent(of: last) }
        let next = last + 1
        var end = address(of: next)
        if hasPrefix(next) { end -= UInt64(prefixDistance) }
        return .init(end: end, kind: .bounded)
    }
}

/// Which vmlinux addresses the kernel's own `kallsyms_lookup` would symbolize.
public enum KernelCoverage: Hashable, Sendable {
    /// Only `[_stext, _etext)` and `[_sinittext, _einittext)`: the table has
    /// text symbols only (no `CONFIG_KALLSYMS_ALL`).
    case textOnly
    /// `[_stext, _end)`: data symbols are present too.
    case wholeImage
    /// The table lacks the `_stext`/`_etext` markers; from the first symbol to the
    /// last, which resolves only at its own address.
    case unbounded
}
