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
    static func trained(on names: [UnsafeRawBufferPointer]) -> (codec: NameCodec, pairCode: [UInt8]) {
        var used = [Bool](repeating: false, count: 256)
        let pairCounts = UnsafeMutablePointer<UInt32>.allocate(capacity: 1 << 16)
        pairCounts.initialize(repeating: 0, count: 1 << 16)
        defer { pairCounts.deallocate() }
        for name in names {
            guard let bytes = name.baseAddress?.assumingMemoryBound(to: UInt8.self), name.count > 0 else { continue }
            var previous = Int(bytes[0])
            used[previous] = true
            for position in 1..<name.count {
                let byte = Int(bytes[position])
                used[byte] = true
                pairCounts[previous &<< 8 | byte] &+= 1
                previous = byte
            }
        }
        // Code 0 is never handed out: 0 in `pairCode` means "no code".
        let freeCodes = (1..<256).filter { !used[$0] }.map(UInt8.init)
        var candidates: [(pair: Int, count: UInt32)] = []
        for pair in 0..<(1 << 16) where pairCounts[pair] >= 2 {
            candidates.append((pair, pairCounts[pair]))
        }
        candidates.sort { $0.count > $1.count || ($0.count == $1.count && $0.pair < $1.pair) }
        var pairCode = [UInt8](repeating: 0, count: 1 << 16)
        var pairs: [UInt8: (UInt8, UInt8)] = [:]
        for (code, candidate) in zip(freeCodes, candidates) {
            pairCode[candidate.pair] = code
            pairs[code] = (UInt8(candidate.pair >> 8), UInt8(candidate.pair & 0xFF))
        }
        return (NameCodec(pairs: pairs), pairCode)
    }

    /// Encodes `name` greedily with `pairCode` into `output`, which must have
    /// room for `name.count` bytes; returns the encoded length.
    @inline(__always)
    static func encode(_ name: UnsafeRawBufferPointer, pairCode: UnsafePointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Int {
        guard let bytes = name.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        let count = name.count
        var position = 0
        var written = 0
        while position &+ 1 < count {
            let code = pairCode[Int(bytes[position]) &<< 8 | Int(bytes[position &+ 1])]
            if code != 0 {
                output[written] = code
                position &+= 2
            } else {
                output[written] = bytes[position]
                position &+= 1
            }
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
