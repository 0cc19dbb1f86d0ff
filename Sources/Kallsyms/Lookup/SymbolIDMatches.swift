/// The ids of every symbol with one name, in address order (absolute
/// symbols last): what ``SymbolIndex/symbolIDs(named:)`` returns.
///
/// Up to 16 ids are kept inline, so a lookup allocates nothing unless a name
/// is shared by more than 16 symbols (in vmlinux the most repeated name has
/// 12; modules repeat `.LC0`-style labels more often). It holds no reference
/// to the index, so making, copying and dropping it touches no reference
/// count; ``SymbolIndex/symbol(_:)`` turns an id into a ``Symbol``.
public struct SymbolIDMatches: RandomAccessCollection, Sendable {
    /// Raw ids (`entry << 1 | isFoldedPrefix`), in address order.
    @usableFromInline var inline = SIMD16<UInt32>()
    /// The number of matches.
    public private(set) var count = 0
    /// All matches, once there are more than 16. Optional, so that the usual
    /// lookup copies and destroys a null reference, not the shared empty array.
    @usableFromInline var overflow: [UInt32]?

    @inlinable init() {}

    /// The first position, 0.
    @inlinable public var startIndex: Int { 0 }
    /// One past the last position: the number of matches.
    @inlinable public var endIndex: Int { count }

    /// The id at `position`.
    @inlinable public subscript(position: Int) -> Symbol.ID {
        precondition(position >= 0 && position < count, "SymbolIDMatches index out of range")
        return Symbol.ID(rawValue: self[raw: position])
    }

    /// The raw id at `position`, which must be valid.
    @inlinable @inline(__always)
    subscript(raw position: Int) -> UInt32 { count <= 16 ? inline[position] : overflow![position] }

    /// Iterates over the ids without copying the inline ones for each read.
    @inlinable public func makeIterator() -> Iterator { Iterator(matches: self) }

    /// The ids in order.
    ///
    /// Reads each inline id in place, through the iterator's own copy of the
    /// matches: a lane of a `SIMD16` read at a variable position made the
    /// compiler copy all 64 bytes to the stack first, at every step. (The
    /// subscript, which cannot take its storage `inout`, still reads a lane.)
    public struct Iterator: IteratorProtocol, Sendable {
        @usableFromInline var matches: SymbolIDMatches
        @usableFromInline var position = 0

        @inlinable init(matches: SymbolIDMatches) { self.matches = matches }

        /// The next id, or nil after the last.
        @inlinable public mutating func next() -> Symbol.ID? {
            guard let raw = nextRaw() else { return nil }
            return Symbol.ID(rawValue: raw)
        }

        /// The next raw id, or nil after the last.
        @inlinable @inline(__always)
        mutating func nextRaw() -> UInt32? {
            let position = self.position
            guard position < matches.count else { return nil }
            self.position = position &+ 1
            if matches.count > 16 { return matches.overflow![position] }
            return withUnsafeBytes(of: &matches.inline) {
                $0.load(fromByteOffset: (position & 15) &* 4, as: UInt32.self)
            }
        }
    }

    @inline(__always)
    mutating func append(_ id: UInt32) {
        if count < 16 {
            // Lane `count & 15` is lane `count`: without the mask the lane's
            // range check stayed in every lookup.
            inline[count & 15] = id
        } else {
            if count == 16 { overflow = (0..<16).map { inline[$0] } }
            overflow!.append(id)
        }
        count &+= 1
    }

    /// Puts matches from two probes (direct names and folded prefixes) in
    /// address order: a folded prefix of entry `e` lies just before `e`.
    mutating func sortByAddress() {
        var ids = count > 16 ? overflow! : (0..<count).map { inline[$0] }
        // Symbol.ID's order: by entry, a folded prefix before its entry.
        ids.sort { Symbol.ID(rawValue: $0) < Symbol.ID(rawValue: $1) }
        if count > 16 { overflow = ids } else { for (index, id) in ids.enumerated() { inline[index] = id } }
    }
}
