extension SymbolIndex {
    // The four lookups by name are always inlined, down to the call of
    // `collectMatches`, so the caller's frame holds the matches: no copy of
    // the 80-byte result out of a wrapper, and a caller that reads the first
    // match and drops it pays no reference count for the matches. (Measured
    // in -O loops over random names, against the wrapper called out of
    // line: 535 to 504 instructions a lookup as ids, 610 to 580 as symbols,
    // 811 to 806 reading every symbol of duplicated names. `@inlinable`
    // alone was not enough: at -O the package benchmark's loops still
    // called the wrapper, and retained and released the query around it.)
    //
    // The String's bytes are reached inside the out-of-line
    // `collectMatches(named:)`, not in the inlined code: with the closure
    // that reads them inlined, the caller retained and released the index
    // around every lookup whose symbols it iterated (844 instructions, not
    // 806, on duplicated names), though it saved 16 on the other lookups.
    //
    // `@_effects(releasenone)` on both `collectMatches`: the search releases
    // nothing its caller holds (the only objects it can free are the
    // overflow arrays it makes itself). Told so, the compiler lets a caller
    // pass a String it merely borrows, such as an array element, without
    // retaining and releasing it around the call; otherwise every lookup
    // from a loop over names paid two atomic read-modify-writes on the
    // query's storage (full barriers on x86), on a cache line that the
    // lookup itself never needs.

    /// Every symbol called `name`, in address order: all duplicates, never
    /// just the first or the last.
    ///
    /// Does not allocate, except for names shared by more than 16 symbols.
    /// - Parameter name: the exact name, such as `init_once` or `__pfx_vfs_read`.
    /// - Returns: the matches; empty when there are none.
    @inlinable @inline(__always)
    public func symbols(named name: String) -> SymbolMatches {
        SymbolMatches(storage: storage, ids: symbolIDs(named: name))
    }

    /// The ids of every symbol called `name`, in address order: the same
    /// answer as ``symbols(named:)``, without reference counting.
    ///
    /// A ``Symbol`` (and so ``SymbolMatches``) holds a reference to the index,
    /// and making or dropping one is an atomic reference-count update; ids are
    /// plain numbers. For loops that resolve many names; ``symbol(_:)`` turns
    /// an id into a symbol.
    /// - Parameter name: the exact name.
    /// - Returns: the ids; empty when there are none.
    @inlinable @inline(__always)
    public func symbolIDs(named name: String) -> SymbolIDMatches {
        storage.matches(named: name, region: nil)
    }

    /// The symbols called `name` in one module.
    /// - Parameters:
    ///   - name: the exact symbol name.
    ///   - module: a module name as `/proc/kallsyms` prints it without brackets
    ///     (`xfs`, `bpf`), or `vmlinux` for the kernel itself.
    /// - Returns: the matches in that module, in address order; empty when the
    ///   module is unknown.
    public func symbols(named name: String, inModule module: String) -> SymbolMatches {
        guard let region = storage.region(named: module) else { return SymbolMatches(storage: storage, ids: .init()) }
        return SymbolMatches(storage: storage, ids: storage.matches(named: name, region: region))
    }

    /// Every symbol whose name is the given UTF-8 bytes, in address order.
    /// - Parameter utf8: the name's bytes; they need not outlive the call.
    /// - Returns: the matches; empty when there are none.
    @inlinable @inline(__always)
    public func symbols(named utf8: UnsafeBufferPointer<UInt8>) -> SymbolMatches {
        SymbolMatches(storage: storage, ids: symbolIDs(named: utf8))
    }

    /// The ids of every symbol whose name is the given UTF-8 bytes, in
    /// address order; see ``symbolIDs(named:)-(String)``.
    /// - Parameter utf8: the name's bytes; they need not outlive the call.
    /// - Returns: the ids; empty when there are none.
    @inlinable @inline(__always)
    public func symbolIDs(named utf8: UnsafeBufferPointer<UInt8>) -> SymbolIDMatches {
        storage.matches(for: UnsafeRawBufferPointer(utf8), region: nil)
    }
}

extension IndexStorage {
    func region(named module: String) -> Int? {
        if module == "vmlinux" { return 0 }
        return regions.firstIndex(where: { $0?.name == module })
    }

    /// The entries named `name` (and the folded `__pfx_` symbols it names),
    /// optionally only those in one region.
    @inlinable @inline(__always)
    func matches(named name: String, region: Int?) -> SymbolIDMatches {
        var matches = SymbolIDMatches()
        collectMatches(named: name, region: region, into: &matches)
        return matches
    }

    /// ``collectMatches(for:region:into:)`` for a String's bytes.
    ///
    /// The bytes are read in place through `withCString`, which is inlinable
    /// down to the storage's address for a native string (and copies a small
    /// one's 15 bytes to the stack); `count` bytes from there are the whole
    /// string, interior NULs included. `utf8.span` was a call into the
    /// standard library (27 instructions a lookup, 8 more than this),
    /// `utf8.withContiguousStorageIfAvailable` retained and released the
    /// string's storage around the search (two atomic updates, about 50
    /// instructions), and `var copy = name; copy.withUTF8` more.
    @inline(never) @usableFromInline @_effects(releasenone)
    func collectMatches(named name: String, region: Int?, into matches: inout SymbolIDMatches) {
        let count = name.utf8.count
        name.withCString {
            collectMatches(for: UnsafeRawBufferPointer(start: $0, count: count), region: region, into: &matches)
        }
    }

    /// The entries named `query` (and the folded `__pfx_` symbols it names),
    /// optionally only those in one region.
    @inlinable @inline(__always)
    func matches(for query: UnsafeRawBufferPointer, region: Int?) -> SymbolIDMatches {
        var matches = SymbolIDMatches()
        collectMatches(for: query, region: region, into: &matches)
        return matches
    }

    /// Appends the entries named `query`, and the folded `__pfx_` symbols it
    /// names, to `matches` in address order.
    ///
    /// Entries are filed under their name without one leading `__pfx_`
    /// (``NameHash/filingHash(_:)``), so `__pfx_foo` and `foo` share a bucket: a
    /// query for a padding symbol finds both a stored `__pfx_foo` and a
    /// `foo` that carries a folded prefix in one walk, not two.
    ///
    /// Kept out of line, with two copies of the bucket walk: one for the
    /// usual query (no `__pfx_`, any module), where the folded-prefix and
    /// module tests fold away (9 instructions and 0.4 mispredicts a lookup
    /// fewer), and one for the rest. When the loop was inlined at each of
    /// its six call sites the function grew so large that the optimizer
    /// stopped inlining even `multipliedFullWidth` and buffer accessors into
    /// it, about 150 instructions a lookup in calls.
    @inline(never) @usableFromInline @_effects(releasenone)
    func collectMatches(for query: UnsafeRawBufferPointer, region: Int?, into matches: inout SymbolIDMatches) {
        let start = query.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        let count = query.count
        let namesPadding = count > 6 && IndexStorage.hasPrefixName(query)
        if region == nil && !namesPadding {
            // The usual query: its own name, under its own hash, anywhere.
            probe(key: start, keyCount: count, direct: start, folded: nil, count: count, region: nil, into: &matches)
            return
        }
        // Otherwise the query itself, in one module or as a padding name.
        guard namesPadding else {
            probe(key: start, keyCount: count, direct: start, folded: nil, count: count, region: region,
                  into: &matches)
            return
        }
        // A query for `__pfx_foo` also names the prefix folded into `foo`:
        // both are filed under `foo`.
        let key = start + 6
        let keyCount = count &- 6
        guard keyCount > 6 && IndexStorage.hasPrefixName(UnsafeRawBufferPointer(start: key, count: keyCount)) else {
            probe(key: key, keyCount: keyCount, direct: start, folded: key, count: count, region: region,
                  into: &matches)
            return
        }
        // `__pfx___pfx_x`: the stored `__pfx___pfx_x` is filed under
        // `__pfx_x`, the `__pfx_x` with a folded prefix under `x`: two walks.
        let before = matches.count
        probe(key: key, keyCount: keyCount, direct: start, folded: nil, count: count, region: region, into: &matches)
        let afterStored = matches.count
        probe(key: key + 6, keyCount: keyCount &- 6, direct: nil, folded: key, count: count, region: region,
              into: &matches)
        // Each walk appends in entry order, which is already the ids' order (an
        // entry has one name, so one walk cannot match it both as a folded
        // prefix and as itself). Only when both walks found symbols may their
        // runs interleave.
        if afterStored > before && matches.count > afterStored { matches.sortByAddress() }
    }

    /// Walks the bucket of `key`, appending entries named `direct` (`count`
    /// bytes) and entries named `folded` (`count - 6` bytes) that carry a
    /// folded prefix, in entry order.
    @inline(__always)
    private func probe(key: UnsafeRawPointer, keyCount: Int, direct: UnsafeRawPointer?, folded: UnsafeRawPointer?,
                       count: Int, region: Int?, into matches: inout SymbolIDMatches) {
        let hash = NameHash.hash(key, count: keyCount)
        let names = self.names
        let bucket = names.bucket(filedUnder: hash)
        let fingerprint = NameStore.fingerprint(hash)
        // The encodings of the two names once a match has shown them: equal
        // names have equal encodings, so later duplicates are compared as
        // code bytes instead of being decoded.
        var directEncoding: UnsafeBufferPointer<UInt8>? = nil
        var foldedEncoding: UnsafeBufferPointer<UInt8>? = nil
        // Eight fingerprints at a time; buckets of more than eight are rare.
        var first = 0
        var candidates = bucket.records(from: 0, fingerprinted: fingerprint)
        while true {
            while candidates != 0 {
                let candidate = first &+ candidates.trailingZeroBitCount &>> 3
                candidates &= candidates &- 1
                let (entry, foldsPrefix, encoded) = names.record(candidate, in: bucket)
                let id: UInt32
                if let folded, foldsPrefix,
                   verify(encoded, against: folded, count: count &- 6, knownEncoding: &foldedEncoding) {
                    id = UInt32(truncatingIfNeeded: entry) &<< 1 | 1
                } else if let direct, verify(encoded, against: direct, count: count, knownEncoding: &directEncoding) {
                    id = UInt32(truncatingIfNeeded: entry) &<< 1
                } else {
                    continue
                }
                if let region {
                    if self.region(of: entry) == region { matches.append(id) }
                } else {
                    matches.append(id)
                }
            }
            first &+= 8
            guard _slowPath(first < bucket.count) else { return }
            candidates = bucket.records(from: first, fingerprinted: fingerprint)
        }
    }

    /// Whether `encoded` is the name at `query` (`count` bytes): by its code
    /// bytes when a match has already shown that name's encoding, else by
    /// decoding, keeping the encoding on success.
    @inline(__always)
    private func verify(_ encoded: UnsafeBufferPointer<UInt8>, against query: UnsafeRawPointer, count: Int,
                        knownEncoding: inout UnsafeBufferPointer<UInt8>?) -> Bool {
        if let known = knownEncoding {
            return known.count == encoded.count
                && NameCodec.equalBytes(UnsafeRawPointer(known.baseAddress!), UnsafeRawPointer(encoded.baseAddress!),
                                        count: encoded.count)
        }
        guard names.codec.matches(encoded, query: query, count: count) else { return false }
        knownEncoding = encoded
        return true
    }
}
