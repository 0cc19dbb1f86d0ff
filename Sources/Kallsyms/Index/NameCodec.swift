/// Compresses symbol names with byte-pair codes chosen for the input at hand.
///
/// Kernel names use about 64 distinct byte values (`a-z A-Z 0-9 _ .`); every
/// other byte value becomes a code for one frequent pair of bytes (`_s`,
/// `in`, `et`, ...). Names are encoded greedily left to right, one pass, one
/// table lookup per byte. On the 6.18 snapshot this takes names from 1.41 MB
/// to 0.80 MB (57%); further rounds of pairs-of-codes, as the kernel's own
/// token table does, gained only 3 more points for three times the build
/// time, so there is one round.
///
/// Encoding is deterministic, so equal names have equal encodings: duplicate
/// detection compares code bytes without decoding.
struct NameCodec {
    /// For each byte value: the decoded bytes in the low 16 bits (first byte
    /// lowest) and the decoded length (1 or 2) in bits 16...
    let expansions: Column<UInt32>

    /// A codec whose codes stand for `pairs` (code byte → pair of bytes).
    init(pairs: [UInt8: (UInt8, UInt8)]) {
        var expansions = (0..<256).map { UInt32($0) | 1 << 16 }
        for (code, pair) in pairs {
            expansions[Int(code)] = UInt32(pair.0) | UInt32(pair.1) << 8 | 2 << 16
        }
        self.expansions = Column(expansions)
    }

    func deallocate() { expansions.deallocate() }

    /// Chooses codes for the most frequent byte pairs in `names`, using only
    /// byte values that no name contains.
    static func trained(on names: [UnsafeRawBufferPointer]) -> (codec: NameCodec, encoder: PairEncoder) {
        // Bytes that occur get dense class numbers, so pair tables have (classes)^2
        // entries, 4 KB for the usual 64 classes: they stay in L1 while encoding.
        var used = [Bool](repeating: false, count: 256)
        for name in names { for byte in name { used[Int(byte)] = true } }
        var classOf = [UInt8](repeating: 0, count: 256)
        var byteOfClass: [UInt8] = []
        for byte in 0..<256 where used[byte] {
            classOf[byte] = UInt8(truncatingIfNeeded: byteOfClass.count)
            byteOfClass.append(UInt8(byte))
        }
        let classCount = byteOfClass.count
        var shift = 0
        while (1 << shift) < classCount { shift += 1 }
        // 256 classes would need a ninth bit; then every byte occurs and no code is free anyway.
        guard classCount < 256, classCount > 0 else {
            return (NameCodec(pairs: [:]), PairEncoder(classOf: classOf, shift: 8, pairCode: [UInt8](repeating: 0, count: 1 << 16)))
        }
        let pairCount = 1 << (2 * shift)
        var pairCounts = [UInt32](repeating: 0, count: pairCount)
        pairCounts.withUnsafeMutableBufferPointer { counts in
            classOf.withUnsafeBufferPointer { classOf in
                for name in names where name.count > 1 {
                    let bytes = name.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    var previous = Int(classOf[Int(bytes[0])])
                    for position in 1..<name.count {
                        let current = Int(classOf[Int(bytes[position])])
                        counts[previous &<< shift | current] &+= 1
                        previous = current
                    }
                }
            }
        }
        // Code 0 is never handed out: 0 in `pairCode` means "no code".
        let freeCodes = (1..<256).filter { !used[$0] }.map(UInt8.init)
        var candidates: [(pair: Int, count: UInt32)] = []
        for pair in 0..<pairCount where pairCounts[pair] >= 2 { candidates.append((pair, pairCounts[pair])) }
        candidates.sort { $0.count > $1.count || ($0.count == $1.count && $0.pair < $1.pair) }
        var pairCode = [UInt8](repeating: 0, count: pairCount)
        var pairs: [UInt8: (UInt8, UInt8)] = [:]
        let mask = (1 << shift) - 1
        for (code, candidate) in zip(freeCodes, candidates) {
            pairCode[candidate.pair] = code
            pairs[code] = (byteOfClass[candidate.pair >> shift], byteOfClass[candidate.pair & mask])
        }
        return (NameCodec(pairs: pairs), PairEncoder(classOf: classOf, shift: shift, pairCode: pairCode))
    }

    /// The encoding side: byte classes and the code of each pair of classes.
    struct PairEncoder {
        var classOf: [UInt8]
        var shift: Int
        var pairCode: [UInt8]

        /// Encodes `name` greedily into `output`, which must have room for
        /// `name.count` bytes; returns the encoded length.
        func encode(_ name: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) -> Int {
            classOf.withUnsafeBufferPointer { classOf in
                pairCode.withUnsafeBufferPointer { pairCode in
                    NameCodec.encode(name, classOf: classOf.baseAddress!, shift: shift,
                                     pairCode: pairCode.baseAddress!, into: output)
                }
            }
        }
    }

    @inline(__always)
    static func encode(_ name: UnsafeRawBufferPointer, classOf: UnsafePointer<UInt8>, shift: Int,
                       pairCode: UnsafePointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Int {
        guard let bytes = name.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        let count = name.count
        var position = 0
        var written = 0
        while position &+ 1 < count {
            let first = bytes[position]
            let pair = Int(classOf[Int(first)]) &<< shift | Int(classOf[Int(bytes[position &+ 1])])
            let code = pairCode[pair]
            output[written] = code != 0 ? code : first
            position &+= code != 0 ? 2 : 1
            written &+= 1
        }
        if position < count {
            output[written] = bytes[position]
            written &+= 1
        }
        return written
    }

    /// The decoded length of `encoded`.
    func decodedLength(_ encoded: UnsafeBufferPointer<UInt8>) -> Int {
        var length = 0
        for code in encoded { length &+= Int(expansions[Int(code)] >> 16) }
        return length
    }

    /// Decodes into `output`, which must hold `decodedLength(encoded) + 1` bytes
    /// (each code writes two bytes and advances by its length).
    func decode(_ encoded: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Int {
        var length = 0
        let expansions = self.expansions.base
        for code in encoded {
            let expansion = expansions[Int(code)]
            UnsafeMutableRawPointer(output + length).storeBytes(of: UInt16(truncatingIfNeeded: expansion), as: UInt16.self)
            length &+= Int(expansion >> 16)
        }
        return length
    }

    /// True when `encoded` decodes to exactly `query`, decoding only as far as they agree.
    @inline(__always)
    func matches(_ encoded: UnsafeBufferPointer<UInt8>, _ query: UnsafeRawBufferPointer) -> Bool {
        let count = query.count
        guard let bytes = query.baseAddress else { return encoded.isEmpty }
        let expansions = self.expansions.base
        var position = 0
        for code in encoded {
            let expansion = expansions[Int(code)]
            if expansion >> 16 == 1 {
                guard position < count,
                      bytes.load(fromByteOffset: position, as: UInt8.self) == UInt8(truncatingIfNeeded: expansion)
                else { return false }
                position &+= 1
            } else {
                guard position &+ 1 < count,
                      bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self) == UInt16(truncatingIfNeeded: expansion)
                else { return false }
                position &+= 2
            }
        }
        return position == count
    }

    var byteCount: Int { expansions.count * 4 }
}
