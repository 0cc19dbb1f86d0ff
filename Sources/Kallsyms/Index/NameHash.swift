/// The 64-bit hash of a symbol name that the name store files it under.
///
/// A multiply-and-fold hash over 8-byte words, in the style of wyhash: fast
/// on the 10 to 40 byte names kernels have, and deterministic across runs
/// (Swift's `Hasher` is seeded per process, which an index must not be).
enum NameHash {
    @usableFromInline static let seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    @usableFromInline static let k1: UInt64 = 0xA076_1D64_78BD_642F
    @usableFromInline static let k2: UInt64 = 0xE703_7ED1_A0B4_28DB

    @inline(__always) @usableFromInline
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// Hashes `count` bytes at `start`. Reads never go past `start + count`.
    ///
    /// Shaped so that the branches taken depend only on the length class,
    /// which most names share: names of 17 to 32 bytes (two thirds of a
    /// kernel's) take one 16-byte round and then the last 16 bytes,
    /// overlapping; shorter names are read as two overlapping halves. The
    /// earlier word-at-a-time loop with a 1-to-7-byte tail ran a different
    /// number of rounds and a different tail for nearly every length, and
    /// its mispredicted exits cost more than its arithmetic.
    @inline(__always) @usableFromInline
    static func hash(_ start: UnsafeRawPointer, count: Int) -> UInt64 {
        var state = seed ^ UInt64(truncatingIfNeeded: count) &* k1
        let first: UInt64
        let second: UInt64
        if count > 16 {
            var position = 0
            while count &- position > 16 {
                state = mix(start.loadUnaligned(fromByteOffset: position, as: UInt64.self) ^ k1,
                            start.loadUnaligned(fromByteOffset: position &+ 8, as: UInt64.self) ^ state)
                position &+= 16
            }
            first = start.loadUnaligned(fromByteOffset: count &- 16, as: UInt64.self)
            second = start.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        } else if count >= 4 {
            // Four 4-byte reads covering the name: at 0 and `count - 4`, and
            // 4 bytes further in from each (or the same ones, under 8 bytes).
            let inset = (count &>> 3) &<< 2
            first = UInt64(start.loadUnaligned(as: UInt32.self)) &<< 32
                | UInt64(start.loadUnaligned(fromByteOffset: inset, as: UInt32.self))
            second = UInt64(start.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)) &<< 32
                | UInt64(start.loadUnaligned(fromByteOffset: count &- 4 &- inset, as: UInt32.self))
        } else if count > 0 {
            first = UInt64(start.load(as: UInt8.self)) &<< 16
                | UInt64(start.load(fromByteOffset: count &>> 1, as: UInt8.self)) &<< 8
                | UInt64(start.load(fromByteOffset: count &- 1, as: UInt8.self))
            second = 0
        } else {
            first = 0
            second = 0
        }
        return mix(mix(first ^ k1, second ^ state) ^ k2, state ^ k1)
    }

    /// The hash a name is filed under in the name store: of the name without
    /// one leading `__pfx_`, so that a padding symbol and its function share
    /// a bucket (see `IndexStorage.collectMatches`).
    static func filingHash(_ name: UnsafeRawBufferPointer) -> UInt64 {
        guard let start = name.baseAddress else { return hash(UnsafeRawPointer(bitPattern: 1)!, count: 0) }
        if name.count > 6 && IndexStorage.hasPrefixName(name) { return hash(start + 6, count: name.count - 6) }
        return hash(start, count: name.count)
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = bytes.baseAddress else { return hash(UnsafeRawPointer(bitPattern: 1)!, count: 0) }
        return hash(UnsafeRawPointer(base), count: bytes.count)
    }
}
