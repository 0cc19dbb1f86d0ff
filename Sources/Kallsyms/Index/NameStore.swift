/// Every stored symbol name, compressed, in records grouped into buckets by
/// the hash each name is filed under: the name index and the name store in one.
///
/// A bucket starts with how many records it holds (one byte), then one
/// fingerprint byte for each record (the hash's low 8 bits), then where each
/// record starts (one byte each, from the first record), then its records:
/// each a header (3 bytes, or 4 for tables of 2^23 entries or more: the
/// entry number, and in the top bit whether a `__pfx_` symbol is folded into
/// the entry) and the name's ``NameCodec`` codes, whose count is the
/// distance to the next record. A bucket whose records take more than 256
/// bytes, or that has 255 records or more (a name repeated that often, or
/// long names), is wide: 0xFF, its record count in four bytes, the
/// fingerprints, and 4-byte starts. A bucket's records lie back to back, in entry order, so that one
/// name's symbols come back in address order; a bucket holds four entries on
/// average. An empty bucket has no bytes at all.
///
/// A lookup reads the bucket's start from a table of 4 bytes a bucket (64 KB
/// for the 6.18 snapshot, which stays in L2), compares the bucket's
/// fingerprints eight at a time in one word, and reads each matching
/// record's start and the next one's from one word of starts: among a
/// bucket's first eight records, no branch depends on where in its bucket a
/// name is. Finding a name thus costs one miss beyond L2: its
/// bucket. (With fingerprint and count in each record, every lookup walked
/// its whole bucket, and the walk's branches mispredicted 2.4 times a
/// lookup; stepping from record to record only as far as the match still
/// mispredicted 1.8 times. A hash table of slots in front of an arena in
/// entry order cost two dependent misses, the slot and then the name, and
/// 14–20% more on a hot set: see Docs/benchmark-history.md.)
///
/// Entries are filed under their name without one leading `__pfx_`
/// (``NameHash/filingHash(_:)``), so that a padding symbol stored as a name
/// and a function carrying a folded prefix share a bucket. The folded-prefix
/// bit sits in the record, not only in the entry's flags, because a query
/// for `__pfx_foo` must know it of each `foo` it finds: read from the flags,
/// it was one more dependent load at a random entry (callgrind: 5.3 L1
/// misses a `__pfx_` lookup, 4.4 now, against 4.1 for plain names). On an
/// idle VM the flags (one byte an entry) stay in L2 and the time did not
/// move; with the harness touching 32 or 128 random lines of a 64 MB buffer
/// between lookups, the noise was larger than any difference. Kept as one
/// dependent load fewer at no cost in bytes, not as a measured gain.
///
/// A name of ``longName`` codes or more (only ever in a wide bucket) has its
/// real count in two bytes after the header.
///
/// Each entry's record is also found directly (4 bytes an entry: the
/// record's offset and its count byte), for the lookups that go from an
/// entry to its name; a store whose records take 16 MB or more keeps 8 bytes
/// an entry instead.
struct NameStore {
    let arena: Column<UInt8>
    /// Where each bucket's records start in ``arena``, and after the last
    /// bucket, where they end.
    let bucketStarts: Column<UInt32>
    /// Each entry's record: its offset in ``arena`` times 256 plus its count
    /// byte. Empty when ``wideRecordLocations`` holds them.
    let recordLocations: Column<UInt32>
    /// The same, for a store too large for 24-bit offsets.
    let wideRecordLocations: Column<UInt64>?
    let codec: NameCodec
    /// The bytes of a record before its codes: the entry number and the folded-prefix bit.
    let headerSize: Int
    /// The entry number's bits, of the 4 bytes read at a record's start; the
    /// bit above them is the folded-prefix bit.
    let entryMask: UInt32

    var bucketCount: Int { bucketStarts.count &- 1 }

    var byteCount: Int {
        arena.byteCount + NameStore.readPadding + bucketStarts.byteCount + recordLocations.byteCount
            + (wideRecordLocations?.byteCount ?? 0) + codec.byteCount
    }

    func deallocate() {
        arena.deallocate()
        bucketStarts.deallocate()
        recordLocations.deallocate()
        wideRecordLocations?.deallocate()
        codec.deallocate()
    }

    /// Zero bytes after the last record, so that a lookup may read 16 code
    /// bytes from any name's start (``NameCodec/matchesShortName(_:codes:query:count:)``),
    /// 8 header bytes from any of a bucket's fingerprints or starts, and 4
    /// bytes from any record's start.
    static let readPadding = 16

    /// A count byte meaning "the count is in the two bytes after the header".
    static let longName = 0xFF

    /// A bucket's first byte meaning "a wide bucket: the record count is in the four bytes after".
    static let manyRecords = 0xFF

    /// Entries a bucket holds on average.
    static let entriesPerBucket = 4

    /// The arena sizes below this have offsets that fit ``recordLocations``.
    static let narrowArenaLimit = 1 << 24

    /// The bucket a name with this filing hash is in: its top 32 bits scaled.
    @inline(__always)
    static func bucket(_ hash: UInt64, bucketCount: Int) -> Int {
        Int(truncatingIfNeeded: ((hash &>> 32) &* UInt64(truncatingIfNeeded: bucketCount)) &>> 32)
    }

    /// The fingerprint of a name with this filing hash.
    @inline(__always)
    static func fingerprint(_ hash: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: hash) }

    /// Eight bytes of the header at `bytes`, as one word, lane 0 lowest. Past
    /// a bucket's header lie its records, or the arena's padding.
    @inline(__always)
    static func lanes(at bytes: UnsafePointer<UInt8>) -> UInt64 {
        UnsafeRawPointer(bytes).loadUnaligned(as: UInt64.self)
    }

    /// The lanes below lane `count` of a word (all of them from 8 on), all their bits.
    @inline(__always)
    static func lanes(below count: Int) -> UInt64 {
        count >= 8 ? ~0 : (1 &<< UInt64(truncatingIfNeeded: count &* 8)) &- 1
    }

    /// One bucket: its records' fingerprints and starts, in record order,
    /// and its records.
    struct Bucket {
        let fingerprints: UnsafePointer<UInt8>
        let count: Int
        /// The first record, after the starts.
        let firstRecord: UnsafePointer<UInt8>
        /// Past the last record: the next bucket's start.
        let end: UnsafePointer<UInt8>
        /// Whether the starts take 4 bytes each, not 1.
        let isWide: Bool

        /// Each record's start, from ``firstRecord``.
        var starts: UnsafePointer<UInt8> { fingerprints + count }

        /// The records from `first` to `first + 7` whose fingerprint is
        /// `fingerprint`: bit `8 * i + 7` for record `first + i`. One word
        /// compare instead of a branch on each record's fingerprint.
        @inline(__always)
        func records(from first: Int, fingerprinted fingerprint: UInt8) -> UInt64 {
            let lanes = NameStore.lanes(at: fingerprints + first) ^ UInt64(fingerprint) &* 0x0101_0101_0101_0101
            return ByteLanes.zero(lanes) & NameStore.lanes(below: count &- first)
        }
    }

    /// The largest record bytes a bucket's 1-byte starts cover.
    static let narrowBucketLimit = 256

    /// Whether a bucket of `records` records taking `recordBytes` bytes is
    /// wide. (Every record takes at least 4 bytes, so 255 records are over
    /// the byte limit anyway; the count test keeps a narrow bucket's first
    /// byte from ever reading as ``manyRecords``.)
    @inline(__always)
    static func isWide(records: UInt32, recordBytes: UInt32) -> Bool {
        records >= UInt32(manyRecords) || recordBytes > UInt32(narrowBucketLimit)
    }

    /// Bucket `number`.
    @inline(__always)
    func bucket(_ number: Int) -> Bucket {
        let base = UnsafePointer(arena.base)
        let start = base + Int(bucketStarts[number])
        let end = base + Int(bucketStarts[number &+ 1])
        guard start < end else { return Bucket(fingerprints: start, count: 0, firstRecord: start, end: end, isWide: false) }
        let count = Int(start[0])
        if _fastPath(count != NameStore.manyRecords) {
            return Bucket(fingerprints: start + 1, count: count, firstRecord: start + 1 + 2 &* count, end: end,
                          isWide: false)
        }
        let wideCount = Int(UnsafeRawPointer(start + 1).loadUnaligned(as: UInt32.self))
        return Bucket(fingerprints: start + 5, count: wideCount, firstRecord: start + 5 + 5 &* wideCount, end: end,
                      isWide: true)
    }

    /// The bucket a name with this filing hash is in.
    @inline(__always)
    func bucket(filedUnder hash: UInt64) -> Bucket {
        bucket(NameStore.bucket(hash, bucketCount: bucketCount))
    }

    /// One record: its entry, whether a `__pfx_` symbol is folded into it, and its name's codes.
    typealias Record = (entry: Int, foldsPrefix: Bool, codes: UnsafeBufferPointer<UInt8>)

    /// Record `number` of `bucket`, from its start and the next record's (or
    /// the bucket's end).
    @inline(__always)
    func record(_ number: Int, in bucket: Bucket) -> Record {
        let isLast = number &+ 1 == bucket.count
        if _fastPath(!bucket.isWide && number < 7) {
            // The first eight starts in one word, read beside the
            // fingerprints (its address does not wait for the match), so the
            // record's start is a shift away from the match, not a load.
            // Past the last start lies the first record: read, then not used.
            let starts = NameStore.lanes(at: bucket.starts)
            let shift = UInt64(truncatingIfNeeded: number &* 8)
            let record = bucket.firstRecord + Int(truncatingIfNeeded: (starts &>> shift) & 0xFF)
            let next = bucket.firstRecord + Int(truncatingIfNeeded: (starts &>> (shift &+ 8)) & 0xFF)
            // Narrow buckets hold no long names.
            let codes = record + headerSize
            let (entry, foldsPrefix) = header(at: record)
            return (entry, foldsPrefix, UnsafeBufferPointer(start: codes, count: (isLast ? bucket.end : next) - codes))
        }
        // Past the first seven, or in a wide bucket: each start read alone.
        @inline(__always) func start(_ number: Int) -> UnsafePointer<UInt8> {
            bucket.firstRecord + (bucket.isWide
                ? Int(UnsafeRawPointer(bucket.starts).loadUnaligned(fromByteOffset: number &* 4, as: UInt32.self))
                : Int(bucket.starts[number]))
        }
        let record = start(number)
        let codes = record + headerSize
        let count = (isLast ? bucket.end : start(number &+ 1)) - codes
        let (entry, foldsPrefix) = header(at: record)
        return (entry, foldsPrefix, count < NameStore.longName ? UnsafeBufferPointer(start: codes, count: count)
                    : NameStore.longCodes(at: codes))
    }

    /// The header at the start of `record`: its entry, and whether a prefix
    /// is folded into it. (Four bytes are read; after a 3-byte header the
    /// fourth is the first code's, outside both masks.)
    @inline(__always)
    private func header(at record: UnsafePointer<UInt8>) -> (entry: Int, foldsPrefix: Bool) {
        let word = UnsafeRawPointer(record).loadUnaligned(as: UInt32.self)
        return (Int(word & entryMask), word & NameStore.prefixBit(entryMask: entryMask) != 0)
    }

    /// The codes of a long name whose record's codes would start at `codes`:
    /// after its two-byte count.
    @inline(__always)
    private static func longCodes(at codes: UnsafePointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: codes + 2, count: Int(codes[0]) | Int(codes[1]) << 8)
    }

    /// Calls `body` with each record of `bucket` in order, and its number.
    func forEachRecord(in bucket: Bucket, _ body: (Int, Record) throws -> Void) rethrows {
        for position in 0..<bucket.count { try body(position, record(position, in: bucket)) }
    }

    /// The encoded bytes of entry `entry`'s name, valid while the store lives.
    @inline(__always)
    func encodedName(_ entry: Int) -> UnsafeBufferPointer<UInt8> {
        let location = wideRecordLocations.map { $0[entry] } ?? UInt64(recordLocations[entry])
        let codes = UnsafePointer(arena.base) + Int(truncatingIfNeeded: location &>> 8) + headerSize
        let countByte = Int(truncatingIfNeeded: location & 0xFF)
        return countByte != NameStore.longName ? UnsafeBufferPointer(start: codes, count: countByte)
            : NameStore.longCodes(at: codes)
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

    /// Copies `codes` to `destination` in words, the last one overlapping
    /// the one before, writing nothing past the codes' end (past it lies
    /// another record, which the other thread may be writing). Instead of a
    /// `memcpy` call a record: with the record's header also stored in as
    /// few stores as it could be (two then, for five bytes), writing the
    /// records went from 1.8–2.9 to 1.1–1.7 ms.
    @inline(__always)
    static func copy(_ codes: UnsafeBufferPointer<UInt8>, to destination: UnsafeMutablePointer<UInt8>) {
        let count = codes.count
        guard let source = codes.baseAddress, count > 0 else { return }
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(destination)
        if count >= 8 {
            var offset = 0
            while offset &+ 8 < count {
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset,
                              as: UInt64.self)
                offset &+= 8
            }
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self), toByteOffset: count &- 8,
                          as: UInt64.self)
        } else if count >= 4 {
            to.storeBytes(of: from.loadUnaligned(as: UInt32.self), as: UInt32.self)
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self), toByteOffset: count &- 4,
                          as: UInt32.self)
        } else {
            for offset in 0..<count { destination[offset] = source[offset] }
        }
    }

    /// How many buckets a store of about `count` entries gets.
    static func bucketCount(forEntries count: Int) -> Int { max(1, count / entriesPerBucket) }

    /// A record's header size in a store of at most `count` entries: 3 bytes
    /// (23 bits of entry number and the folded-prefix bit), or 4 from 2^23 entries.
    static func headerSize(forEntries count: Int) -> Int { count >= 1 << 23 ? 4 : 3 }

    /// The entry number's bits in a header of `headerSize` bytes: all but the top one.
    static func entryMask(headerSize: Int) -> UInt32 { headerSize == 4 ? 0x7FFF_FFFF : 0x7F_FFFF }

    /// The folded-prefix bit of a header whose entry number has `entryMask`'s bits: the one above them.
    @inline(__always)
    static func prefixBit(entryMask: UInt32) -> UInt32 { entryMask &+ 1 }

    /// The bytes a record of `codes` codes takes in a narrow bucket, its
    /// fingerprint and start included.
    @inline(__always)
    static func recordSize(codes: Int, headerSize: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: headerSize &+ 2 &+ codes &+ (codes >= longName ? 2 : 0))
    }

    /// The bytes a bucket of `records` records takes beyond
    /// ``recordSize(codes:headerSize:)`` for each: its first byte (or five),
    /// and for a wide bucket 3 more bytes of each start.
    @inline(__always)
    static func bucketHeaderSize(records: UInt32, isWide: Bool) -> UInt32 {
        records == 0 ? 0 : isWide ? 5 &+ 3 &* records : 1
    }

    /// A store being laid out, in two parts (the entries of the lower and of
    /// the upper half of the buckets) that two threads may write at once.
    ///
    /// The buckets arrive sized (by ``PendingNames``, as it encodes the
    /// names); then each record is written at its bucket's next free byte,
    /// in entry order, so that each bucket keeps entry order. Records land at
    /// random in the arena, nearly every one a cache miss, and writing them
    /// is most of the work (1.1–1.7 ms for the 6.18 snapshot on one thread);
    /// the two parts split it. (Writing the arena in sequence instead, from
    /// entries sorted by bucket, read each entry's hash and codes at random
    /// instead: slower.)
    ///
    /// Each entry's hash and codes are read where the names were encoded,
    /// through the entry's parsed symbol: copied into arrays in entry order
    /// first, as they once were, the copying took half of the second build
    /// phase, while the address search beside it waited.
    final class Builder: @unchecked Sendable {
        private let count: Int
        /// The parsed symbol behind each entry; valid until ``finished()``.
        private let entries: UnsafeBufferPointer<UInt32>
        /// Each entry's flags, for its folded-prefix bit; valid until ``finished()``.
        private let flags: UnsafePointer<UInt8>
        /// By parsed symbol: the filing hash, and where the codes are and how many.
        private let hashes: UnsafePointer<UInt64>
        private let codes: UnsafePointer<UInt8>
        private let codeStarts: UnsafePointer<UInt32>
        private let codeCounts: UnsafePointer<UInt16>
        private let codec: NameCodec
        private let bucketCount: Int
        private let headerSize: Int
        /// Each bucket's size in bytes, at `b + 2`; then (prefix sums) its
        /// start at `b + 1`, then where its next record goes, which moves on
        /// as its records are written; so that at the end `starts[b]` is
        /// bucket b's start. (`starts`, `arena` and the record locations
        /// pass to the store that ``finished()`` makes.)
        private let starts: UnsafeMutablePointer<UInt32>
        /// Allocated by ``size()``, once its size is known.
        private var arena: UnsafeMutablePointer<UInt8>?
        /// Allocated by ``size()``: one of the two, by the arena's size.
        private var recordLocations: UnsafeMutablePointer<UInt32>?
        private var wideRecordLocations: UnsafeMutablePointer<UInt64>?
        /// Each bucket's record count.
        private let recordCounts: UnsafeMutablePointer<UInt32>
        /// From ``size()`` on, for each bucket: where its first record is in
        /// ``arena``, where its next record's fingerprint and start go (they
        /// lie before the first record), and its bytes a start (1, or 4 in a
        /// wide bucket).
        private let firstRecords: UnsafeMutablePointer<UInt32>
        private let fingerprintCursors: UnsafeMutablePointer<UInt32>
        private let startCursors: UnsafeMutablePointer<UInt32>
        private let startWidths: UnsafeMutablePointer<UInt8>
        /// The entries of part 0, then those of part 1, each in entry order.
        private let order: UnsafeMutablePointer<UInt32>
        /// Where part 1 starts in ``order``; set by ``size()``.
        private var upperEntries = 0
        /// Buckets below this are in part 0.
        private let upperPartStart: Int

        /// A builder for `entries` (entry `e` is parsed symbol `entries[e]`,
        /// with ``IndexStorage/Flags`` `flags[e]`), whose names are at
        /// `codes + codeStarts[s]`, `codeCounts[s]` codes (at least one: the
        /// parser refuses empty names), filed under `hashes[s]`, into
        /// `bucketCount` buckets whose byte sizes `sizes` holds at `b + 2`
        /// (`bucketCount + 2` counters, which it takes over), with records
        /// of ``NameStore/headerSize(forEntries:)`` bytes before their codes.
        init(entries: UnsafeBufferPointer<UInt32>, flags: UnsafePointer<UInt8>, hashes: UnsafePointer<UInt64>,
             codes: UnsafePointer<UInt8>, codeStarts: UnsafePointer<UInt32>, codeCounts: UnsafePointer<UInt16>,
             codec: NameCodec,
             bucketCount: Int, headerSize: Int, sizes: UnsafeMutablePointer<UInt32>) {
            count = entries.count
            self.entries = entries
            self.flags = flags
            self.hashes = hashes
            self.codes = codes
            self.codeStarts = codeStarts
            self.codeCounts = codeCounts
            self.codec = codec
            self.bucketCount = bucketCount
            self.headerSize = headerSize
            precondition(count < 1 << 23 || headerSize == 4, "entry numbers must fit the records")
            upperPartStart = bucketCount / 2
            starts = sizes
            order = .allocate(capacity: max(count, 1))
            recordCounts = .allocate(capacity: max(bucketCount, 1))
            recordCounts.initialize(repeating: 0, count: max(bucketCount, 1))
            firstRecords = .allocate(capacity: max(bucketCount, 1))
            fingerprintCursors = .allocate(capacity: max(bucketCount, 1))
            startCursors = .allocate(capacity: max(bucketCount, 1))
            startWidths = .allocate(capacity: max(bucketCount, 1))
        }

        deinit {
            order.deallocate()
            recordCounts.deallocate()
            firstRecords.deallocate()
            fingerprintCursors.deallocate()
            startCursors.deallocate()
            startWidths.deallocate()
        }

        /// The bucket entry `entry` is filed in.
        @inline(__always)
        private func bucket(ofEntry entry: Int) -> Int {
            NameStore.bucket(hashes[Int(entries[entry])], bucketCount: bucketCount)
        }

        /// The buckets' starts and headers, and the entries of each part;
        /// then the parts may be written.
        func size() {
            // Part 0 from the front, part 1 from the back, then part 1 turned
            // around: both in entry order. Each bucket's records counted on
            // the way. (The counts live in locals: kept in the object, every
            // use was a check for exclusive access.)
            var lower = 0
            var upper = count
            for entry in 0..<count {
                let bucket = bucket(ofEntry: entry)
                recordCounts[bucket] &+= 1
                if bucket >= upperPartStart {
                    upper &-= 1
                    order[upper] = UInt32(truncatingIfNeeded: entry)
                } else {
                    order[lower] = UInt32(truncatingIfNeeded: entry)
                    lower &+= 1
                }
            }
            var upperPart = UnsafeMutableBufferPointer(start: order + lower, count: count &- lower)
            upperPart.reverse()
            upperEntries = count &- lower
            for bucket in 0..<bucketCount {
                let records = recordCounts[bucket]
                // The sizes counted 2 bytes a record besides the record itself.
                let isWide = NameStore.isWide(records: records, recordBytes: starts[bucket &+ 2] &- 2 &* records)
                startWidths[bucket] = isWide ? 4 : 1
                starts[bucket &+ 2] &+= NameStore.bucketHeaderSize(records: records, isWide: isWide)
                    &+ starts[bucket &+ 1]
            }
            let used = Int(starts[bucketCount &+ 1])
            let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: used &+ NameStore.readPadding)
            self.arena = arena
            if used < NameStore.narrowArenaLimit {
                recordLocations = .allocate(capacity: max(count, 1))
            } else {
                wideRecordLocations = .allocate(capacity: max(count, 1))
            }
            // Each bucket's first byte (or five); its records go after its
            // fingerprints and starts.
            for bucket in 0..<bucketCount {
                let records = recordCounts[bucket]
                var at = Int(starts[bucket &+ 1])
                if records > 0 {
                    if startWidths[bucket] == 1 {
                        arena[at] = UInt8(truncatingIfNeeded: records)
                        at &+= 1
                    } else {
                        arena[at] = UInt8(NameStore.manyRecords)
                        UnsafeMutableRawPointer(arena + (at &+ 1)).storeBytes(of: records, as: UInt32.self)
                        at &+= 5
                    }
                }
                fingerprintCursors[bucket] = UInt32(truncatingIfNeeded: at)
                startCursors[bucket] = UInt32(truncatingIfNeeded: at) &+ records
                let first = startCursors[bucket] &+ records &* UInt32(startWidths[bucket])
                firstRecords[bucket] = first
                starts[bucket &+ 1] = first
            }
        }

        /// Writes the records of part `part` (0 or 1), on any thread, once
        /// ``size()`` has run; the two parts touch disjoint memory.
        @Sendable
        func write(_ part: Int) {
            let firstOfUpper = count &- upperEntries
            let range = part == 0 ? 0..<firstOfUpper : firstOfUpper..<count
            let arena = self.arena.unsafelyUnwrapped
            let prefixBit = NameStore.prefixBit(entryMask: NameStore.entryMask(headerSize: headerSize))
            for position in range {
                let entry = Int(order[position])
                let symbol = Int(entries[entry])
                let length = Int(codeCounts[symbol])
                let hash = hashes[symbol]
                let bucket = NameStore.bucket(hash, bucketCount: bucketCount)
                let cursor = bucket &+ 1
                var at = Int(starts[cursor])
                let countByte = min(length, NameStore.longName)
                if let recordLocations {
                    recordLocations[entry] = UInt32(truncatingIfNeeded: at &<< 8 | countByte)
                } else {
                    wideRecordLocations.unsafelyUnwrapped[entry] = UInt64(truncatingIfNeeded: at &<< 8 | countByte)
                }
                // The record's fingerprint, and its start from the first record.
                let fingerprintAt = Int(fingerprintCursors[bucket])
                arena[fingerprintAt] = NameStore.fingerprint(hash)
                fingerprintCursors[bucket] = UInt32(truncatingIfNeeded: fingerprintAt &+ 1)
                let width = startWidths[bucket]
                let startAt = Int(startCursors[bucket])
                startCursors[bucket] = UInt32(truncatingIfNeeded: startAt) &+ UInt32(width)
                let first = Int(firstRecords[bucket])
                if width == 1 {
                    arena[startAt] = UInt8(truncatingIfNeeded: at &- first)
                } else {
                    UnsafeMutableRawPointer(arena + startAt).storeBytes(of: UInt32(truncatingIfNeeded: at &- first),
                                                                       as: UInt32.self)
                }
                // The header in one store. Past a 3-byte header it reaches
                // one byte into the codes (every name has one), or into a
                // long name's count, which are written next.
                let foldsPrefix = flags[entry] & IndexStorage.Flags.hasPrefix != 0
                let header = UInt32(truncatingIfNeeded: entry) | (foldsPrefix ? prefixBit : 0)
                UnsafeMutableRawPointer(arena + at).storeBytes(of: header, as: UInt32.self)
                at &+= headerSize
                if length >= NameStore.longName {
                    arena[at] = UInt8(truncatingIfNeeded: length)
                    arena[at &+ 1] = UInt8(truncatingIfNeeded: length &>> 8)
                    at &+= 2
                }
                NameStore.copy(UnsafeBufferPointer(start: codes + Int(codeStarts[symbol]), count: length), to: arena + at)
                starts[cursor] = UInt32(truncatingIfNeeded: at &+ length)
            }
        }

        /// The store, once both parts are written.
        func finished() -> NameStore {
            let used = Int(starts[bucketCount])
            let arena = self.arena.unsafelyUnwrapped
            (arena + used).initialize(repeating: 0, count: NameStore.readPadding)
            // The cursors have moved one bucket on: `starts[b]` is bucket b's start.
            return NameStore(arena: Column(adopting: arena, count: used),
                             bucketStarts: Column(adopting: starts, count: bucketCount &+ 1),
                             recordLocations: recordLocations.map { Column(adopting: $0, count: count) }
                                 ?? Column(repeating: 0, count: 0),
                             wideRecordLocations: wideRecordLocations.map { Column(adopting: $0, count: count) },
                             codec: codec, headerSize: headerSize,
                             entryMask: NameStore.entryMask(headerSize: headerSize))
        }
    }
}
