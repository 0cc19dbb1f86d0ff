extension SymbolIndex {
    /// The symbol whose extent contains `address`, and the offset into it.
    ///
    /// Resolves as the kernel's `kallsyms_lookup` does: the symbol with the
    /// greatest start at or below `address`, if `address` is before that
    /// symbol's end (the next symbol's start, or the end of its region). Among
    /// aliases, the kernel's preferred name wins (see ``Symbol``). Returns nil for
    /// addresses the kernel would not symbolize: outside the text sections when
    /// the table has only text symbols, past `_end`, or past the last symbol of a
    /// module whose end is unknown.
    ///
    /// Does not allocate.
    /// - Parameter address: a kernel virtual address.
    /// - Returns: the symbol and offset, or nil.
    @inlinable
    public func symbol(containing address: UInt64) -> SymbolOffset? {
        guard let id = storage.locate(address) else { return nil }
        return SymbolOffset(symbol: Symbol(storage: storage, id: id), address: address)
    }
}

extension IndexStorage {
    /// The id (`entry << 1 | isFoldedPrefix`) of the symbol containing `address`.
    @usableFromInline
    func locate(_ address: UInt64) -> UInt32? {
        guard let segment = search.segment(containing: address) else { return nil }
        let delta = address &- search.segmentBases[segment]
        // Keys are `offset << 2 | flags`; `| 3` makes the comparison ignore the flags.
        let query = delta >= UInt64(Int32.max >> 2) ? Int32.max : Int32(truncatingIfNeeded: delta) &<< 2 | 3
        let offset = query &>> 2
        let low = Int(search.segmentStarts[segment])
        let high = Int(search.segmentStarts[segment &+ 1])
        let next = search.upperBound(query, segment: segment)
        let keys = search.keys.base
        // Entries past the end read the padding, Int32.max, which has no flags set.
        let nextKey = keys[next]
        if nextKey & AddressSearch.prefixBit != 0 && next < high && offset >= nextKey &>> 2 &- prefixDistance {
            return UInt32(truncatingIfNeeded: next) &<< 1 | 1
        }
        guard next > low else { return nil }
        let entry = next &- 1
        let entryKey = keys[entry]
        if entryKey & AddressSearch.specialBit == 0 {
            // Not special, so the next entry exists in this segment.
            var end = nextKey &>> 2
            if nextKey & AddressSearch.prefixBit != 0 { end &-= prefixDistance }
            return offset < end ? UInt32(truncatingIfNeeded: entry) &<< 1 : nil
        }
        let extent = extents.extent(of: entry)
        switch extent.kind {
        case .bounded:
            return address < extent.end ? UInt32(truncatingIfNeeded: entry) &<< 1 : nil
        case .unknownSize:
            return offset == entryKey &>> 2 ? UInt32(truncatingIfNeeded: entry) &<< 1 : nil
        case .notSymbolizable:
            return nil
        }
    }
}

extension SymbolIndex {
    /// Resolves many addresses at once (a stack trace, a batch of profile
    /// samples), replacing the contents of `results` with one answer per address.
    ///
    /// Reuses `results`' capacity, so a caller that keeps the array allocates
    /// nothing after the first batch. The lookups are interleaved in groups of
    /// eight, so the cache misses of one overlap those of the others.
    /// - Parameters:
    ///   - addresses: kernel addresses, in any order.
    ///   - results: receives `symbol(containing:)` of each address, in order.
    @inlinable
    public func symbols(containing addresses: some Collection<UInt64>, into results: inout [SymbolOffset?]) {
        results.removeAll(keepingCapacity: true)
        let handled: Void? = addresses.withContiguousStorageIfAvailable { buffer in
            symbols(containing: buffer, into: &results)
        }
        if handled == nil {
            let copy = Array(addresses)
            copy.withUnsafeBufferPointer { symbols(containing: $0, into: &results) }
        }
    }

    /// Resolves the addresses in a buffer; see ``symbols(containing:into:)-(some Collection<UInt64>,_)``.
    public func symbols(containing addresses: UnsafeBufferPointer<UInt64>, into results: inout [SymbolOffset?]) {
        results.removeAll(keepingCapacity: true)
        results.reserveCapacity(addresses.count)
        let storage = self.storage
        let groupSize = 8
        var ids = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
        var start = 0
        while start < addresses.count {
            let count = min(groupSize, addresses.count - start)
            withUnsafeMutableBytes(of: &ids) { raw in
                let slots = raw.bindMemory(to: UInt32.self)
                // Independent lookups: the CPU overlaps their memory accesses.
                for offset in 0..<count {
                    slots[offset] = storage.locate(addresses[start &+ offset]) ?? UInt32.max
                }
            }
            withUnsafeBytes(of: &ids) { raw in
                let slots = raw.bindMemory(to: UInt32.self)
                for offset in 0..<count {
                    let id = slots[offset]
                    results.append(id == UInt32.max ? nil
                        : SymbolOffset(symbol: Symbol(storage: storage, id: id), address: addresses[start &+ offset]))
                }
            }
            start &+= count
        }
    }

    /// Resolves many addresses at once; see ``symbols(containing:into:)-(some Collection<UInt64>,_)``.
    @inlinable
    public func symbols(containing addresses: some Collection<UInt64>) -> [SymbolOffset?] {
        var results: [SymbolOffset?] = []
        symbols(containing: addresses, into: &results)
        return results
    }

    public func _probe(_ address: UInt64) -> UInt32? { storage.locate(address) }
}
