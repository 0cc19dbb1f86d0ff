extension SymbolIndex {
    /// A name that more than one symbol has.
    public struct DuplicateName: Sendable {
        /// The shared name.
        public let name: String
        /// Every symbol with it, in address order.
        public let symbols: [Symbol]
        /// Each symbol's unique qualified name (``Symbol/qualifiedName``), in the same order.
        public var qualifiedNames: [String] {
            QualifiedName.uniqueNames(for: symbols.map(\.candidate)).map(\.description)
        }
    }

    /// Every name held by two or more symbols, sorted by name.
    ///
    /// All symbols of one name share a hash bucket, so this walks the buckets
    /// once instead of sorting all names.
    public func duplicateNames() -> [DuplicateName] {
        var names: Set<String> = []
        let table = storage.nameTable
        let capacity = table.slots.count
        // All symbols of one name sit in one run of occupied slots (linear
        // probing), so duplicates are found by comparing within runs.
        guard let firstFree = (0..<capacity).first(where: { table.slots[$0] == 0 }) else { return [] }
        var run: [(packed: UInt32, entry: Int)] = []
        for step in 1...capacity {
            let slot = (firstFree + step) % capacity
            let packed = table.slots[slot]
            if let entry = table.entry(packed) {
                run.append((packed, entry))
                continue
            }
            for (position, member) in run.enumerated() {
                let name = storage.names.encodedName(member.entry)
                let seenEarlier = run[..<position].contains { other in
                    other.packed & table.fingerprintMask == member.packed & table.fingerprintMask
                        && storage.names.encodedName(other.entry).elementsEqual(name)
                }
                if seenEarlier {
                    names.insert(storage.names.withName(member.entry) { String(decoding: $0, as: UTF8.self) })
                }
                if storage.hasPrefix(member.entry) {
                    names.insert(storage.names.withName(member.entry, prefix: IndexStorage.prefixName) {
                        String(decoding: $0, as: UTF8.self)
                    })
                }
            }
            run.removeAll(keepingCapacity: true)
        }
        var result: [DuplicateName] = []
        for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let matches = symbols(named: name)
            if matches.count > 1 { result.append(DuplicateName(name: name, symbols: Array(matches))) }
        }
        return result
    }
}
