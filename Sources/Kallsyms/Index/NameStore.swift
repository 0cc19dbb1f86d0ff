/// Every stored symbol name, compressed, in records grouped into buckets by
/// the hash each name is filed under: the name index and the name store in one.
///
/// A record is a fingerprint byte (the hash's low 8 bits), a code-count byte,
/// the entry number (3 bytes, or 4 for tables of 2^24 entries or more), and
/// the name's ``NameCodec`` codes. A bucket's records lie back to back, in
/// entry order, so that one name's symbols come back in address order; a
/// bucket holds four entries on average. A lookup reads the bucket's start
/// from a table of 4 bytes a bucket (64 KB for the 6.18 snapshot, which stays
/// in L2) and then walks the bucket, verifying only records whose fingerprint
/// and length fit. Finding a name thus costs one miss beyond L2: its bucket.
/// (A hash table of slots in front of an arena in entry order cost two
/// dependent misses, the slot and then the name, and 14–20% more on a hot
/// set: see Docs/benchmarks.md.)
///
/// Entries are filed under their name without one leading `__pfx_`
/// (``NameHash/filingHash(_:)``), so that a padding symbol stored as a name
/// and a function carrying a folded prefix share a bucket.
///
/// A name of ``longName`` codes or more has that value as its count byte and
/// its real count in two bytes after the entry number.
///
/// Each entry's record is also found directly, by its offset (4 bytes an
/// entry), for the lookups that go from an entry to its name.
struct NameStore {
    let arena: Column<UInt8>
    /// Where each bucket's records start in ``arena``, and after the last
    /// bucket, where they end.
    let bucketStarts: Column<UInt32>
    /// Where each entry's record starts in ``arena``.
    let recordStarts: Column<UInt32>
    let codec: NameCodec
    /// The bytes of a record before its codes: fingerprint, count, entry number.
    let headerSize: Int
    /// The entry number's bits, of the 4 bytes read at a record's third byte.
    let entryMask: UInt32

    var bucketCount: Int { bucketStarts.count &- 1 }

    var byteCount: Int {
        arena.byteCount + NameStore.readPadding + bucketStarts.byteCount + recordStarts.byteCount + codec.byteCount
    }

    func deallocate() {
        arena.deallocate()
        bucketStarts.deallocate()
        recordStarts.deallocate()
        codec.deallocate()
    }

    /// Zero bytes after the last record, so that a lookup may read 16 code
    /// bytes from any name's start (``NameCodec/matchesShortName(_:codes:query:count:)``),
    /// and 4 bytes of entry number from any record.
    static let readPadding = 16

    /// A count byte meaning "the count is in the two bytes after the entry number".
    static let longName = 0xFF

    /// Entries a bucket holds on average.
    static let entriesPerBucket = 4

    /// The bucket a name with this filing hash is in: its top 32 bits scaled.
    @inline(__always)
    static func bucket(_ hash: UInt64, bucketCount: Int) -> Int {
        Int(truncatingIfNeeded: ((hash &>> 32) &* UInt64(truncatingIfNeeded: bucketCount)) &>> 32)
    }

    /// A record's first byte for a name with this filing hash.
    @inline(__always)
    static func fingerprint(_ hash: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: hash) }

    /// The records of bucket `bucket`: from its first to past its last.
    @inline(__always)
    func records(inBucket bucket: Int) -> (start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) {
        let base = UnsafePointer(arena.base)
        return (base + Int(bucketStarts[bucket]), base + Int(bucketStarts[bucket &+ 1]))
    }

    /// The records of the bucket a name with this filing hash is in.
    @inline(__always)
    func records(filedUnder hash: UInt64) -> (start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) {
        records(inBucket: NameStore.bucket(hash, bucketCount: bucketCount))
    }

    /// The record at `record`: its fingerprint, entry, codes, and where the next one starts.
    @inline(__always)
    func record(at record: UnsafePointer<UInt8>)
        -> (fingerprint: UInt8, entry: Int, codes: UnsafeBufferPointer<UInt8>, next: UnsafePointer<UInt8>) {
        let count = Int(record[1])
        let entry = Int(UnsafeRawPointer(record + 2).loadUnaligned(as: UInt32.self) & entryMask)
        let codes = record + headerSize
        if _fastPath(count != NameStore.longName) {
            return (record[0], entry, UnsafeBufferPointer(start: codes, count: count), codes + count)
        }
        let long = Int(codes[0]) | Int(codes[1]) << 8
        return (record[0], entry, UnsafeBufferPointer(start: codes + 2, count: long), codes + 2 + long)
    }

    /// The encoded bytes of entry `entry`'s name, valid while the store lives.
    @inline(__always)
    func encodedName(_ entry: Int) -> UnsafeBufferPointer<UInt8> {
        record(at: UnsafePointer(arena.base) + Int(recordStarts[entry])).codes
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
    /// `memcpy` call a record: with the header stored in two stores instead
    /// of five, writing the records went from 1.8–2.9 to 1.1–1.7 ms.
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
    /// of entry number, or 4 from 2^24 entries.
    static func headerSize(forEntries count: Int) -> Int { count >= 1 << 24 ? 6 : 5 }

    /// The bytes a record of `codes` codes takes.
    @inline(__always)
    static func recordSize(codes: Int, headerSize: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: headerSize &+ codes &+ (codes >= longName ? 2 : 0))
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
        /// By parsed symbol: the filing hash, and where the codes are and how many.
        private let hashes: UnsafePointer<UInt64>
        private let codes: UnsafePointer<UInt8>
        private let codeStarts: UnsafePointer<UInt32>
        private let codeCounts: UnsafePointer<UInt16>
        private let codec: NameCodec
        private let bucketCount: Int
        private let headerSize: Int
        /// Each bucket's size in bytes, at `b + 2`; then (prefix sums) its
        /// start at `b + 1`, which moves on as its records are written; so
        /// that at the end `starts[b]` is bucket b's start.
        /// (`starts`, `arena` and `recordStarts` pass to the store that
        /// ``finished()`` makes.)
        private let starts: UnsafeMutablePointer<UInt32>
        /// Allocated by ``size()``, once its size is known.
        private var arena: UnsafeMutablePointer<UInt8>?
        private let recordStarts: UnsafeMutablePointer<UInt32>
        /// The entries of part 0, then those of part 1, each in entry order.
        private let order: UnsafeMutablePointer<UInt32>
        /// Where part 1 starts in ``order``; set by ``size()``.
        private var upperEntries = 0
        /// Buckets below this are in part 0.
        private let upperPartStart: Int

        /// A builder for `entries` (entry `e` is parsed symbol `entries[e]`),
        /// whose names are at `codes + codeStarts[s]`, `codeCounts[s]` codes
        /// (at least one: the parser refuses empty names), filed under
        /// `hashes[s]`, into `bucketCount` buckets whose byte sizes `sizes`
        /// holds at `b + 2` (`bucketCount + 2` counters, which it takes over),
        /// with records of ``NameStore/headerSize(forEntries:)`` bytes before
        /// their codes.
        init(entries: UnsafeBufferPointer<UInt32>, hashes: UnsafePointer<UInt64>, codes: UnsafePointer<UInt8>,
             codeStarts: UnsafePointer<UInt32>, codeCounts: UnsafePointer<UInt16>, codec: NameCodec,
             bucketCount: Int, headerSize: Int, sizes: UnsafeMutablePointer<UInt32>) {
            count = entries.count
            self.entries = entries
            self.hashes = hashes
            self.codes = codes
            self.codeStarts = codeStarts
            self.codeCounts = codeCounts
            self.codec = codec
            self.bucketCount = bucketCount
            self.headerSize = headerSize
            precondition(count < 1 << 24 || headerSize == 6, "entry numbers must fit the records")
            upperPartStart = bucketCount / 2
            starts = sizes
            order = .allocate(capacity: max(count, 1))
            recordStarts = .allocate(capacity: max(count, 1))
        }

        deinit {
            order.deallocate()
        }

        /// The bucket entry `entry` is filed in.
        @inline(__always)
        private func bucket(ofEntry entry: Int) -> Int {
            NameStore.bucket(hashes[Int(entries[entry])], bucketCount: bucketCount)
        }

        /// The buckets' starts, and the entries of each part; then the parts
        /// may be written.
        func size() {
            for bucket in 0..<bucketCount { starts[bucket &+ 2] &+= starts[bucket &+ 1] }
            arena = .allocate(capacity: Int(starts[bucketCount &+ 1]) &+ NameStore.readPadding)
            // Part 0 from the front, part 1 from the back, then part 1 turned
            // around: both in entry order. (The counts live in locals: kept
            // in the object, every use was a check for exclusive access.)
            var lower = 0
            var upper = count
            for entry in 0..<count {
                if bucket(ofEntry: entry) >= upperPartStart {
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
        }

        /// Writes the records of part `part` (0 or 1), on any thread, once
        /// ``size()`` has run; the two parts touch disjoint memory.
        @Sendable
        func write(_ part: Int) {
            let firstOfUpper = count &- upperEntries
            let range = part == 0 ? 0..<firstOfUpper : firstOfUpper..<count
            let arena = self.arena.unsafelyUnwrapped
            for position in range {
                let entry = Int(order[position])
                let symbol = Int(entries[entry])
                let length = Int(codeCounts[symbol])
                let hash = hashes[symbol]
                let cursor = NameStore.bucket(hash, bucketCount: bucketCount) &+ 1
                var at = Int(starts[cursor])
                recordStarts[entry] = UInt32(truncatingIfNeeded: at)
                // The header in two stores. Past a 5-byte header the second
                // reaches one byte into the codes (every name has one), which
                // are written next.
                let header = UInt64(NameStore.fingerprint(hash))
                    | UInt64(min(length, NameStore.longName)) &<< 8 | UInt64(truncatingIfNeeded: entry) &<< 16
                UnsafeMutableRawPointer(arena + at).storeBytes(of: UInt32(truncatingIfNeeded: header), as: UInt32.self)
                UnsafeMutableRawPointer(arena + (at &+ 4)).storeBytes(of: UInt16(truncatingIfNeeded: header &>> 32),
                                                                     as: UInt16.self)
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
                             recordStarts: Column(adopting: recordStarts, count: count), codec: codec,
                             headerSize: headerSize, entryMask: headerSize == 6 ? ~0 : (1 << 24) &- 1)
        }
    }
}
