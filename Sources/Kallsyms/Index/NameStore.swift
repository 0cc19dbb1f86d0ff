import Dispatch

/// Every stored symbol name, in entry order, compressed, in one byte arena.
///
/// Names are grouped in blocks of ``blockSize`` entries and only a block's
/// start is kept, which saves 4 bytes a symbol over an offset per name. A
/// block is a header of eight length bytes, one per name, followed by the
/// names' ``NameCodec`` bytes. A name's place is the block start plus the
/// header plus the sum of the lengths before it: a few arithmetic
/// instructions on the header read as one word, where walking the names one
/// length at a time took about 40 (a dependent load and a branch per name).
///
/// A name of ``longName`` codes or more has that value as its header byte and
/// its real length in two bytes in front of its codes; the (rare) blocks that
/// hold one are walked name by name.
struct NameStore {
    /// Eight names a block: the header is read as one `UInt64`.
    static let blockShift = 3
    static let blockSize = 1 << blockShift

    let arena: Column<UInt8>
    let blockStarts: Column<UInt32>
    let codec: NameCodec

    var byteCount: Int { arena.byteCount + blockStarts.byteCount + codec.byteCount }

    func deallocate() {
        arena.deallocate()
        blockStarts.deallocate()
        codec.deallocate()
    }

    /// A header byte meaning "the length is in the two bytes before the codes".
    static let longName = 0xFF

    /// The encoded bytes of entry `entry`'s name, valid while the store lives.
    @inline(__always)
    func encodedName(_ entry: Int) -> UnsafeBufferPointer<UInt8> {
        let block = arena.base + Int(blockStarts[entry &>> NameStore.blockShift])
        let slot = entry & (NameStore.blockSize &- 1)
        let header = UnsafeRawPointer(block).loadUnaligned(as: UInt64.self)
        // Bytes 0..<slot of the header, summed as four 16-bit lanes (each at
        // most 2 x 255), then the lanes summed by a multiply into the top lane.
        let before = header & ((1 &<< UInt64(slot &* 8)) &- 1)
        let lanes = (before & 0x00FF_00FF_00FF_00FF) &+ ((before &>> 8) & 0x00FF_00FF_00FF_00FF)
        let offset = Int(truncatingIfNeeded: (lanes &* 0x0001_0001_0001_0001) &>> 48)
        let length = Int(truncatingIfNeeded: (header &>> UInt64(slot &* 8)) & 0xFF)
        if _fastPath(!NameStore.hasLongName(header)) {
            return UnsafeBufferPointer(start: block + NameStore.blockSize + offset, count: length)
        }
        return encodedNameInLongBlock(block, slot: slot)
    }

    /// True when a header has a ``longName`` byte.
    @inline(__always)
    static func hasLongName(_ header: UInt64) -> Bool {
        // A byte of `~header` is zero exactly where `header` is 0xFF.
        let inverted = ~header
        return (inverted &- 0x0101_0101_0101_0101) & ~inverted & 0x8080_8080_8080_8080 != 0
    }

    /// ``encodedName(_:)`` in a block with a long name: name by name.
    private func encodedNameInLongBlock(_ block: UnsafeMutablePointer<UInt8>, slot: Int) -> UnsafeBufferPointer<UInt8> {
        var position = NameStore.blockSize
        var index = 0
        while true {
            var length = Int(block[index])
            if length == NameStore.longName {
                length = Int(block[position]) | Int(block[position + 1]) << 8
                position += 2
            }
            if index == slot { return UnsafeBufferPointer(start: block + position, count: length) }
            position += length
            index += 1
        }
    }

    /// Calls `body` with the decoded name, `prefix` bytes first, without allocating.
    func withName<Result>(_ entry: Int, prefix: [UInt8] = [],
                          _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let encoded = encodedName(entry)
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: prefix.count + encoded.count * 2 + 1) { buffer in
            let start = buffer.baseAddress!
            for (index, byte) in prefix.enumerated() { start[index] = byte }
            let length = codec.decode(encoded, into: start + prefix.count)
            return try body(UnsafeBufferPointer(start: start, count: prefix.count + length))
        }
    }

    /// Builds the arena from names given in entry order, and hashes every
    /// name's filing key (``NameHash/filingHash(_:)``).
    ///
    /// The two halves of the entries are encoded and hashed on two threads
    /// (the machines this runs on have at least two cores), then joined.
    static func build(_ names: [UnsafeRawBufferPointer], highBytesOccur: Bool) -> (store: NameStore, hashes: [UInt64]) {
        let (codec, encoder) = NameCodec.trained(on: names, highBytesOccur: highBytesOccur)
        var hashes = [UInt64](repeating: 0, count: names.count)
        // Split at a block boundary so each half's block starts are its own.
        let half = names.count < 8192 ? names.count : (names.count / 2) & ~(blockSize - 1)
        let parts = [0..<half, half..<names.count].filter { !$0.isEmpty }
        var results = [EncodedPart?](repeating: nil, count: parts.count)
        hashes.withUnsafeMutableBufferPointer { hashes in
            results.withUnsafeMutableBufferPointer { results in
                names.withUnsafeBufferPointer { names in
                let shared = SharedPointers(names: names, hashes: hashes.baseAddress!, results: results.baseAddress!)
                let work: @Sendable (Int) -> Void = { part in
                    shared.results[part] = encode(shared.names, parts[part], encoder: encoder, hashes: shared.hashes)
                }
                if parts.count > 1 {
                    DispatchQueue.concurrentPerform(iterations: parts.count, execute: work)
                } else {
                    for part in parts.indices { work(part) }
                }
                }
            }
        }
        // Join the parts.
        let total = results.reduce(0) { $0 + $1!.used }
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: max(total, 1))
        var blockStarts: [UInt32] = []
        blockStarts.reserveCapacity(names.count / blockSize + 1)
        var offset = 0
        for result in results {
            let part = result!
            (arena + offset).initialize(from: part.bytes, count: part.used)
            blockStarts.append(contentsOf: part.blockStarts.map { $0 + UInt32(offset) })
            offset += part.used
            part.bytes.deallocate()
        }
        let store = NameStore(arena: Column(adopting: arena, count: total), blockStarts: Column(blockStarts), codec: codec)
        return (store, hashes)
    }

    /// One thread's share of the arena.
    private struct EncodedPart {
        var bytes: UnsafeMutablePointer<UInt8>
        var used: Int
        var blockStarts: [UInt32]
    }

    /// Pointers the two threads write through, each to its own slots.
    private struct SharedPointers: @unchecked Sendable {
        let names: UnsafeBufferPointer<UnsafeRawBufferPointer>
        let hashes: UnsafeMutablePointer<UInt64>
        let results: UnsafeMutablePointer<EncodedPart?>
    }

    private static func encode(_ names: UnsafeBufferPointer<UnsafeRawBufferPointer>, _ range: Range<Int>, encoder: NameCodec.PairEncoder,
                               hashes: UnsafeMutablePointer<UInt64>) -> EncodedPart {
        // Encoded names are never longer than raw ones; a long name's length
        // takes 2 bytes, and each block a header.
        var capacity = (range.count / blockSize + 1) * blockSize
        for entry in range { capacity += names[entry].count + 2 }
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity, 1))
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { scratch.deallocate() }
        var blockStarts: [UInt32] = []
        blockStarts.reserveCapacity(range.count / blockSize + 1)
        var used = 0
        var header = 0
        encoder.classOf.withUnsafeBufferPointer { classOf in
            encoder.pairCode.withUnsafeBufferPointer { pairCode in
                for entry in range {
                    let name = names[entry]
                    hashes[entry] = NameHash.filingHash(name)
                    let slot = (entry - range.lowerBound) & (blockSize - 1)
                    if slot == 0 {
                        blockStarts.append(UInt32(used))
                        header = used
                        (arena + used).initialize(repeating: 0, count: blockSize)
                        used += blockSize
                    }
                    let length = NameCodec.encode(name, classOf: classOf.baseAddress!, shift: encoder.shift,
                                                  pairCode: pairCode.baseAddress!, scratch: scratch, into: arena + used)
                    if length < longName {
                        arena[header + slot] = UInt8(length)
                        used += length
                    } else {
                        // The rare long name moves up two bytes for its length.
                        (arena + used + 2).update(from: arena + used, count: length)
                        arena[header + slot] = UInt8(longName)
                        arena[used] = UInt8(truncatingIfNeeded: length)
                        arena[used + 1] = UInt8(truncatingIfNeeded: length >> 8)
                        used += 2 + length
                    }
                }
            }
        }
        return EncodedPart(bytes: arena, used: used, blockStarts: blockStarts)
    }
}
