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
    let expansions: [UInt32]

    static let identity = NameCodec(pairs: [:])

    /// A codec whose codes stand for `pairs` (code byte → pair of bytes).
    init(pairs: [UInt8: (UInt8, UInt8)]) {
        var expansions = (0..<256).map { UInt32($0) | 1 << 16 }
        for (code, pair) in pairs {
            expansions[Int(code)] = UInt32(pair.0) | UInt32(pair.1) << 8 | 2 << 16
        }
        self.expansions = expansions
    }

    /// Chooses codes for the most frequent byte pairs in `names`, using only
    /// byte values that no name contains.
    static func trained(on names: [UnsafeBufferPointer<UInt8>]) -> (codec: NameCodec, pairCode: [UInt8]) {
        var used = [Bool](repeating: false, count: 256)
        var pairCounts = [UInt32](repeating: 0, count: 1 << 16)
        for name in names {
            guard var previous = name.first else { continue }
            used[Int(previous)] = true
            for byte in name.dropFirst() {
                used[Int(byte)] = true
                pairCounts[Int(previous) << 8 | Int(byte)] &+= 1
                previous = byte
            }
        }
        // Code 0 is never handed out: 0 in `pairCode` means "no code".
        let freeCodes = (1..<256).filter { !used[$0] }.map(UInt8.init)
        var candidates: [(pair: Int, count: UInt32)] = []
        for (pair, count) in pairCounts.enumerated() where count >= 2 {
            candidates.append((pair, count))
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

    /// Encodes `name` greedily with `pairCode`, appending to `output`.
    static func encode(_ name: UnsafeBufferPointer<UInt8>, pairCode: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        var position = 0
        let count = name.count
        while position < count {
            if position + 1 < count {
                let code = pairCode[Int(name[position]) << 8 | Int(name[position + 1])]
                if code != 0 {
                    output.append(code)
                    position += 2
                    continue
                }
            }
            output.append(name[position])
            position += 1
        }
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
        expansions.withUnsafeBufferPointer { expansions in
            for code in encoded {
                let expansion = expansions[Int(code)]
                UnsafeMutableRawPointer(output + length).storeBytes(of: UInt16(truncatingIfNeeded: expansion), as: UInt16.self)
                length &+= Int(expansion >> 16)
            }
        }
        return length
    }

    /// True when `encoded` decodes to exactly `query`, decoding only as far as they agree.
    @inline(__always)
    func matches(_ encoded: UnsafeBufferPointer<UInt8>, _ query: UnsafeRawBufferPointer) -> Bool {
        let count = query.count
        var position = 0
        return expansions.withUnsafeBufferPointer { expansions in
            for code in encoded {
                let expansion = expansions[Int(code)]
                if expansion >> 16 == 1 {
                    guard position < count, query[position] == UInt8(truncatingIfNeeded: expansion) else { return false }
                    position &+= 1
                } else {
                    guard position &+ 1 < count,
                          query.loadUnaligned(fromByteOffset: position, as: UInt16.self) == UInt16(truncatingIfNeeded: expansion)
                    else { return false }
                    position &+= 2
                }
            }
            return position == count
        }
    }

    var byteCount: Int { expansions.count * 4 }
}
