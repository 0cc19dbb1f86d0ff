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
        // Code 0 decodes to nothing: no name has a NUL byte, and the
        // unrolled match pads names with it.
        var expansions = [0] + (1..<256).map { UInt32($0) | 1 << 16 }
        for (code, pair) in pairs {
            expansions[Int(code)] = UInt32(pair.0) | UInt32(pair.1) << 8 | 2 << 16
        }
        self.expansions = Column(expansions)
    }

    func deallocate() { expansions.deallocate() }

    /// Chooses codes for the most frequent byte pairs the parser counted.
    ///
    /// Codes are byte values that can never occur in a name, so no pass over
    /// all names is needed to find free ones: the parser rejects control bytes,
    /// space and DEL (33 values), and reports whether any name has a byte of
    /// 0x80 or more; when none does (always, for kernels), those 128 values are
    /// codes too. The counts come from a sample of the names
    /// (``NamePairCounts/samplingStep(byteCount:)``).
    /// - Parameters:
    ///   - pairCounts: the sampled names' pair counts.
    ///   - highBytesOccur: whether any name has a byte of 0x80 or more.
    static func trained(on pairCounts: NamePairCounts, highBytesOccur: Bool) -> (codec: NameCodec, encoder: PairEncoder) {
        let other = NamePairCounts.otherClass
        let shift = NamePairCounts.classShift
        let pairCount = NamePairCounts.pairCount
        let counts = pairCounts.counts
        // Code 0 is never handed out: 0 in the encoder's table means "no code".
        var freeCodes = Array(UInt8(1)...UInt8(0x20)) + [0x7F]
        if !highBytesOccur { freeCodes += Array(UInt8(0x80)...UInt8(0xFF)) }
        var candidates: [(pair: Int, count: UInt32)] = []
        for pair in 0..<pairCount where counts[pair] >= 2
            && pair >> shift != other && pair & ((1 << shift) - 1) != other {
            candidates.append((pair, UInt32(counts[pair])))
        }
        candidates.sort { $0.count > $1.count || ($0.count == $1.count && $0.pair < $1.pair) }
        var pairs: [UInt8: (UInt8, UInt8)] = [:]
        let encoder = PairEncoder()
        for (code, candidate) in zip(freeCodes, candidates) {
            let first = UInt8(0x21 + candidate.pair >> shift)
            let second = UInt8(0x21 + candidate.pair & ((1 << shift) - 1))
            pairs[code] = (first, second)
            encoder.codes[Int(first) | Int(second) << 8] = code
        }
        return (NameCodec(pairs: pairs), encoder)
    }

    /// The encoding side: the code of every pair of bytes, 0 for none.
    ///
    /// Indexed by the two bytes as one little-endian 16-bit load, so encoding
    /// takes one load and one table lookup a byte. (Indexing a 128 x 128 table
    /// by byte classes, two more lookups a byte, made encoding a third of a
    /// build's instructions.) 64 KB, but only the rows of printable bytes are
    /// ever read: about 12 KB.
    final class PairEncoder: @unchecked Sendable {
        let codes: UnsafeMutablePointer<UInt8>

        init() {
            codes = .allocate(capacity: 1 << 16)
            codes.initialize(repeating: 0, count: 1 << 16)
        }

        deinit { codes.deallocate() }

        /// How many bytes of scratch ``encode(_:scratch:into:)`` needs.
        static let scratchSize = 72

        /// Encodes `name` into `output` (room for `name.count` bytes), using
        /// `scratch` (room for ``scratchSize`` bytes); returns the encoded length.
        ///
        /// Greedy left-to-right pairing has a loop-carried dependency (where
        /// the next pair starts depends on whether this one had a code), which
        /// made the plain loop latency-bound at about 15 cycles a byte. Here
        /// every position's pair code is looked up independently, the codable
        /// positions gathered into a bit mask eight at a time, and the greedy
        /// choice computed for the whole name at once with carries: inside each
        /// run of codable positions, greedy takes the run's start and every
        /// second position after.
        @inline(__always)
        func encode(_ name: UnsafeRawBufferPointer, scratch: UnsafeMutablePointer<UInt8>,
                    into output: UnsafeMutablePointer<UInt8>) -> Int {
            let count = name.count
            guard let bytes = name.baseAddress, count > 1 else {
                if count == 1 { output[0] = name[0] }
                return count
            }
            guard count <= 64 else { return encodeSequentially(bytes, count: count, into: output) }
            let codes = self.codes
            let pairs = count &- 1
            for position in 0..<pairs {
                scratch[position] = codes[Int(bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self))]
            }
            // Zeros after the last pair, so the words below read only codes.
            UnsafeMutableRawPointer(scratch + pairs).storeBytes(of: 0, as: UInt64.self)
            var codable: UInt64 = 0
            var word = 0
            while word &* 8 < pairs {
                let lanes = UnsafeRawPointer(scratch).loadUnaligned(fromByteOffset: word &* 8, as: UInt64.self)
                // The top bit of each nonzero lane, then the eight top bits gathered into one byte.
                let nonzero = ByteLanes.nonzero(lanes)
                codable |= (((nonzero &>> 7) &* 0x0102_0408_1020_4080) &>> 56) &<< UInt64(word &* 8)
                word &+= 1
            }
            let even: UInt64 = 0x5555_5555_5555_5555
            let runStarts = codable & ~(codable &<< 1)
            // Adding a run's start bit carries through the run: XOR shows the run.
            let evenRuns = ((codable &+ (runStarts & even)) ^ codable) & codable
            let oddRuns = ((codable &+ (runStarts & ~even)) ^ codable) & codable
            let chosen = (evenRuns & even) | (oddRuns & ~even)
            // Every position but the second byte of a chosen pair is emitted;
            // `count` is at most 64 here.
            var emitted = ~(chosen &<< 1) & (count == 64 ? ~0 : (1 &<< UInt64(count)) &- 1)
            var written = 0
            while emitted != 0 {
                let position = emitted.trailingZeroBitCount
                let byte = bytes.load(fromByteOffset: position, as: UInt8.self)
                let take = UInt8(truncatingIfNeeded: 0 &- ((chosen &>> UInt64(position)) & 1))
                output[written] = byte ^ ((byte ^ scratch[position]) & take)
                written &+= 1
                emitted &= emitted &- 1
            }
            return written
        }

        /// The plain greedy loop, for names over 64 bytes.
        func encodeSequentially(_ bytes: UnsafeRawPointer, count: Int, into output: UnsafeMutablePointer<UInt8>) -> Int {
            var position = 0
            var written = 0
            while position &+ 1 < count {
                let code = codes[Int(bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self))]
                output[written] = code != 0 ? code : bytes.load(fromByteOffset: position, as: UInt8.self)
                position &+= code != 0 ? 2 : 1
                written &+= 1
            }
            if position < count {
                output[written] = bytes.load(fromByteOffset: position, as: UInt8.self)
                written &+= 1
            }
            return written
        }
    }

    /// Decodes into `output`, which must hold two bytes a code (each code
    /// writes two bytes and advances by its length).
    @inline(__always)
    func decode(_ encoded: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Int {
        var length = 0
        let expansions = self.expansions.base
        let output = UnsafeMutableRawPointer(output)
        for code in encoded { NameCodec.append(Int(code), expansions, to: output, at: &length) }
        return length
    }

    /// Writes the expansion of `code` at byte `length` of `output` (two bytes,
    /// whatever its length, so that no branch depends on it) and advances
    /// `length` by its length: one step of every decode.
    @inline(__always)
    static func append(_ code: Int, _ expansions: UnsafeMutablePointer<UInt32>, to output: UnsafeMutableRawPointer,
                       at length: inout Int) {
        let expansion = expansions[code]
        output.storeBytes(of: UInt16(truncatingIfNeeded: expansion), toByteOffset: length, as: UInt16.self)
        length &+= Int(truncatingIfNeeded: expansion &>> 16)
    }

    /// True when `encoded` decodes to exactly the `count` bytes at `query`.
    ///
    /// The name is decoded into a small stack buffer (one table load and one
    /// two-byte store per code, no branch on the data) and compared eight
    /// bytes at a time. Comparing code by code under a mask instead took half
    /// as long again; branching on each code's length mispredicted often
    /// enough to double the cost, since literals and pairs alternate at random.
    /// Nothing past the query's end is read.
    @inline(__always)
    func matches(_ encoded: UnsafeBufferPointer<UInt8>, query: UnsafeRawPointer, count: Int) -> Bool {
        let codes = encoded.count
        // Each code stands for one or two bytes.
        guard codes <= count && codes &* 2 >= count else { return false }
        if codes <= NameCodec.unrolledCodes {
            return matchesShortName(encoded.baseAddress!, codes: codes, query: query, count: count)
        }
        guard codes <= NameCodec.stackDecodedCodes else { return matchesLongName(encoded, query: query, count: count) }
        // A fixed-size local, not `withUnsafeTemporaryAllocation`, whose generic
        // result handling showed up as value-witness calls in profiles. Here and
        // below it is reached through `_withUnprotectedUnsafeMutablePointer`:
        // with `withUnsafeMutableBytes` the compiler gave the lookup a stack
        // protector (a canary stored and checked on every call, 5 instructions
        // of about 500), although the buffer is written only within its bounds.
        var words = DecodeBuffer()
        return _withUnprotectedUnsafeMutablePointer(to: &words) { words in
            let decoded = UnsafeMutableRawPointer(words)
            guard decode(encoded, into: decoded.assumingMemoryBound(to: UInt8.self)) == count else { return false }
            return NameCodec.equalBytes(UnsafeRawPointer(decoded), query, count: count)
        }
    }

    /// The most codes ``matchesShortName(_:codes:query:count:)`` decodes: 16,
    /// which hold every name of up to 16 bytes and, depending on its pairs,
    /// names of up to 32 (four in five of a 6.18 kernel's names, as filed).
    static let unrolledCodes = 16

    /// ``matches(_:query:count:)`` for a name of at most ``unrolledCodes``
    /// codes: always 16 codes decoded, with no branch on the name's length.
    ///
    /// The code bytes past the name's end are masked to 0, a code that
    /// decodes to nothing (no name has a NUL byte). A loop that stops at the
    /// name's last code mispredicted its exit on nearly every lookup, and
    /// since the code count comes from the name's block (usually a cache
    /// miss), the misprediction surfaced only after that miss, discarding
    /// the work done past it. Reads 16 bytes from `codes`, past the name's
    /// end when it is shorter: the arena has ``NameStore/readPadding``.
    @inline(__always)
    func matchesShortName(_ codes: UnsafePointer<UInt8>, codes codeCount: Int, query: UnsafeRawPointer,
                          count: Int) -> Bool {
        let expansions = self.expansions.base
        /// The word at byte `offset` of the codes, with only its first
        /// `count` bytes (0 to 8) kept: those that belong to the name.
        @inline(__always) func word(at offset: Int, keeping count: Int) -> UInt64 {
            let bits = UInt64(truncatingIfNeeded: count &* 8)
            return UnsafeRawPointer(codes).loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                & (bits == 64 ? ~0 : (1 &<< bits) &- 1)
        }
        // `codeCount` is 0...16: up to 8 codes in each word.
        let low = word(at: 0, keeping: min(codeCount, 8))
        let high = word(at: 8, keeping: max(codeCount &- 8, 0))
        var words = ShortDecodeBuffer()
        return _withUnprotectedUnsafeMutablePointer(to: &words) { words in
            let decoded = UnsafeMutableRawPointer(words)
            var length = 0
            @inline(__always) func step(_ code: UInt64) {
                NameCodec.append(Int(truncatingIfNeeded: code & 0xFF), expansions, to: decoded, at: &length)
            }
            for lane in 0..<8 { step(low &>> UInt64(lane &* 8)) }
            for lane in 0..<8 { step(high &>> UInt64(lane &* 8)) }
            guard length == count else { return false }
            return NameCodec.equalBytes(UnsafeRawPointer(decoded), query, count: count)
        }
    }

    /// Room for ``unrolledCodes`` codes decoded, two bytes each, and the
    /// two bytes the last code writes: 48 bytes, three stores to clear.
    private struct ShortDecodeBuffer {
        var words: (SIMD2<UInt64>, SIMD2<UInt64>, SIMD2<UInt64>) = (.zero, .zero, .zero)
    }

    /// Room for ``stackDecodedCodes`` codes decoded, two bytes each.
    private struct DecodeBuffer {
        var words: (SIMD8<UInt64>, SIMD8<UInt64>) = (.zero, .zero)
    }

    /// The longest encoded name decoded on the stack (two bytes a code).
    static let stackDecodedCodes = 60

    /// True when the `count` bytes at `left` and `right` are equal, never
    /// reading past either end.
    ///
    /// Over 16 bytes: the first 16, then 16 at a time, then the last 16
    /// (overlapping), so names of 17 to 32 bytes, most of them, take no loop
    /// at all and the same branches every time; shorter ones compare two
    /// overlapping halves.
    @inline(__always)
    static func equalBytes(_ left: UnsafeRawPointer, _ right: UnsafeRawPointer, count: Int) -> Bool {
        @inline(__always) func difference(at offset: Int) -> UInt64 {
            left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                ^ right.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        }
        if count > 16 {
            var differences = difference(at: 0) | difference(at: 8)
            var position = 16
            while count &- position > 16 {
                differences |= difference(at: position) | difference(at: position &+ 8)
                position &+= 16
            }
            differences |= difference(at: count &- 16) | difference(at: count &- 8)
            return differences == 0
        }
        if count >= 8 { return difference(at: 0) | difference(at: count &- 8) == 0 }
        if count >= 4 {
            let last = count &- 4
            return (left.loadUnaligned(as: UInt32.self) ^ right.loadUnaligned(as: UInt32.self))
                | (left.loadUnaligned(fromByteOffset: last, as: UInt32.self)
                    ^ right.loadUnaligned(fromByteOffset: last, as: UInt32.self)) == 0
        }
        var position = 0
        while position < count {
            if left.load(fromByteOffset: position, as: UInt8.self) != right.load(fromByteOffset: position, as: UInt8.self) {
                return false
            }
            position &+= 1
        }
        return true
    }

    /// ``matches(_:query:count:)`` for names too long for the stack buffer:
    /// code by code, each compared as two bytes under a mask for its length.
    func matchesLongName(_ encoded: UnsafeBufferPointer<UInt8>, query: UnsafeRawPointer, count: Int) -> Bool {
        let expansions = self.expansions.base
        var position = 0
        var difference: UInt16 = 0
        for code in encoded {
            let expansion = expansions[Int(code)]
            let length = Int(expansion >> 16)
            // Stop reading once past the query; the length test below catches it.
            guard position < count else { return false }
            let mask = UInt16(0x00FF) | UInt16(truncatingIfNeeded: (length &- 1) &* 0xFF00)
            // A pair on the query's last byte compares its second byte with 0,
            // which no name byte is.
            let have = position &+ 1 < count
                ? query.loadUnaligned(fromByteOffset: position, as: UInt16.self)
                : UInt16(query.load(fromByteOffset: position, as: UInt8.self))
            difference |= (have ^ UInt16(truncatingIfNeeded: expansion)) & mask
            position &+= length
        }
        return difference == 0 && position == count
    }

    var byteCount: Int { expansions.count * 4 }
}
