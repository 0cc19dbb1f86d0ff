import Dispatch

/// Every stored symbol name, in entry order, compressed, in one byte arena.
///
/// Each name is its encoded length (one byte below 128, else two) followed by
/// its ``NameCodec`` bytes. Names are grouped in blocks of ``blockSize``
/// entries and only a block's start is kept: finding a name skips at most
/// `blockSize - 1` lengths inside a cache line or two, a few nanoseconds,
/// and saves 4 bytes a symbol over an offset per name.
struct NameStore {
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

    /// The encoded bytes of entry `entry`'s name, valid while the store lives.
    @inline(__always)
    func encodedName(_ entry: Int) -> UnsafeBufferPointer<UInt8> {
        var position = Int(blockStarts[entry &>> NameStore.blockShift])
        var skip = entry & (NameStore.blockSize - 1)
        let bytes = arena.base
        while true {
            var length = Int(bytes[position])
            position &+= 1
            if length >= 0x80 {
                length = (length & 0x7F) | Int(bytes[position]) &<< 7
                position &+= 1
            }
            if skip == 0 { return UnsafeBufferPointer(start: bytes + position, count: length) }
            position &+= length
            skip &-= 1
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
        // Encoded names are never longer than raw ones; a length takes at most 2 bytes.
        var capacity = 0
        for entry in range { capacity += names[entry].count + 2 }
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity, 1))
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { scratch.deallocate() }
        var blockStarts: [UInt32] = []
        blockStarts.reserveCapacity(range.count / blockSize + 1)
        var used = 0
        encoder.classOf.withUnsafeBufferPointer { classOf in
            encoder.pairCode.withUnsafeBufferPointer { pairCode in
                for entry in range {
                    let name = names[entry]
                    hashes[entry] = NameHash.filingHash(name)
                    if (entry - range.lowerBound) & (blockSize - 1) == 0 { blockStarts.append(UInt32(used)) }
                    // Encode after a one-byte length; the rare name of 128 code bytes
                    // or more moves up a byte to make room for a two-byte length.
                    let length = NameCodec.encode(name, classOf: classOf.baseAddress!, shift: encoder.shift,
                                                  pairCode: pairCode.baseAddress!, scratch: scratch, into: arena + used + 1)
                    if length < 0x80 {
                        arena[used] = UInt8(length)
                        used += 1 + length
                    } else {
                        (arena + used + 2).update(from: arena + used + 1, count: length)
                        arena[used] = UInt8(length & 0x7F) | 0x80
                        arena[used + 1] = UInt8(length >> 7)
                        used += 2 + length
                    }
                }
            }
        }
        return EncodedPart(bytes: arena, used: used, blockStarts: blockStarts)
    }
}
