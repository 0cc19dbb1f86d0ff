/// Finds the last entry at or below an address: a radix table over each
/// segment's keys in front of a SIMD scan.
///
/// Entries are split into *segments*: runs of sorted addresses with no gap over
/// 64 MiB and a span under 512 MiB, so that every key fits a non-negative
/// `Int32` (x86 has no unsigned SIMD compare; signed keys need none). vmlinux,
/// the module area, ftrace trampolines and BPF programs usually land in
/// separate segments, which keeps each one dense. The segment with the most
/// entries is tested first (``segmentAndOffset(containing:)``).
///
/// A key is the entry's offset from its segment's base shifted left by two,
/// with the two bits the lookup needs in the low bits: ``prefixBit`` (a folded
/// `__pfx_` symbol precedes the entry) and ``specialBit`` (the entry's end is
/// in the extent table). The lookup then never touches another column.
/// Comparing `key <= offset << 2 | 3` ignores the low bits.
///
/// Inside a segment, the top bits of the offset pick a bucket, and the
/// bucket table says which entry it starts at (about one entry a bucket on
/// average). Sixteen keys are compared at once and the lanes above the query
/// summed as vectors (the default x86-64 target has no `popcnt`). A lookup whose
/// answer lies 16 or more entries past its bucket's start takes another window.
///
/// A bucket's first entry is stored as a 16-bit offset from the first entry
/// of its *group* (``groupShift``: 256 consecutive buckets, unless a group
/// spans more than 65,535 entries), and the group starts as 32-bit entries: a
/// group start table of about a kilobyte, always in L1, read independently of
/// the offset. That fits one bucket an entry in the memory two entries a
/// bucket took with 32-bit starts. With two a bucket, dense stretches of text
/// (runs of small functions) held more than 16 entries a bucket, and a
/// lookup inside a random function took a second window often enough to
/// mispredict 0.28 times a lookup (cachegrind); 0.06 now, for the same
/// instruction count. A lookup at a uniformly random text address, which
/// lands mostly in large functions, went from 0.079 to 0.056.
struct AddressSearch {
    /// Base address of each segment, ascending.
    let segmentBases: Column<UInt64>
    /// First entry of each segment, plus the entry count at the end.
    let segmentStarts: Column<UInt32>
    /// Right shift from a key to its bucket, per segment.
    let segmentShifts: Column<UInt8>
    /// Where each segment's buckets start in the bucket table, plus the total at the end.
    let segmentBuckets: Column<UInt32>
    /// For each bucket, its first entry minus its group's start; each
    /// segment's list ends with its end entry.
    let bucketOffsets: Column<UInt16>
    /// The first entry of each group of `1 << groupShift` buckets.
    let groupStarts: Column<UInt32>
    /// Right shift from a bucket (counted over all segments) to its group.
    let groupShift: Int
    /// `offset << 2 | flags` of each entry; 16 `Int32.max` pad the end so a
    /// window never reads past the column.
    let keys: Column<Int32>
    /// The segment with the most entries (vmlinux's text, in a kernel
    /// table), tested before the others: its base, and the greatest offset
    /// from it that still belongs to it. Random text addresses then find
    /// their segment by one subtraction and one compare, instead of a loop
    /// over the segment bases (14 of a batched lookup's 164 instructions).
    let largestSegment: Int
    let largestSegmentBase: UInt64
    let largestSegmentLastOffset: UInt64

    static let prefixBit: Int32 = 2
    static let specialBit: Int32 = 1
    static let windowWidth = 16
    static let maximumGap: UInt64 = 1 << 26
    /// Keeps `offset << 2 | 3` below `Int32.max`, which queries past the end saturate to.
    static let maximumSpan: UInt64 = 1 << 29 - 2
    /// Average entries per bucket over a segment. Kernel text is denser than
    /// the segment's average, so this keeps text buckets within one 16-key
    /// window: with 8, text buckets held about 26 entries, and the varying
    /// number of windows cost a mispredicted branch on most random lookups
    /// (22 ns against 15 ns single, 19 against 11 batched); for 2, see the
    /// type's comment.
    static let entriesPerBucket = 1
    /// The most buckets a group holds, as a shift: 256.
    static let largestGroupShift = 8

    var byteCount: Int {
        segmentBases.byteCount + segmentStarts.byteCount + segmentShifts.byteCount
            + segmentBuckets.byteCount + bucketOffsets.byteCount + groupStarts.byteCount + keys.byteCount
    }

    func deallocate() {
        segmentBases.deallocate()
        segmentStarts.deallocate()
        segmentShifts.deallocate()
        segmentBuckets.deallocate()
        bucketOffsets.deallocate()
        groupStarts.deallocate()
        keys.deallocate()
    }

    /// The offset of an entry from its segment's base.
    @inline(__always)
    func offset(of entry: Int) -> UInt64 { UInt64(UInt32(bitPattern: keys[entry]) &>> 2) }

    /// The segment whose base is the greatest at or below `address`, or nil,
    /// and `address`'s offset from that base.
    @inline(__always)
    func segmentAndOffset(containing address: UInt64) -> (segment: Int, offset: UInt64)? {
        let offset = address &- largestSegmentBase
        if _fastPath(offset <= largestSegmentLastOffset) { return (largestSegment, offset) }
        guard let segment = segment(containing: address) else { return nil }
        return (segment, address &- segmentBases[segment])
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
    ///
    /// The largest segment is tested first, as addresses are. Past it, a
    /// kernel table has a handful of segments (vmlinux, per-CPU, modules,
    /// trampolines): up to 16 are counted without a branch (the starts at or
    /// below the entry), a loop whose length is the same on every call, where
    /// a binary search mispredicted on most. More are searched.
    @inline(__always)
    func segment(ofEntry entry: Int) -> Int {
        // Most entries are in the largest segment (vmlinux's text): one
        // unsigned compare of the distance from its first entry.
        let largestFirst = Int(segmentStarts[largestSegment])
        let largestCount = Int(segmentStarts[largestSegment &+ 1]) &- largestFirst
        if _fastPath(UInt(bitPattern: entry &- largestFirst) < UInt(bitPattern: largestCount)) { return largestSegment }
        let count = segmentBases.count
        if count <= 16 {
            var segment = 0
            // `count` is at least 1: an empty index has one empty segment.
            for later in 1..<count {
                segment &+= Int(segmentStarts[later]) <= entry ? 1 : 0
            }
            return segment
        }
        var low = 0
        var high = count
        while high - low > 1 {
            let middle = (low + high) >> 1
            if Int(segmentStarts[middle]) <= entry { low = middle } else { high = middle }
        }
        return low
    }

    /// One lookup in flight: where its bucket's entries start, and where its segment's end.
    struct Probe {
        var segment: Int
        var query: Int32
        var position: Int
        /// The segment's end entry: keys from there on belong to the next
        /// segment and are not comparable with the query.
        var end: Int
    }

    /// The first stage of a lookup of `address`; nil when it is below every segment.
    @inline(__always)
    func probe(containing address: UInt64) -> Probe? {
        guard let (segment, offset) = segmentAndOffset(containing: address) else { return nil }
        // Keys are `offset << 2 | flags`; `| 3` makes the comparison ignore the flags.
        let query = offset >= UInt64(Int32.max >> 2) ? Int32.max : Int32(truncatingIfNeeded: offset) &<< 2 | 3
        return probe(query, segment: segment)
    }

    /// The first stage of a lookup: the segment, the query key, and the
    /// bucket's entries (one memory access, to ``bucketOffsets``; the group
    /// starts are few enough to stay cached).
    @inline(__always)
    func probe(_ query: Int32, segment: Int) -> Probe {
        let shift = Int32(segmentShifts[segment])
        let bucketBase = Int(segmentBuckets[segment])
        let bucketCount = Int(segmentBuckets[segment &+ 1]) &- bucketBase &- 1
        var bucket = Int(query &>> shift)
        if bucket >= bucketCount { bucket = bucketCount &- 1 }
        return Probe(segment: segment, query: query, position: bucketStart(bucketBase &+ bucket),
                     end: Int(segmentStarts[segment &+ 1]))
    }

    /// The first entry of a bucket, counted over all segments.
    @inline(__always)
    func bucketStart(_ bucket: Int) -> Int {
        Int(groupStarts[bucket &>> groupShift]) &+ Int(bucketOffsets[bucket])
    }

    /// The second stage: the first entry of the probe's segment whose key is
    /// above its query; the answer is the entry before it (none, if it is the
    /// segment's first).
    ///
    /// (The lanes were once counted two ways, chosen per call site; the sum
    /// below takes fewer instructions than either, in both: 7 fewer an
    /// address in the batch.)
    @inline(__always)
    func upperBound(_ probe: Probe) -> Int {
        var position = probe.position
        let end = probe.end
        let query = SIMD16<Int32>(repeating: probe.query)
        let keys = UnsafeRawPointer(self.keys.base)
        while true {
            // Keys after the bucket's end in the same segment are above the
            // query (they are in later buckets), so only a window that would
            // reach into the next segment needs care: it is counted key by key
            // up to the segment's end. (Masking every window's lanes by the
            // bucket's end cost 12 instructions a lookup; masking only here
            // made LLVM keep the mask as a vector of booleans, which cost more.)
            if _slowPath(end &- position < AddressSearch.windowWidth) {
                while position < end && self.keys.base[position] <= probe.query { position &+= 1 }
                return position
            }
            let window = keys.loadUnaligned(fromByteOffset: position &* 4, as: SIMD16<Int32>.self)
            // A key above the query is a lane of all ones (-1), so the lanes'
            // sum is minus the keys above it. Summed explicitly as four 4-lane
            // vectors and then across: as one vector's sum, LLVM narrowed the
            // lanes to bytes and, in the batch, counted them by movemask and a
            // software popcount.
            let above = unsafeBitCast(window .> query, to: SIMD16<Int32>.self)
            let quarters = above.lowHalf.lowHalf &+ above.lowHalf.highHalf &+ above.highHalf.lowHalf
                &+ above.highHalf.highHalf
            let pairs = quarters.lowHalf &+ quarters.highHalf
            let count = AddressSearch.windowWidth &+ Int(truncatingIfNeeded: pairs[0] &+ pairs[1])
            position &+= count
            if count < AddressSearch.windowWidth { return position }
        }
    }

    /// Where segments start, for entries with these addresses (ascending) and
    /// logical starts (lower for entries with a folded prefix), followed by
    /// `addresses.count`: segment `s` is `starts[s]..<starts[s + 1]`.
    static func segmentStarts(addresses: [UInt64], logicalStarts: [UInt64]) -> [Int] {
        var starts: [Int] = []
        // Through buffers, each address read once: subscripting the arrays
        // cost a bounds check and an emptiness test an entry (20 instructions).
        addresses.withUnsafeBufferPointer { addresses in
            logicalStarts.withUnsafeBufferPointer { logicalStarts in
                guard let first = addresses.first else { return }
                starts.append(0)
                var base = logicalStarts[0]
                var previous = first
                var entry = 1
                while entry < addresses.count {
                    let address = addresses[entry]
                    if address - previous > maximumGap || address - base > maximumSpan {
                        starts.append(entry)
                        base = logicalStarts[entry]
                    }
                    previous = address
                    entry &+= 1
                }
            }
        }
        return starts + [addresses.count]
    }

    /// Builds the keys and buckets.
    /// - Parameters:
    ///   - addresses: entry addresses, ascending.
    ///   - logicalStarts: where each entry's first symbol begins (lower when a
    ///     folded prefix precedes it); a segment's base is its first logical start.
    ///   - starts: from ``segmentStarts(addresses:logicalStarts:)``.
    ///   - flags: each entry's ``IndexStorage/Flags``, from which the keys'
    ///     ``prefixBit`` and ``specialBit`` are taken.
    init(addresses: [UInt64], logicalStarts: [UInt64], starts: [Int], flags: [UInt8]) {
        var bases: [UInt64] = []
        var keys = [Int32](repeating: .max, count: addresses.count + AddressSearch.windowWidth)
        let segmentCount = starts.count - 1
        // Per-entry loops read and write through buffers: no bounds or uniqueness checks per key.
        keys.withUnsafeMutableBufferPointer { keys in
            addresses.withUnsafeBufferPointer { addresses in
                flags.withUnsafeBufferPointer { flags in
                    for segment in 0..<segmentCount {
                        let (first, end) = (starts[segment], starts[segment + 1])
                        let base = logicalStarts[first]
                        bases.append(base)
                        for entry in first..<end {
                            let entryFlags = flags[entry]
                            let lowBits = (entryFlags & IndexStorage.Flags.hasPrefix != 0 ? AddressSearch.prefixBit : 0)
                                | (entryFlags & IndexStorage.Flags.specialExtent != 0 ? AddressSearch.specialBit : 0)
                            keys[entry] = Int32(truncatingIfNeeded: (addresses[entry] &- base) &<< 2) | lowBits
                        }
                    }
                }
            }
        }

        var shifts: [UInt8] = []
        var segmentBuckets: [UInt32] = []
        // A segment of n entries gets at most max(1, n / entriesPerBucket)
        // buckets (the shift below sees to it) and one end: room for all,
        // written through the buffer (appending cost a uniqueness and a
        // capacity check a bucket, most of the loop's instructions).
        let bucketBound = addresses.count / AddressSearch.entriesPerBucket + 2 * segmentCount + 2
        var bucketStarts = [UInt32](unsafeUninitializedCapacity: bucketBound) { bucketStarts, initialized in
            var written = 0
            keys.withUnsafeBufferPointer { keys in
                for segment in 0..<segmentCount {
                    let (first, end) = (starts[segment], starts[segment + 1])
                    let span = UInt64(keys[end - 1]) + 1
                    let wanted = max(1, (end - first) / AddressSearch.entriesPerBucket)
                    var shift = 0
                    while (span >> UInt64(shift)) + 1 > UInt64(wanted) { shift += 1 }
                    let bucketCount = Int(span >> UInt64(shift)) + 1
                    precondition(written + bucketCount + 1 <= bucketStarts.count, "address buckets overflow their bound")
                    shifts.append(UInt8(shift))
                    segmentBuckets.append(UInt32(written))
                    var entry = first
                    var bucket = 0
                    while bucket < bucketCount {
                        let bucketLow = Int64(bucket) << Int64(shift)
                        while entry < end && Int64(keys[entry]) < bucketLow { entry &+= 1 }
                        bucketStarts.initializeElement(at: written, to: UInt32(truncatingIfNeeded: entry))
                        written &+= 1
                        bucket &+= 1
                    }
                    bucketStarts.initializeElement(at: written, to: UInt32(end))
                    written &+= 1
                }
            }
            initialized = written
        }
        segmentBuckets.append(UInt32(bucketStarts.count))
        var segmentStarts = starts.map { UInt32($0) }
        if bases.isEmpty {
            bases.append(0)
            segmentStarts = [0, 0]
            shifts.append(0)
            segmentBuckets = [0, 2]
            bucketStarts = [0, 0]
        }
        var largest = 0
        for segment in 1..<segmentStarts.count - 1
        where segmentStarts[segment + 1] - segmentStarts[segment] > segmentStarts[largest + 1] - segmentStarts[largest] {
            largest = segment
        }
        largestSegment = largest
        largestSegmentBase = bases[largest]
        largestSegmentLastOffset = largest + 1 < bases.count
            ? bases[largest + 1] - 1 - bases[largest] : UInt64.max - bases[largest]
        segmentBases = Column(bases)
        self.segmentStarts = Column(segmentStarts)
        segmentShifts = Column(shifts)
        self.segmentBuckets = Column(segmentBuckets)
        let split = AddressSearch.splitBucketStarts(bucketStarts)
        groupShift = split.groupShift
        groupStarts = Column(split.groupStarts)
        bucketOffsets = Column(split.offsets)
        self.keys = Column(keys)
    }

    /// `starts` (ascending) as group starts and 16-bit offsets from them,
    /// with the largest group (at most ``largestGroupShift``) whose entries
    /// all fit the offsets. A group of one bucket always does, so any input,
    /// however its entries crowd together, gets a table.
    static func splitBucketStarts(_ starts: [UInt32]) -> (groupShift: Int, groupStarts: [UInt32], offsets: [UInt16]) {
        var shift = largestGroupShift
        while shift > 0 {
            let size = 1 << shift
            let fits = stride(from: 0, to: starts.count, by: size).allSatisfy { first in
                starts[min(first + size, starts.count) - 1] - starts[first] <= UInt32(UInt16.max)
            }
            if fits { break }
            shift -= 1
        }
        let groupStarts = stride(from: 0, to: starts.count, by: 1 << shift).map { starts[$0] }
        // Through buffers: mapped over the indices, each offset cost two
        // bounds checks and an append.
        let offsets = [UInt16](unsafeUninitializedCapacity: starts.count) { offsets, initialized in
            starts.withUnsafeBufferPointer { starts in
                groupStarts.withUnsafeBufferPointer { groupStarts in
                    var index = 0
                    while index < starts.count {
                        offsets.initializeElement(at: index,
                                                  to: UInt16(truncatingIfNeeded: starts[index] - groupStarts[index >> shift]))
                        index &+= 1
                    }
                }
            }
            initialized = starts.count
        }
        return (shift, groupStarts, offsets)
    }
}
