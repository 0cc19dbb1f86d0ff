/// Symbol names compressed in the order the input lists them, before the
/// index has settled its entry order; ``storeBuilder(entries:)`` then
/// hands them, in entry order, to the ``NameStore/Builder`` that files them
/// into buckets.
///
/// Compressing names (training the codec, encoding, hashing) is the larger
/// half of a build, and the other half (sorting, folding, keys, extents) only
/// decides where each name goes. Done in input order, the two halves run on
/// two threads at once, the names in chunks that the address side's thread
/// helps with once its own work is done (``encode()``); the layout
/// afterwards copies code bytes.
///
/// `__pfx_` padding names are left for later: nearly all of them fold into
/// the function they pad and are never stored. The few that stay are
/// encoded when the store is laid out.
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
    /// The codes of the names encoded late, by ``storeBuilder(entries:)``.
    private var leftOverCodes: UnsafeMutablePointer<UInt8>?

    private static let notEncoded = UInt16.max

    /// Where each chunk of ``chunkSize`` symbols writes its codes: the raw
    /// length of the names before it, which its codes cannot exceed.
    private let chunkOffsets: [Int]
    /// The next chunk to encode, for the threads sharing the work; guarded by `chunkLock`.
    private var nextChunk = 0
    private let chunkLock = BuildLock()

    /// Symbols a thread claims at a time.
    static let chunkSize = 2048

    /// Trains the codec on the pairs the parser counted in `table`'s names
    /// and makes room for the codes; ``encode()`` then encodes and hashes
    /// every name but the `__pfx_` ones. `table` must outlive this value.
    ///
    /// The codec's tables pass to the store that ``storeBuilder(entries:)`` starts.
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
        codes = .allocate(capacity: max(capacity, 1))
        starts = .allocate(capacity: max(count, 1))
        lengths = .allocate(capacity: max(count, 1))
        hashes = .allocate(capacity: max(count, 1))
    }

    /// Encodes and hashes chunks of names until none is left; called by each
    /// thread of a build that has nothing else to do, so that whichever half
    /// of the build finishes first helps with the names.
    ///
    /// The address side used to take longer than the names; it now takes
    /// 2.5 to 4.3 ms against 4.9 for all the names, on the 6.18 snapshot, in
    /// instrumented builds. A fixed split of the names would be wrong one way
    /// or the other, since on this VM the two threads' speeds also differ
    /// from run to run.
    func encode() {
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: NameCodec.PairEncoder.scratchSize)
        defer { scratch.deallocate() }
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
                hashes[symbol] = NameHash.hash(name.baseAddress!, count: name.count)
                let length = encoder.encode(name, scratch: scratch, into: codes + used)
                lengths[symbol] = UInt16(truncatingIfNeeded: length)
                used &+= length
            }
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
        leftOverCodes?.deallocate()
    }

    /// The names, to be laid out as a ``NameStore``: entry `e` is parsed
    /// symbol `entries[e]`. Call once; the builder's parts may then be
    /// written on any threads while this object lives.
    ///
    /// First each entry's filing hash is gathered, and the few `__pfx_`
    /// names that were left for later but did not fold are encoded, into a
    /// buffer of their own; the builder then sizes the store.
    func storeBuilder(entries: UnsafeBufferPointer<UInt32>) -> NameStore.Builder {
        precondition(leftOverCodes == nil, "the store is built once")
        let count = entries.count
        // Room for every left-over name's codes (never more than its bytes),
        // and the encoder's scratch after them.
        var leftOverBytes = 0
        for symbol in entries where lengths[Int(symbol)] == PendingNames.notEncoded {
            leftOverBytes &+= Int(table.nameLengths[Int(symbol)])
        }
        let builder = NameStore.Builder(count: count, codec: codec)
        let leftOvers = UnsafeMutablePointer<UInt8>.allocate(capacity: leftOverBytes &+ NameCodec.PairEncoder.scratchSize)
        leftOverCodes = leftOvers
        var leftOverUsed = 0
        for (entry, symbol) in entries.enumerated() {
            let symbol = Int(symbol)
            let length = lengths[symbol]
            if _fastPath(length != PendingNames.notEncoded) {
                builder.add(entry, hash: hashes[symbol], codes: codes + Int(starts[symbol]), count: Int(length))
                continue
            }
            let name = table.name(symbol)
            let encoded = encoder.encode(name, scratch: leftOvers + leftOverBytes, into: leftOvers + leftOverUsed)
            builder.add(entry, hash: NameHash.filingHash(name), codes: leftOvers + leftOverUsed, count: encoded)
            leftOverUsed &+= encoded
        }
        builder.size()
        return builder
    }
}
