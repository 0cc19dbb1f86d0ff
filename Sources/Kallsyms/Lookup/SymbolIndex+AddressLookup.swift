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

    /// The id of the symbol whose extent contains `address`: the same answer
    /// as ``symbol(containing:)``, as a plain number.
    ///
    /// A ``Symbol`` holds a reference to the index, and copying or dropping it
    /// costs an atomic reference-count update (about 4 ns here). An id costs
    /// nothing to hold, so a loop that resolves one address at a time and
    /// aggregates (a profiler counting samples per function) stays free of
    /// reference counting; ``symbol(_:)`` turns the ids that matter into symbols.
    /// - Parameter address: a kernel virtual address.
    /// - Returns: the id, or nil where ``symbol(containing:)`` returns nil.
    @inlinable
    public func symbolID(containing address: UInt64) -> Symbol.ID? {
        storage.locate(address).map(Symbol.ID.init(rawValue:))
    }
}

extension IndexStorage {
    /// The id (`entry << 1 | isFoldedPrefix`) of the symbol containing `address`.
    @usableFromInline
    func locate(_ address: UInt64) -> UInt32? {
        guard let probe = search.probe(containing: address) else { return nil }
        return finish(probe, next: search.upperBound(probe), address: address)
    }

    /// The id of the symbol containing `address`, and that symbol's start.
    ///
    /// The start comes from the found entry's key, which the last stage has
    /// just read, and the segment the probe found, so the entry's segment
    /// is not looked up again. (Carrying the start out of `finish` instead
    /// made the batch of ids about 1 ns an address slower.)
    @usableFromInline
    func locateWithStart(_ address: UInt64) -> (id: UInt32, start: UInt64)? {
        guard let probe = search.probe(containing: address),
              let id = finish(probe, next: search.upperBound(probe), address: address) else { return nil }
        let entryAddress = search.segmentBases[probe.segment] &+ search.offset(of: IndexStorage.entry(ofSymbol: id))
        return (id, start(ofSymbol: id, entryAddress: entryAddress))
    }

    /// The last stage: from the first entry above the address to the answer.
    ///
    /// Written so that the common case takes no data-dependent branch: half
    /// of all entries carry a folded prefix, so testing that bit with a branch
    /// mispredicted on every other random lookup. Instead the next entry's
    /// first byte (its prefix's, when it has one) is computed arithmetically,
    /// and the one branch left, "the address is in that prefix", is rarely taken.
    @inline(__always)
    func finish(_ probe: AddressSearch.Probe, next: Int, address: UInt64) -> UInt32? {
        let offset = probe.query &>> 2
        let keys = search.keys.base
        // Past a segment's end this reads the next segment's first key or the
        // padding; only the extent path below runs then, since a segment's last
        // entry is always special.
        let nextKey = keys[next]
        let nextStart = nextKey &>> 2 &- ((nextKey &>> 1) & 1) &* prefixDistance
        if offset >= nextStart && next < probe.end {
            return UInt32(truncatingIfNeeded: next) &<< 1 | 1
        }
        // Only a query below entry 0 finds nothing before it: a segment's
        // base is its first entry's logical start, so a query in a segment
        // never stops at that segment's first entry here (one inside the
        // entry's folded prefix has just returned the prefix). Testing
        // against entry 0 instead of the segment's first entry saves a load a
        // lookup; the empty probe of a batch and an empty index (whose keys
        // are all padding) land here with `next` 0.
        guard next > 0 else { return nil }
        let entry = next &- 1
        let entryKey = keys[entry]
        // Not special: the entry ends where the next entry begins, which is above `offset`.
        if entryKey & AddressSearch.specialBit == 0 { return UInt32(truncatingIfNeeded: entry) &<< 1 }
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

    /// Resolves `count` (at most ``batchWidth``) addresses stage by stage, so
    /// that each stage's memory accesses for all of them are in flight at once.
    @inline(__always)
    func locateGroup(_ addresses: UnsafePointer<UInt64>, count: Int, probes: UnsafeMutablePointer<AddressSearch.Probe>,
                     into ids: UnsafeMutablePointer<UInt32>) {
        // An address below every segment gets a probe that finds nothing
        // without a test of its own in the later stages: its window is
        // empty (`end` is its position), so the second stage returns entry
        // 0; and `finish` returns nil, since the query (-1) is below entry
        // 0's start, and entry 0 is the first segment's first.
        let empty = AddressSearch.Probe(segment: 0, query: -1, position: 0, end: 0)
        // `while` loops, not `for index in 0..<count`: the range's iterator
        // kept a bounds check an iteration (2 instructions an address a pass).
        // And the search in a local: read through `self`, its columns' base
        // pointers were loaded again for every address.
        let search = self.search
        var index = 0
        while index < count {
            probes[index] = search.probe(containing: addresses[index]) ?? empty
            index &+= 1
        }
        index = 0
        while index < count {
            let probe = probes[index]
            probes[index].position = search.upperBound(probe)
            index &+= 1
        }
        // A separate pass, though the keys it reads came in with the windows:
        // merged into the pass above (13 fewer instructions an address), it
        // measured slower (10.9 ns against 10.6), as a mispredicted branch in
        // `finish` then also discards the window loads issued after it.
        index = 0
        while index < count {
            let probe = probes[index]
            ids[index] = finish(probe, next: probe.position, address: addresses[index]) ?? UInt32.max
            index &+= 1
        }
    }

    static let batchWidth = 8

    /// Resolves `addresses` in groups of ``batchWidth``, handing each result
    /// (`UInt32.max` for none) to `body` with its position, in order.
    @inline(__always)
    func locateInGroups(_ addresses: UnsafeBufferPointer<UInt64>, _ body: (Int, UInt32) -> Void) {
        guard let base = addresses.baseAddress else { return }
        let width = IndexStorage.batchWidth
        withUnsafeTemporaryAllocation(of: AddressSearch.Probe.self, capacity: width) { probes in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: width) { ids in
                var start = 0
                while start < addresses.count {
                    let count = min(width, addresses.count - start)
                    locateGroup(base + start, count: count, probes: probes.baseAddress!, into: ids.baseAddress!)
                    var index = 0
                    while index < count {
                        body(start &+ index, ids[index])
                        index &+= 1
                    }
                    start &+= count
                }
            }
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
        storage.locateInGroups(addresses) { position, id in
            results.append(id == UInt32.max ? nil
                : SymbolOffset(symbol: Symbol(storage: storage, id: id), address: addresses[position]))
        }
    }

    /// Resolves many addresses at once; see ``symbols(containing:into:)-(some Collection<UInt64>,_)``.
    @inlinable
    public func symbols(containing addresses: some Collection<UInt64>) -> [SymbolOffset?] {
        var results: [SymbolOffset?] = []
        symbols(containing: addresses, into: &results)
        return results
    }

}

extension SymbolIndex {
    /// Resolves many addresses to symbol ids: the fastest way to symbolize a
    /// profile or a batch of stack traces.
    ///
    /// An id is a plain number, so filling the buffer touches no reference
    /// count, and eight lookups at a time run stage by stage with their memory
    /// accesses in flight together. Aggregate by id, then turn the ids that
    /// matter into symbols with ``symbol(_:)`` and offsets with
    /// `address - symbol.address`.
    /// - Parameters:
    ///   - addresses: kernel addresses, in any order.
    ///   - ids: receives the id of the symbol containing each address, or nil;
    ///     must have room for `addresses.count` ids.
    public func symbolIDs(containing addresses: UnsafeBufferPointer<UInt64>,
                          into ids: UnsafeMutableBufferPointer<Symbol.ID?>) {
        precondition(ids.count >= addresses.count, "the id buffer is smaller than the address buffer")
        storage.locateInGroups(addresses) { position, id in
            ids[position] = id == UInt32.max ? nil : Symbol.ID(rawValue: id)
        }
    }

    /// The symbol with an id from ``symbolIDs(containing:into:)`` or ``Symbol/symbolID``.
    /// - Parameter id: an id from this index (ids of other indexes mean nothing here).
    public func symbol(_ id: Symbol.ID) -> Symbol {
        precondition(Int(id.rawValue >> 1) < storage.entryCount, "the id does not belong to this index")
        return Symbol(storage: storage, id: id.rawValue)
    }
}
