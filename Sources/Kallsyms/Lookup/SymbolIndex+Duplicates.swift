extension SymbolIndex {
    /// A name that more than one symbol has.
    public struct DuplicateName: Sendable {
        /// The shared name.
        public let name: String
        /// Every symbol with it, in address order.
        public let symbols: [Symbol]
        /// Each symbol's unique qualified name (``Symbol/qualifiedName``), in the same order.
        public var qualifiedNames: [String] {
            guard let first = symbols.first else { return [] }
            let names = QualifiedName.uniqueNames(for: symbols.map(\.candidate))
            _ = first
            return names.map(\.description)
        }
    }

    /// Every name held by two or more symbols, sorted by name.
    ///
    /// All symbols of one name share a hash bucket, so this walks the buckets
    /// once instead of sorting all names.
    public func duplicateNames() -> [DuplicateName] {
        var names: Set<String> = []
        let table = storage.nameTable
        let bucketCount = table.directory.count - 1
        for bucket in 0..<bucketCount {
            let slots = Int(table.directory[bucket])..<Int(table.directory[bucket + 1])
            guard slots.count > 0 else { continue }
            for slot in slots {
                let packed = table.slots[slot]
                let entry = Int(packed & table.indexMask)
                let name = storage.names.encodedName(entry)
                // A later slot with the same name makes a direct duplicate; a
                // folded prefix adds "__pfx_" + name as a candidate.
                var seenEarlier = false
                for earlier in slots.lowerBound..<slot where table.slots[earlier] & ~table.indexMask == packed & ~table.indexMask {
                    let other = storage.names.encodedName(Int(table.slots[earlier] & table.indexMask))
                    if other.elementsEqual(name) { seenEarlier = true; break }
                }
                if seenEarlier {
                    names.insert(storage.names.withName(entry) { String(decoding: $0, as: UTF8.self) })
                }
                if storage.hasPrefix(entry) {
                    names.insert(storage.names.withName(entry, prefix: IndexStorage.prefixName) { String(decoding: $0, as: UTF8.self) })
                }
            }
        }
        var result: [DuplicateName] = []
        for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let matches = symbols(named: name)
            if matches.count > 1 { result.append(DuplicateName(name: name, symbols: Array(matches))) }
        }
        return result
    }
}
