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

    var byteCount: Int { arena.byteCount + NameStore.readPadding + blockStarts.byteCount + codec.byteCount }

    func deallocate() {
        arena.deallocate()
        blockStarts.deallocate()
        codec.deallocate()
    }

    /// Zero bytes after the last name, so that a lookup may read 16 code
    /// bytes from any name's start (``NameCodec/matchesShortName(_:codes:query:count:)``).
    static let readPadding = 16

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
}
