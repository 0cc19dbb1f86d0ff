/// Finds the last entry at or below an address: a radix table over each
/// segment's keys in front of a SIMD scan.
///
/// Entries are split into *segments*: runs of sorted addresses with no gap over
/// 64 MiB and a span under 2 GiB, so that every key is a non-negative `Int32`
/// offset from its segment's base (x86 has no unsigned SIMD compare; signed
/// keys need none). vmlinux, the module area, ftrace trampolines and BPF
/// programs usually land in separate segments, which keeps each one dense.
///
/// Inside a segment, the top bits of the offset pick a bucket, and
/// ``bucketStarts`` says which entries fall in it; about two entries per
/// bucket on average, six or so in dense kernel text. Sixteen keys are
/// compared at once and the matching lanes counted by subtraction (no `popcnt`
/// on the default x86-64 target). Uniformly random text addresses land in a
/// bucket of more than 16 entries a few percent of the time; those loop.
///
/// Measured against alternatives in `Docs/benchmarks.md`.
struct AddressSearch {
    /// Base address of each segment, ascending.
    let segmentBases: Column<UInt64>
    /// First entry of each segment, plus the entry count at the end.
    let segmentStarts: Column<UInt32>
    /// Right shift from a key to its bucket, per segment.
    let segmentShifts: Column<UInt8>
    /// Where each segment's buckets start in ``bucketStarts``, plus the total at the end.
    let segmentBuckets: Column<UInt32>
    /// For each bucket, its first entry; each segment's list ends with its end entry.
    let bucketStarts: Column<UInt32>
    /// Offset of each entry from its segment's base; 16 `Int32.max` pad the end
    /// so a window never reads past the column.
    let keys: Column<Int32>

    static let windowWidth = 16
    static let maximumGap: UInt64 = 1 << 26
    static let maximumSpan: UInt64 = 1 << 31 - 2

    var byteCount: Int {
        segmentBases.byteCount + segmentStarts.byteCount + segmentShifts.byteCount
            + segmentBuckets.byteCount + bucketStarts.byteCount + keys.byteCount
    }

    func deallocate() {
        segmentBases.deallocate()
        segmentStarts.deallocate()
        segmentShifts.deallocate()
        segmentBuckets.deallocate()
        bucketStarts.deallocate()
        keys.deallocate()
    }

    /// The segment whose base is the greatest at or below `address`, or nil.
    @inline(__always)
    func segment(containing address: UInt64) -> Int? {
        let count = segmentBases.count
        guard count > 0, segmentBases[0] <= address else { return nil }
        var segment = 0
        while segment &+ 1 < count && segmentBases[segment &+ 1] <= address { segment &+= 1 }
        return segment
    }

    /// The segment an entry belongs to.
    func segment(ofEntry entry: Int) -> Int {
        var low = 0
        var high = segmentBases.count
        while high - low > 1 {
            let middle = (low + high) >> 1
            if Int(segmentStarts[middle]) <= entry { low = middle } else { high = middle }
        }
        return low
    }

    /// The first entry after the last one whose key is at most `key`, within
    /// `segment`: the answer is that minus one (or none, when it is the
    /// segment's first entry).
    @inline(__always)
    func upperBound(_ key: Int32, segment: Int) -> Int {
        let shift = Int32(segmentShifts[segment])
        let bucketBase = Int(segmentBuckets[segment])
        let bucketCount = Int(segmentBuckets[segment &+ 1]) &- bucketBase &- 1
        var bucket = Int(key &>> shift)
        if bucket >= bucketCount { bucket = bucketCount &- 1 }
        var position = Int(bucketStarts[bucketBase &+ bucket])
        let end = Int(bucketStarts[bucketBase &+ bucket &+ 1])
        let probe = SIMD16<Int32>(repeating: key)
        let keys = UnsafeRawPointer(self.keys.base)
        while true {
            let window = keys.loadUnaligned(fromByteOffset: position &* 4, as: SIMD16<Int32>.self)
            let limit = SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: end &- position))
            let hits = (window .<= probe) .& (AddressSearch.lanes .< limit)
            // A true lane is all ones (-1): the sum is minus the number of hits.
            let count = Int(0 &- unsafeBitCast(hits, to: SIMD16<Int32>.self).wrappedSum())
            position &+= count
            if count < AddressSearch.windowWidth { return position }
        }
    }

    static let lanes = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

    /// Builds the segments, buckets and keys for entries with these addresses
    /// (ascending) and logical starts (lower for entries with a folded prefix).
    init(addresses: [UInt64], logicalStarts: [UInt64]) {
        var bases: [UInt64] = []
        var starts: [UInt32] = []
        var keys = [Int32](repeating: .max, count: addresses.count + AddressSearch.windowWidth)
        for (entry, address) in addresses.enumerated() {
            let startsSegment = bases.isEmpty
                || address - addresses[entry - 1] > AddressSearch.maximumGap
                || address - bases[bases.count - 1] > AddressSearch.maximumSpan
            if startsSegment {
                bases.append(logicalStarts[entry])
                starts.append(UInt32(entry))
            }
            keys[entry] = Int32(truncatingIfNeeded: address - bases[bases.count - 1])
        }
        starts.append(UInt32(addresses.count))

        var shifts: [UInt8] = []
        var segmentBuckets: [UInt32] = []
        var bucketStarts: [UInt32] = []
        for segment in 0..<bases.count {
            let first = Int(starts[segment])
            let end = Int(starts[segment + 1])
            let span = UInt64(keys[end - 1]) + 1
            // About two entries per bucket.
            let wanted = max(1, (end - first) / 2)
            var shift = 0
            while (span >> UInt64(shift)) + 1 > UInt64(wanted) { shift += 1 }
            let bucketCount = Int(span >> UInt64(shift)) + 1
            shifts.append(UInt8(shift))
            segmentBuckets.append(UInt32(bucketStarts.count))
            var entry = first
            for bucket in 0..<bucketCount {
                let bucketLow = Int64(bucket) << Int64(shift)
                while entry < end && Int64(keys[entry]) < bucketLow { entry += 1 }
                bucketStarts.append(UInt32(entry))
            }
            bucketStarts.append(UInt32(end))
        }
        segmentBuckets.append(UInt32(bucketStarts.count))
        if bases.isEmpty {
            bases.append(0)
            starts = [0, 0]
            shifts.append(0)
            segmentBuckets = [0, 2]
            bucketStarts = [0, 0]
        }
        segmentBases = Column(bases)
        segmentStarts = Column(starts)
        segmentShifts = Column(shifts)
        self.segmentBuckets = Column(segmentBuckets)
        self.bucketStarts = Column(bucketStarts)
        self.keys = Column(keys)
    }
}
