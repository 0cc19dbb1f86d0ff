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
    /// All symbols of one name share a bucket of the name store, so this
    /// walks the buckets once instead of sorting all names.
    public func duplicateNames() -> [DuplicateName] {
        var names: Set<String> = []
        let store = storage.names
        var bucket: [(fingerprint: UInt8, record: NameStore.Record)] = []
        for number in 0..<store.bucketCount {
            bucket.removeAll(keepingCapacity: true)
            let records = store.bucket(number)
            store.forEachRecord(in: records) { position, record in
                bucket.append((records.fingerprints[position], record))
            }
            for (position, member) in bucket.enumerated() {
                let seenEarlier = bucket[..<position].contains { other in
                    other.fingerprint == member.fingerprint && other.record.codes.elementsEqual(member.record.codes)
                }
                if seenEarlier {
                    names.insert(store.withName(member.record.entry) { String(decoding: $0, as: UTF8.self) })
                }
                if member.record.foldsPrefix {
                    names.insert(store.withName(member.record.entry, prefix: IndexStorage.prefixName) {
                        String(decoding: $0, as: UTF8.self)
                    })
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
