/// How often each pair of adjacent bytes occurs in a sample of the names:
/// what ``NameCodec`` chooses its codes from.
///
/// Counted by the parser, while each sampled line is in cache. Counted
/// afterwards, every eighth name of a 5 MB text was a cache miss, and the
/// count took a quarter of the time spent compressing names.
///
/// Printable bytes 0x21...0x7E are classes 0...93; every other byte is class
/// 94, which is never paired. 16-bit counters keep the 128 x 128 table at
/// 32 KB, inside L1; a counter that reaches its limit stays there (only the
/// top few hundred pairs matter).
struct NamePairCounts {
    static let classShift = 7
    static let otherClass = 94
    static let pairCount = 1 << (2 * classShift)

    /// One counter per pair of classes: `first << classShift | second`.
    let counts: UnsafeMutablePointer<UInt16>
    /// ``classTable``, read once: through the lazily initialised static, each
    /// name the parser sampled (or even just considered) called `swift_once`.
    private let classes = NamePairCounts.classTable

    init() {
        counts = .allocate(capacity: NamePairCounts.pairCount)
        counts.initialize(repeating: 0, count: NamePairCounts.pairCount)
    }

    func deallocate() { counts.deallocate() }

    /// How many accepted lines apart the sampled names are, for a text of
    /// `byteCount` bytes: every eighth name from about 8,192 lines, every
    /// fourth from 4,096, else all. On the three real tables here, every
    /// eighth gave index sizes within 0.03% of every fourth, at half the work.
    static func samplingStep(byteCount: Int) -> Int {
        byteCount >= 8192 * 40 ? 8 : byteCount >= 4096 * 40 ? 4 : 1
    }

    /// Counts the pairs of one name.
    @inline(__always)
    func add(_ bytes: UnsafePointer<UInt8>, count: Int) {
        guard count > 1 else { return }
        let classes = self.classes
        var previous = Int(classes[Int(bytes[0])])
        var position = 1
        while position < count {
            let current = Int(classes[Int(bytes[position])])
            let slot = previous &<< NamePairCounts.classShift | current
            let counted = counts[slot] &+ 1
            counts[slot] = counted == 0 ? UInt16.max : counted
            previous = current
            position &+= 1
        }
    }

    /// Adds another run's counts to these, saturating.
    func merge(_ other: NamePairCounts) {
        for slot in 0..<NamePairCounts.pairCount {
            let (sum, overflow) = counts[slot].addingReportingOverflow(other.counts[slot])
            counts[slot] = overflow ? .max : sum
        }
    }

    /// The class of each byte value. A pointer, not an array, so the parse
    /// loop pays no bounds checks; each counter keeps a copy (``classes``),
    /// so it pays no lazy-initialisation check either.
    nonisolated(unsafe) static let classTable: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: UInt8(otherClass), count: 256)
        for byte in 0x21...0x7E { table[byte] = UInt8(byte - 0x21) }
        return UnsafePointer(table)
    }()
}
