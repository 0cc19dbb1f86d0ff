/// Symbol names compressed in the order the input lists them, before the
/// index has settled its entry order; ``store(entries:)`` then lays them out
/// as a ``NameStore`` in entry order.
///
/// Compressing names (training the codec, encoding, hashing) is the larger
/// half of a build, and the other half (sorting, folding, keys, extents) only
/// decides where each name goes. Done in input order, the two halves run on
/// two threads at once, the names in chunks that the address side's thread
/// helps with once its own work is done (``encode()``); the layout
/// afterwards is a copy of code bytes.
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
    /// The codec's tables pass to the store that ``store(entries:)`` makes.
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
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 72)
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
    }

    /// The filing hash of each entry's name, entry `e` being parsed symbol `entries[e]`.
    func hashes(entries: UnsafeBufferPointer<UInt32>) -> [UInt64] {
        [UInt64](unsafeUninitializedCapacity: entries.count) { buffer, initialized in
            for (entry, symbol) in entries.enumerated() {
                let symbol = Int(symbol)
                buffer[entry] = lengths[symbol] == PendingNames.notEncoded
                    ? NameHash.filingHash(table.name(symbol)) : hashes[symbol]
            }
            initialized = entries.count
        }
    }

    /// The names laid out in entry order: entry `e` is parsed symbol `entries[e]`.
    ///
    /// Names are grouped in blocks of ``NameStore/blockSize``, each a header of
    /// code counts followed by the names' codes (see ``NameStore``).
    func store(entries: UnsafeBufferPointer<UInt32>) -> NameStore {
        let blockSize = NameStore.blockSize
        // Each block's header, each name's codes (for a name left for later,
        // its raw length bounds them), and 2 bytes before a long name's codes.
        // Sized from the code counts, not the raw lengths (nearly twice as
        // much): a heap that has been used before hands out pages that are
        // already resident, so the slack would be resident too.
        var capacity = (entries.count / blockSize + 1) * blockSize
        for symbol in entries {
            let length = Int(lengths[Int(symbol)])
            let bound = length == Int(PendingNames.notEncoded) ? Int(table.nameLengths[Int(symbol)]) : length
            capacity &+= bound &+ (bound >= NameStore.longName ? 2 : 0)
        }
        // Lookups read 16 code bytes from a name's start whatever its length.
        capacity &+= NameStore.readPadding
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity, 1))
        var blockStarts = [UInt32]()
        blockStarts.reserveCapacity(entries.count / blockSize + 1)
        // Room to encode a `__pfx_` name left for later: at most 512 bytes.
        let pending = UnsafeMutablePointer<UInt8>.allocate(capacity: SymbolTableParser.maximumNameLength + 72)
        defer { pending.deallocate() }
        var used = 0
        var header = 0
        for (entry, symbol) in entries.enumerated() {
            let symbol = Int(symbol)
            let slot = entry & (blockSize &- 1)
            if slot == 0 {
                blockStarts.append(UInt32(truncatingIfNeeded: used))
                header = used
                (arena + used).initialize(repeating: 0, count: blockSize)
                used &+= blockSize
            }
            var length = Int(lengths[symbol])
            var source = UnsafePointer(codes + Int(starts[symbol]))
            if length == Int(PendingNames.notEncoded) {
                length = encoder.encode(table.name(symbol), scratch: pending + SymbolTableParser.maximumNameLength,
                                        into: pending)
                source = UnsafePointer(pending)
            }
            if length < NameStore.longName {
                arena[header &+ slot] = UInt8(truncatingIfNeeded: length)
            } else {
                // The rare long name: its length in two bytes before the codes.
                arena[header &+ slot] = UInt8(NameStore.longName)
                arena[used] = UInt8(truncatingIfNeeded: length)
                arena[used &+ 1] = UInt8(truncatingIfNeeded: length >> 8)
                used &+= 2
            }
            (arena + used).initialize(from: source, count: length)
            used &+= length
        }
        assert(used &+ NameStore.readPadding <= capacity, "the name arena was sized too small")
        (arena + used).initialize(repeating: 0, count: NameStore.readPadding)
        return NameStore(arena: Column(adopting: arena, count: used), blockStarts: Column(blockStarts), codec: codec)
    }
}
