/// Finds entries by name: a bucketed hash table in two flat arrays.
///
/// The top bits of a name's hash pick a bucket; ``directory`` holds where each
/// bucket's slots start, so a bucket is a contiguous run of ``slots``. Each
/// slot packs an entry index in its low bits and a fingerprint (more hash
/// bits) in the rest, so nearly every non-matching slot is rejected without
/// touching the name bytes. Slots of one bucket are in entry order, so all
/// symbols of one name come back in address order. There are about two
/// entries per bucket.
struct NameHashTable {
    let directory: Column<UInt32>
    let slots: Column<UInt32>
    let bucketShift: UInt64
    let indexMask: UInt32

    var byteCount: Int { directory.byteCount + slots.byteCount }

    func deallocate() {
        directory.deallocate()
        slots.deallocate()
    }

    @inline(__always)
    func bucket(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash &>> bucketShift) }

    @inline(__always)
    func fingerprint(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash) & ~indexMask }

    /// The slot positions a name with this hash could be in.
    @inline(__always)
    func slotRange(_ hash: UInt64) -> Range<Int> {
        let bucket = bucket(hash)
        return Int(directory[bucket])..<Int(directory[bucket &+ 1])
    }

    /// Builds the table for `hashes`, one per entry.
    init(hashes: [UInt64]) {
        let count = hashes.count
        var bucketBits = 4
        while bucketBits < 28 && (1 << bucketBits) * 2 < count { bucketBits += 1 }
        var indexBits = 1
        while indexBits < 32 && (1 << indexBits) < count { indexBits += 1 }
        bucketShift = UInt64(64 - bucketBits)
        indexMask = indexBits >= 32 ? UInt32.max : (UInt32(1) << UInt32(indexBits)) - 1

        let bucketCount = 1 << bucketBits
        var starts = [UInt32](repeating: 0, count: bucketCount + 1)
        for hash in hashes { starts[Int(hash >> bucketShift) + 1] += 1 }
        for bucket in 0..<bucketCount { starts[bucket + 1] += starts[bucket] }
        var fill = starts
        var packed = [UInt32](repeating: 0, count: count)
        let mask = indexMask
        for (entry, hash) in hashes.enumerated() {
            let bucket = Int(hash >> bucketShift)
            packed[Int(fill[bucket])] = UInt32(entry) | (UInt32(truncatingIfNeeded: hash) & ~mask)
            fill[bucket] += 1
        }
        directory = Column(starts)
        slots = Column(packed)
    }
}
