/// Every symbol with one name, in address order (absolute symbols last).
///
/// Built without allocating when the name's hash bucket has at most 64 slots,
/// which is every bucket but those of names repeated dozens of times (such as
/// `.LC0` in modules).
public struct SymbolMatches: Collection, Sendable {
    let storage: IndexStorage
    /// Matching entries as ids (`entry << 1 | isFoldedPrefix`) in a bit set per probe.
    let direct: SlotSet
    let folded: SlotSet

    /// A position in the matches.
    public struct Index: Comparable, Sendable {
        var direct: Int
        var folded: Int
        public static func < (lhs: Index, rhs: Index) -> Bool {
            (lhs.direct, lhs.folded) < (rhs.direct, rhs.folded)
        }
    }

    public var startIndex: Index { Index(direct: direct.first, folded: folded.first) }
    public var endIndex: Index { Index(direct: direct.end, folded: folded.end) }

    public subscript(position: Index) -> Symbol {
        Symbol(storage: storage, id: pick(position).id)
    }

    public func index(after position: Index) -> Index {
        let choice = pick(position)
        var next = position
        if choice.fromDirect { next.direct = direct.next(after: position.direct) }
        else { next.folded = folded.next(after: position.folded) }
        return next
    }

    /// The number of matches.
    public var count: Int { direct.count + folded.count }

    public var isEmpty: Bool { direct.count == 0 && folded.count == 0 }

    /// Which head comes first in address order: a folded prefix of entry `e`
    /// sits just before entry `e`, after entry `e - 1`.
    private func pick(_ position: Index) -> (id: UInt32, fromDirect: Bool) {
        let directID = position.direct < direct.end ? direct.id(at: position.direct, storage: storage, folded: false) : nil
        let foldedID = position.folded < folded.end ? folded.id(at: position.folded, storage: storage, folded: true) : nil
        switch (directID, foldedID) {
        case let (d?, f?): return d &+ 1 < f &- 1 ? (d, true) : (f, false)
        case let (d?, nil): return (d, true)
        case let (nil, f?): return (f, false)
        case (nil, nil): preconditionFailure("index out of range")
        }
    }
}

/// The slots of one hash bucket that matched, as a bit set over the bucket.
struct SlotSet: Sendable {
    /// The bucket's first slot.
    var base: Int
    /// Bit `i` set: slot `base + i` matched.
    var mask: UInt64 = 0
    /// More bits, for the rare bucket of over 64 slots; nil (no allocation) otherwise.
    var overflow: [UInt64]?

    static let empty = SlotSet(base: 0)

    init(base: Int) { self.base = base }

    @inline(__always)
    mutating func insert(_ offset: Int) {
        if offset < 64 {
            mask |= 1 &<< UInt64(offset)
        } else {
            var words = overflow ?? []
            while words.count < offset / 64 { words.append(0) }
            words[offset / 64 - 1] |= 1 &<< UInt64(offset % 64)
            overflow = words
        }
    }

    private func word(_ index: Int) -> UInt64 { index == 0 ? mask : overflow![index - 1] }

    var limit: Int { 64 * (1 + (overflow?.count ?? 0)) }
    var end: Int { limit }

    var first: Int { next(from: 0) }

    func next(after offset: Int) -> Int { next(from: offset + 1) }

    private func next(from start: Int) -> Int {
        var offset = start
        let limit = self.limit
        while offset < limit {
            let remaining = word(offset / 64) >> UInt64(offset % 64)
            if remaining != 0 { return offset + remaining.trailingZeroBitCount }
            offset = (offset / 64 + 1) * 64
        }
        return limit
    }

    var count: Int { mask.nonzeroBitCount + (overflow?.reduce(0) { $0 + $1.nonzeroBitCount } ?? 0) }

    func id(at offset: Int, storage: IndexStorage, folded: Bool) -> UInt32 {
        let entry = storage.nameTable.slots[base + offset] & storage.nameTable.indexMask
        return entry << 1 | (folded ? 1 : 0)
    }
}
