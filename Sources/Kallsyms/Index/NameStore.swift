/// Every stored symbol name, in entry order, in one byte arena.
///
/// Names are length-prefixed (one byte below 128, else two) and grouped in
/// blocks of ``blockSize`` entries; a block's start is the only offset kept.
/// Finding a name skips at most `blockSize - 1` lengths inside one or two
/// cache lines, which costs a few nanoseconds and saves 4 bytes a symbol
/// over an offset per name.
struct NameStore {
    static let blockShift = 3
    static let blockSize = 1 << blockShift

    let arena: Column<UInt8>
    let blockStarts: Column<UInt32>

    var byteCount: Int { arena.byteCount + blockStarts.byteCount }

    func deallocate() {
        arena.deallocate()
        blockStarts.deallocate()
    }

    /// The bytes of entry `entry`'s name, valid while the store lives.
    @inline(__always)
    func name(_ entry: Int) -> UnsafeBufferPointer<UInt8> {
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

    /// Builds the arena from names given in entry order.
    struct Builder {
        private var arena: [UInt8] = []
        private var blockStarts: [UInt32] = []
        private var count = 0

        init(estimatedBytes: Int, estimatedCount: Int) {
            arena.reserveCapacity(estimatedBytes + estimatedCount * 2)
            blockStarts.reserveCapacity(estimatedCount / NameStore.blockSize + 1)
        }

        mutating func append(_ name: UnsafeBufferPointer<UInt8>) {
            if count & (NameStore.blockSize - 1) == 0 { blockStarts.append(UInt32(arena.count)) }
            count += 1
            let length = name.count
            if length < 0x80 {
                arena.append(UInt8(length))
            } else {
                arena.append(UInt8(length & 0x7F) | 0x80)
                arena.append(UInt8(length >> 7))
            }
            arena.append(contentsOf: name)
        }

        func finish() -> NameStore {
            NameStore(arena: Column(arena), blockStarts: Column(blockStarts))
        }
    }
}
