/// Symbol names compressed in the order the input lists them, before the
/// index has settled its entry order; ``storeBuilder(entries:flags:)`` then
/// hands them to the ``NameStore/Builder`` that files them into buckets in
/// entry order.
///
/// Compressing names (training the codec, encoding, hashing) is the larger
/// half of a build, and the other half (sorting, folding, keys, extents) only
/// decides where each name goes. Done in input order, the two halves run on
/// two threads at once, the names in chunks that the address side's thread
/// helps with once its own work is done (``encode()``). Each name is also
/// counted into its bucket's size as it is encoded, so that the store is
/// sized before the entry order is known: every name encoded here is an
/// entry's, whatever the order.
///
/// `__pfx_` padding names are left for later: nearly all of them fold into
/// the function they pad and are never stored. The few that stay are
/// encoded when the store is laid out, into the room their chunk left.
final class PendingNames: @unchecked Sendable {
    private let table: ParsedTable
    let codec: NameCodec
    private let encoder: NameCodec.PairEncoder
    /// The encoded names, back to back.
    private let codes: UnsafeMutablePointer<UInt8>
    /// Where each symbol's codes start in ``codes``.
    private let starts: UnsafeMutablePointer<UInt32>
    /// How many codes each symbol's name has; ``notEncoded`` for names left for later.
    private let lengths: UnsafeMutablePointer<UInt16>
    /// Each symbol's ``NameHash/filingHash(_:)``, for encoded names.
    private let hashes: UnsafeMutablePointer<UInt64>

    private static let notEncoded = UInt16.max

    /// The store's bucket count and record header size, fixed before the
    /// entries are known: from the names that are not `__pfx_` ones, which
    /// are nearly all the entries.
    private let bucketCount: Int
    private let headerSize: Int
    /// Bucket sizes in bytes (at `b + 2`, as ``NameStore/Builder`` takes
    /// them), one table for each of the two threads that may encode.
    private let bucketSizes: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>)
    /// How many threads have started ``encode()``; guarded by `chunkLock`.
    private var encoders = 0
    /// Whether ``storeBuilder(entries:flags:)`` has handed the first table on.
    private var sizesHandedOn = false

    /// Where each chunk of ``chunkSize`` symbols writes its codes: the raw
    /// length of the names before it, which its codes cannot exceed.
    private let chunkOffsets: [Int]
    /// Where each chunk's codes end once encoded: its `__pfx_` names'
    /// share of the room is still free there, for those encoded late.
    private let chunkEnds: UnsafeMutablePointer<Int>
    /// The next chunk to encode, for the threads sharing the work; guarded by `chunkLock`.
    private var nextChunk = 0
    private let chunkLock = BuildLock()

    /// Symbols a thread claims at a time.
    static let chunkSize = 2048

    /// Trains the codec on the pairs the parser counted in `table`'s names
    /// and makes room for the codes; ``encode()`` then encodes and hashes
    /// every name but the `__pfx_` ones. `table` must outlive this value.
    ///
    /// The codec's tables pass to the store that ``storeBuilder(entries:flags:)`` starts.
    init(training table: ParsedTable) {
        self.table = table
        let count = table.count
        (codec, encoder) = NameCodec.trained(on: table.namePairCounts, highBytesOccur: table.namesHaveHighBytes)
        // Encoded names are never longer than raw ones.
        var capacity = 0
        var chunkOffsets: [Int] = []
        chunkOffsets.reserveCapacity(count / PendingNames.chunkSize + 1)
        for symbol in 0..<count {
            if symbol % PendingNames.chunkSize == 0 { chunkOffsets.append(capacity) }
            capacity &+= Int(table.nameLengths[symbol])
        }
        self.chunkOffsets = chunkOffsets
        chunkEnds = .allocate(capacity: max(chunkOffsets.count, 1))
        codes = .allocate(capacity: max(capacity, 1))
        starts = .allocate(capacity: max(count, 1))
        lengths = .allocate(capacity: max(count, 1))
        hashes = .allocate(capacity: max(count, 1))
        bucketCount = NameStore.bucketCount(forEntries: count - table.paddingNames)
        headerSize = NameStore.headerSize(forEntries: count)
        let sizes = (UnsafeMutablePointer<UInt32>.allocate(capacity: bucketCount &+ 2),
                     UnsafeMutablePointer<UInt32>.allocate(capacity: bucketCount &+ 2))
        sizes.0.initialize(repeating: 0, count: bucketCount &+ 2)
        sizes.1.initialize(repeating: 0, count: bucketCount &+ 2)
        bucketSizes = sizes
    }

    /// Encodes and hashes chunks of names until none is left, counting each
    /// into its bucket's size; called by each thread of a build that has
    /// nothing else to do (at most two), so that whichever half of the build
    /// finishes first helps with the names.
    ///
    /// The address side used to take longer than the names; it now takes
    /// 2.0 to 3.9 ms against 3.5 to 4.8 for all the names (with the address
    /// side's thread helping for 0.8 to 1.4 of them), on the 6.18 snapshot,
    /// in instrumented builds. A fixed split of the names would be wrong one
    /// way or the other, since on this VM the two threads' speeds also
    /// differ from run to run.
    func encode() {
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: NameCodec.PairEncoder.scratchSize)
        defer { scratch.deallocate() }
        let sizes = chunkLock.withLock { () -> UnsafeMutablePointer<UInt32> in
            encoders += 1
            precondition(encoders <= 2, "at most two threads encode")
            return encoders == 1 ? bucketSizes.0 : bucketSizes.1
        }
        let (bucketCount, headerSize) = (self.bucketCount, self.headerSize)
        let count = table.count
        while let chunk = claimChunk() {
            var used = chunkOffsets[chunk]
            let first = chunk &* PendingNames.chunkSize
            for symbol in first..<min(first &+ PendingNames.chunkSize, count) {
                starts[symbol] = UInt32(truncatingIfNeeded: used)
                if table.namesPadding(symbol) {
                    lengths[symbol] = PendingNames.notEncoded
                    continue
                }
                let name = table.name(symbol)
                // Filed under the whole name: it has no `__pfx_` to drop.
                let hash = NameHash.hash(name.baseAddress!, count: name.count)
                hashes[symbol] = hash
                let length = encoder.encode(name, scratch: scratch, into: codes + used)
                lengths[symbol] = UInt16(truncatingIfNeeded: length)
                sizes[NameStore.bucket(hash, bucketCount: bucketCount) &+ 2]
                    &+= NameStore.recordSize(codes: length, headerSize: headerSize)
                used &+= length
            }
            chunkEnds[chunk] = used
        }
    }

    /// The next chunk no thread has claimed, or nil when all have been.
    private func claimChunk() -> Int? {
        chunkLock.withLock {
            guard nextChunk < chunkOffsets.count else { return nil }
            nextChunk += 1
            return nextChunk - 1
        }
    }

    deinit {
        codes.deallocate()
        starts.deallocate()
        lengths.deallocate()
        hashes.deallocate()
        chunkEnds.deallocate()
        if !sizesHandedOn { bucketSizes.0.deallocate() }
        bucketSizes.1.deallocate()
    }

    /// The names, to be laid out as a ``NameStore``: entry `e` is parsed
    /// symbol `entries[e]` with flags `flags[e]`, and both must stay valid
    /// until the builder's ``NameStore/Builder/finished()``. Call once,
    /// after ``encode()``; the builder's parts may then be written on any
    /// threads while this object lives.
    ///
    /// The two threads' bucket sizes are added up, and the few `__pfx_`
    /// names that were left for later but did not fold are encoded into
    /// their chunks' free room and counted; the builder then sizes the store.
    func storeBuilder(entries: UnsafeBufferPointer<UInt32>, flags: UnsafePointer<UInt8>) -> NameStore.Builder {
        precondition(!sizesHandedOn, "the store is built once")
        sizesHandedOn = true
        var bucketCount = self.bucketCount
        var sizes = bucketSizes.0
        let other = bucketSizes.1
        for bucket in 2..<(bucketCount &+ 2) { sizes[bucket] &+= other[bucket] }
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: NameCodec.PairEncoder.scratchSize)
        defer { scratch.deallocate() }
        for symbol in entries {
            let symbol = Int(symbol)
            guard _slowPath(lengths[symbol] == PendingNames.notEncoded) else { continue }
            let chunk = symbol / PendingNames.chunkSize
            let name = table.name(symbol)
            let used = chunkEnds[chunk]
            let length = encoder.encode(name, scratch: scratch, into: codes + used)
            let hash = NameHash.filingHash(name)
            starts[symbol] = UInt32(truncatingIfNeeded: used)
            lengths[symbol] = UInt16(truncatingIfNeeded: length)
            hashes[symbol] = hash
            sizes[NameStore.bucket(hash, bucketCount: bucketCount) &+ 2]
                &+= NameStore.recordSize(codes: length, headerSize: headerSize)
            chunkEnds[chunk] = used &+ length
        }
        // The buckets were planned for the names that are not `__pfx_` ones,
        // nearly all the entries when padding folds. When much of it stays
        // (a table of padding names alone, say), they are counted again for
        // the real entries: else every bucket would hold many times the
        // planned four names, and each lookup would walk them all.
        let wanted = NameStore.bucketCount(forEntries: entries.count)
        if wanted > 2 &* bucketCount {
            let recounted = UnsafeMutablePointer<UInt32>.allocate(capacity: wanted &+ 2)
            recounted.initialize(repeating: 0, count: wanted &+ 2)
            for symbol in entries {
                let symbol = Int(symbol)
                recounted[NameStore.bucket(hashes[symbol], bucketCount: wanted) &+ 2]
                    &+= NameStore.recordSize(codes: Int(lengths[symbol]), headerSize: headerSize)
            }
            sizes.deallocate()
            sizes = recounted
            bucketCount = wanted
        }
        let builder = NameStore.Builder(entries: entries, flags: flags, hashes: hashes, codes: codes,
                                        codeStarts: starts, codeCounts: lengths, codec: codec,
                                        bucketCount: bucketCount, headerSize: headerSize, sizes: sizes)
        builder.size()
        return builder
    }
}
