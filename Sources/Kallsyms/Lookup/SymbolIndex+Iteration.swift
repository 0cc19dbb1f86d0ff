extension SymbolIndex {
    /// Every symbol in address order, aliases in the kernel's order of
    /// preference (the name `%pS` prints comes first), as `/proc/kallsyms`
    /// lists vmlinux. Absolute and per-cpu symbols take their place by value.
    public var symbolsByAddress: AddressOrder { AddressOrder(storage: storage) }

    /// Every symbol sorted by name (bytewise, like `LC_ALL=C sort`), ties by address.
    ///
    /// Computed on each call (about 40 ms for 120,000 symbols); keep the result if
    /// you need it twice.
    public func symbolsSortedByName() -> [Symbol] {
        var symbols = Array(symbolsByAddress)
        symbols.sort { lhs, rhs in
            lhs.withUTF8Name { left in
                rhs.withUTF8Name { right in
                    let common = min(left.count, right.count)
                    for index in 0..<common where left[index] != right[index] {
                        return left[index] < right[index]
                    }
                    if left.count != right.count { return left.count < right.count }
                    return lhs.address < rhs.address || (lhs.address == rhs.address && lhs.id < rhs.id)
                }
            }
        }
        return symbols
    }

    /// All symbols in address order: a sequence that makes no copy of the index.
    public struct AddressOrder: Sequence, Sendable {
        let storage: IndexStorage

        /// The number of symbols.
        public var underestimatedCount: Int { storage.symbolCount }

        /// An iterator over every symbol, in address order.
        public func makeIterator() -> Iterator { Iterator(storage: storage) }

        /// Walks alias groups (stored preferred-last) backwards, merged with the absolute entries.
        public struct Iterator: IteratorProtocol {
            let storage: IndexStorage
            /// The current alias group is `groupStart..<groupEnd`; `cursor` counts down inside it.
            var groupStart = 0
            var groupEnd = 0
            var cursor = -1
            var pendingPrefix = false
            var absoluteGroupStart: Int
            var absoluteGroupEnd: Int
            var absoluteCursor: Int

            init(storage: IndexStorage) {
                self.storage = storage
                absoluteGroupStart = storage.searchableCount
                absoluteGroupEnd = storage.searchableCount
                absoluteCursor = storage.searchableCount - 1
            }

            /// The next symbol in address order, or nil after the last.
            public mutating func next() -> Symbol? {
                let searchable = peekSearchable()
                let absoluteEntry = peekAbsolute()
                let absoluteAddress = absoluteEntry.map { storage.address(of: $0) }
                if let (id, address) = searchable, absoluteAddress.map({ address <= $0 }) ?? true {
                    advanceSearchable()
                    return Symbol(storage: storage, id: id)
                }
                guard let absoluteEntry else { return nil }
                absoluteCursor -= 1
                return Symbol(storage: storage, id: UInt32(absoluteEntry) << 1)
            }

            /// Absolute entries are stored like the others, preferred last in
            /// each group of equal values, so they too are walked group by group.
            private mutating func peekAbsolute() -> Int? {
                if absoluteCursor < absoluteGroupStart {
                    absoluteGroupStart = absoluteGroupEnd
                    guard absoluteGroupStart < storage.entryCount else { return nil }
                    let value = storage.address(of: absoluteGroupStart)
                    absoluteGroupEnd = absoluteGroupStart + 1
                    while absoluteGroupEnd < storage.entryCount && storage.address(of: absoluteGroupEnd) == value {
                        absoluteGroupEnd += 1
                    }
                    absoluteCursor = absoluteGroupEnd - 1
                }
                return absoluteCursor >= absoluteGroupStart ? absoluteCursor : nil
            }

            private mutating func loadGroupIfNeeded() {
                guard cursor < groupStart && !pendingPrefix else { return }
                groupStart = groupEnd
                guard groupStart < storage.searchableCount else { return }
                groupEnd = storage.groupLast(groupStart) + 1
                cursor = groupEnd - 1
                pendingPrefix = storage.hasPrefix(groupStart)
            }

            private mutating func peekSearchable() -> (UInt32, UInt64)? {
                loadGroupIfNeeded()
                guard groupStart < storage.searchableCount else { return nil }
                if pendingPrefix {
                    return (UInt32(groupStart) << 1 | 1, storage.address(of: groupStart) - UInt64(storage.prefixDistance))
                }
                return (UInt32(cursor) << 1, storage.address(of: cursor))
            }

            private mutating func advanceSearchable() {
                if pendingPrefix { pendingPrefix = false } else { cursor -= 1 }
            }
        }
    }
}
