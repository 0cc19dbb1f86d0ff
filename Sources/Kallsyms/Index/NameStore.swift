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
/// dependent misses, the slot and then the name, and 20% more on a hot set:
/// see Docs/benchmarks.md.)
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

    /// The records of the bucket a name with this filing hash is in.
    @inline(__always)
    func records(filedUnder hash: UInt64) -> (start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) {
        let bucket = NameStore.bucket(hash, bucketCount: bucketCount)
        let base = UnsafePointer(arena.base)
        return (base + Int(bucketStarts[bucket]), base + Int(bucketStarts[bucket &+ 1]))
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

    /// Lays out the names of `count` entries: entry `e` filed under
    /// `hashes[e]`, with the codes `codes(e)`.
    ///
    /// Two passes: the first sizes every bucket, the second writes each
    /// record at its bucket's next free byte, so the records of a bucket end
    /// up in entry order.
    init(count: Int, hashes: UnsafeBufferPointer<UInt64>, codec: NameCodec,
         codes: (Int) -> UnsafeBufferPointer<UInt8>) {
        let bucketCount = max(1, count / NameStore.entriesPerBucket)
        let wideEntries = count >= 1 << 24
        let headerSize = wideEntries ? 6 : 5
        // Sizes, then (prefix sums) starts, one bucket ahead so that the
        // second pass can use the table as each bucket's cursor.
        let starts = UnsafeMutablePointer<UInt32>.allocate(capacity: bucketCount + 2)
        starts.initialize(repeating: 0, count: bucketCount + 2)
        for entry in 0..<count {
            let length = codes(entry).count
            let size = headerSize &+ length &+ (length >= NameStore.longName ? 2 : 0)
            starts[NameStore.bucket(hashes[entry], bucketCount: bucketCount) &+ 2] &+= UInt32(truncatingIfNeeded: size)
        }
        for bucket in 0..<bucketCount { starts[bucket &+ 2] &+= starts[bucket &+ 1] }
        let used = Int(starts[bucketCount &+ 1])
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: used &+ NameStore.readPadding)
        let recordStarts = UnsafeMutablePointer<UInt32>.allocate(capacity: max(count, 1))
        for entry in 0..<count {
            let name = codes(entry)
            let length = name.count
            let cursor = NameStore.bucket(hashes[entry], bucketCount: bucketCount) &+ 1
            var at = Int(starts[cursor])
            recordStarts[entry] = UInt32(truncatingIfNeeded: at)
            arena[at] = NameStore.fingerprint(hashes[entry])
            arena[at &+ 1] = UInt8(truncatingIfNeeded: min(length, NameStore.longName))
            for byte in 0..<(headerSize &- 2) { arena[at &+ 2 &+ byte] = UInt8(truncatingIfNeeded: entry &>> (byte &* 8)) }
            at &+= headerSize
            if length >= NameStore.longName {
                arena[at] = UInt8(truncatingIfNeeded: length)
                arena[at &+ 1] = UInt8(truncatingIfNeeded: length &>> 8)
                at &+= 2
            }
            if length > 0 { (arena + at).initialize(from: name.baseAddress!, count: length) }
            starts[cursor] = UInt32(truncatingIfNeeded: at &+ length)
        }
        (arena + used).initialize(repeating: 0, count: NameStore.readPadding)
        // The cursors have moved one bucket on: `starts[b]` is bucket b's start.
        self.arena = Column(adopting: arena, count: used)
        bucketStarts = Column(adopting: starts, count: bucketCount &+ 1)
        self.recordStarts = Column(adopting: recordStarts, count: count)
        self.codec = codec
        self.headerSize = headerSize
        entryMask = wideEntries ? ~0 : (1 << 24) &- 1
    }
}
