/// The 64-bit hash of a symbol name used by the name table.
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
    @inline(__always) @usableFromInline
    static func hash(_ start: UnsafeRawPointer, count: Int) -> UInt64 {
        var h = seed ^ UInt64(truncatingIfNeeded: count) &* k1
        var position = 0
        while position + 8 <= count {
            let word = start.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            h = mix(word ^ k1, h ^ k2)
            position += 8
        }
        let remaining = count &- position
        if remaining > 0 {
            // 1 to 7 bytes left: two overlapping loads instead of a byte loop.
            let tail: UInt64
            if remaining >= 4 {
                let first = UInt64(start.loadUnaligned(fromByteOffset: position, as: UInt32.self))
                let last = UInt64(start.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
                tail = first | last &<< 32
            } else if remaining >= 2 {
                let first = UInt64(start.loadUnaligned(fromByteOffset: position, as: UInt16.self))
                let last = UInt64(start.load(fromByteOffset: count &- 1, as: UInt8.self))
                tail = first | last &<< 16
            } else {
                tail = UInt64(start.load(fromByteOffset: position, as: UInt8.self))
            }
            h = mix(tail ^ k2, h ^ k1)
        }
        return mix(h, k2)
    }

    /// The hash a name is filed under in the name table: of the name without
    /// one leading `__pfx_`, so that a padding symbol and its function share
    /// a probe run (see `IndexStorage.collectMatches`).
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
