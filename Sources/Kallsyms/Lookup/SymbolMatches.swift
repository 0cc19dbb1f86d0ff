/// Every symbol with one name, in address order (absolute symbols last):
/// what ``SymbolIndex/symbols(named:)`` returns.
///
/// The matches are found when the collection is made and kept as ids (see
/// ``SymbolIDMatches``); a lookup allocates nothing unless a name is shared
/// by more than 16 symbols.
public struct SymbolMatches: RandomAccessCollection, Sendable {
    @usableFromInline let storage: IndexStorage
    /// The matches' ids.
    public let ids: SymbolIDMatches

    @usableFromInline init(storage: IndexStorage, ids: SymbolIDMatches) {
        self.storage = storage
        self.ids = ids
    }

    /// The number of matches.
    @inlinable public var count: Int { ids.count }
    /// The first position, 0.
    @inlinable public var startIndex: Int { 0 }
    /// One past the last position: the number of matches.
    @inlinable public var endIndex: Int { ids.count }

    /// The symbol at `position`.
    ///
    /// Inlinable, with ``Symbol/address``, so that a loop over the matches
    /// (by index here, or for-in through ``Iterator``, which is inlinable
    /// for the same reason) borrows the index the collection holds instead
    /// of retaining and releasing it for every symbol (measured: about 190
    /// of the 1,300 instructions a duplicated name took, lookup and all).
    @inlinable public subscript(position: Int) -> Symbol {
        precondition(position >= 0 && position < ids.count, "SymbolMatches index out of range")
        return Symbol(storage: storage, id: ids[raw: position])
    }

    /// Iterates over the symbols without copying the inline ids for each read
    /// (see ``SymbolIDMatches/Iterator``).
    @inlinable public func makeIterator() -> Iterator { Iterator(storage: storage, ids: ids.makeIterator()) }

    /// The symbols in order.
    public struct Iterator: IteratorProtocol, Sendable {
        @usableFromInline let storage: IndexStorage
        @usableFromInline var ids: SymbolIDMatches.Iterator

        @inlinable init(storage: IndexStorage, ids: SymbolIDMatches.Iterator) {
            self.storage = storage
            self.ids = ids
        }

        /// The next symbol, or nil after the last.
        @inlinable public mutating func next() -> Symbol? {
            guard let raw = ids.nextRaw() else { return nil }
            return Symbol(storage: storage, id: raw)
        }
    }
}
