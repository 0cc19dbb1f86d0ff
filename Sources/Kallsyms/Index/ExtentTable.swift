/// Where the few symbols whose end is not simply "the next symbol's start" end.
///
/// Most symbols end where the next address begins, which the lookup reads from
/// the key array. The rest carry a flag and are listed here: the last symbol of
/// a region (ending at `_etext`, `_einittext`, `_end` or a module's end, or of
/// unknown size), and symbols at addresses the kernel itself never symbolizes
/// (`__start_*` markers outside text when only text symbols are present, or
/// anything past `_end`).
struct ExtentTable {
    enum Kind: UInt8 {
        /// The symbol ends at ``Extent/end``.
        case bounded = 0
        /// The region's end is unknown: only the symbol's own address resolves to it.
        case unknownSize = 1
        /// The kernel would not symbolize this address at all.
        case notSymbolizable = 2
    }

    struct Extent {
        var end: UInt64
        var kind: Kind
    }

    private(set) var entries: [UInt32] = []
    private(set) var extents: [Extent] = []

    var byteCount: Int { entries.count * 4 + extents.count * MemoryLayout<Extent>.stride }

    /// Appends in increasing entry order.
    mutating func append(entry: Int, end: UInt64, kind: Kind) {
        precondition(entries.last.map { Int($0) < entry } ?? true)
        entries.append(UInt32(entry))
        extents.append(Extent(end: end, kind: kind))
    }

    func extent(of entry: Int) -> Extent {
        var low = 0
        var high = entries.count
        let target = UInt32(truncatingIfNeeded: entry)
        while low < high {
            let middle = (low + high) >> 1
            if entries[middle] < target { low = middle + 1 } else { high = middle }
        }
        precondition(low < entries.count && entries[low] == target, "entry \(entry) has no extent record")
        return extents[low]
    }
}
