/// Every symbol with one name, in address order (absolute symbols last).
///
/// The matches are found when the collection is made and kept as entry
/// numbers: up to 16 inline, so a lookup allocates nothing unless a name is
/// shared by more than 16 symbols (in vmlinux the most repeated name has 12;
/// modules repeat `.LC0`-style labels more often).
public struct SymbolMatches: RandomAccessCollection, Sendable {
    let storage: IndexStorage
    /// Symbol ids (`entry << 1 | isFoldedPrefix`), in address order.
    private var inline = SIMD16<UInt32>()
    private var inlineCount = 0
    private var overflow: [UInt32]?

    init(storage: IndexStorage) { self.storage = storage }

    /// The first position, 0.
    public var startIndex: Int { 0 }
    /// The number of matches.
    public var endIndex: Int { overflow?.count ?? inlineCount }

    /// The symbol at `position`.
    public subscript(position: Int) -> Symbol {
        precondition(position >= 0 && position < endIndex, "SymbolMatches index out of range")
        let id = overflow?[position] ?? inline[position]
        return Symbol(storage: storage, id: id)
    }

    @inline(__always)
    mutating func append(_ id: UInt32) {
        if inlineCount < 16 && overflow == nil {
            inline[inlineCount] = id
            inlineCount += 1
            return
        }
        if overflow == nil { overflow = (0..<inlineCount).map { inline[$0] } }
        overflow!.append(id)
    }

    /// Puts matches from two probes (direct names and folded prefixes) in
    /// address order: a folded prefix of entry `e` lies just before `e`.
    mutating func sortByAddress() {
        var ids = overflow ?? (0..<inlineCount).map { inline[$0] }
        ids.sort { Self.addressKey($0) < Self.addressKey($1) }
        if let _ = overflow { overflow = ids } else { for (index, id) in ids.enumerated() { inline[index] = id } }
    }

    /// Orders by entry, a folded prefix before its entry.
    private static func addressKey(_ id: UInt32) -> UInt64 {
        UInt64(id >> 1) << 1 | UInt64(1 - (id & 1))
    }
}
