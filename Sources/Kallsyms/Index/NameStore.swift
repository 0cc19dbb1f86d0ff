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

    /// True when entry `entry` is named `query`.
    @inline(__always)
    func nameMatches(_ entry: Int, _ query: UnsafeRawBufferPointer) -> Bool {
        codec.matches(encodedName(entry), query)
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

    /// Builds the arena from names given in entry order.
    static func build(_ names: [UnsafeRawBufferPointer]) -> NameStore {
        let (codec, encoder) = NameCodec.trained(on: names)
        // Encoded names are never longer than the raw ones; lengths take at most 2 bytes.
        let capacity = names.reduce(0) { $0 + $1.count + 2 }
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity, 1))
        var blockStarts: [UInt32] = []
        blockStarts.reserveCapacity(names.count / blockSize + 1)
        var used = 0
        encoder.classOf.withUnsafeBufferPointer { classOf in
            encoder.pairCode.withUnsafeBufferPointer { pairCode in
            for (entry, name) in names.enumerated() {
                if entry & (blockSize - 1) == 0 { blockStarts.append(UInt32(used)) }
                // Encode after a two-byte gap, then close it if the length fits one byte.
                let length = NameCodec.encode(name, classOf: classOf.baseAddress!, shift: encoder.shift,
                                              pairCode: pairCode.baseAddress!, into: arena + used + 2)
                if length < 0x80 {
                    arena[used] = UInt8(length)
                    (arena + used + 1).update(from: arena + used + 2, count: length)
                    used += 1 + length
                } else {
                    arena[used] = UInt8(length & 0x7F) | 0x80
                    arena[used + 1] = UInt8(length >> 7)
                    used += 2 + length
                }
            }
            }
        }
        // Keep only what was used.
        let trimmed = UnsafeMutablePointer<UInt8>.allocate(capacity: max(used, 1))
        trimmed.initialize(from: arena, count: used)
        arena.deallocate()
        return NameStore(arena: Column(adopting: trimmed, count: used), blockStarts: Column(blockStarts), codec: codec)
    }
}
