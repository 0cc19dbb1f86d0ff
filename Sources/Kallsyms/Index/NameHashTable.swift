/// Finds entries by name: an open-addressing hash table of 32-bit slots.
///
/// A name's hash picks its home slot (multiply-shift onto a table 1.6 times
/// times the entry count, no power-of-two rounding); entries go to the first
/// free slot from there on. Each slot packs `entry + 1` in its low bits (0 is
/// a free slot), a "more" bit, and a fingerprint (more bits of the hash) in
/// the rest, so nearly every other name's slot is passed over without
/// touching its bytes. Lookups read ``groupWidth`` slots at a time; the
/// first slots are repeated after the last so that such a read never wraps.
///
/// The "more" bit is clear when no later slot of the probe run holds an entry
/// with the same hash: a lookup that has verified a match there can stop,
/// instead of walking on to the run's free slot to collect duplicates (on
/// average four slots at this load, and a mispredicted loop exit).
///
/// Entries are inserted in entry order, and linear probing keeps that order
/// along a probe run, so all symbols of one name come back in address order.
///
/// An earlier layout kept a bucket directory in front of the slots: one more
/// dependent memory access per lookup, which on this kind of VM (about 60 ns
/// per access beyond L2) cost more than everything else in a lookup.
struct NameHashTable {
    let slots: Column<UInt32>
    /// The bits holding `entry + 1`.
    let indexMask: UInt32
    /// Set when a later slot of the run may hold an entry with the same hash.
    let moreBit: UInt32
    /// The bits holding the fingerprint.
    var fingerprintMask: UInt32 { ~(indexMask | moreBit) }

    var byteCount: Int { slots.byteCount + (NameHashTable.groupWidth - 1) * MemoryLayout<UInt32>.stride }

    func deallocate() { slots.deallocate() }

    /// The home slot of a hash: its top 32 bits scaled onto the table.
    @inline(__always)
    func home(_ hash: UInt64) -> Int { NameHashTable.home(hash, capacity: slots.count) }

    /// The home slot of a hash in a table of `capacity` slots: its top 32 bits scaled.
    @inline(__always)
    static func home(_ hash: UInt64, capacity: Int) -> Int {
        Int(truncatingIfNeeded: ((hash &>> 32) &* UInt64(capacity)) &>> 32)
    }

    @inline(__always)
    func fingerprint(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash) & fingerprintMask }

    /// The four slots from `first` (which may wrap: the table repeats its
    /// first slots after its end): as bits, those of the run from `first`
    /// whose fingerprint is `fingerprint`, and whether the run ends among them.
    ///
    /// One vector load, two compares and two lane masks (`pcmpeqd`,
    /// `movmskps`); slots after the run's first free one are not candidates,
    /// which also drops free slots when the fingerprint is 0.
    @inline(__always)
    func group(at first: Int, fingerprint: UInt32) -> (candidates: Int, runEnds: Bool) {
        let four = UnsafeRawPointer(slots.base + first).loadUnaligned(as: SIMD4<UInt32>.self)
        let laneBits = SIMD4<UInt32>(1, 2, 4, 8)
        let fingerprints = four & SIMD4(repeating: fingerprintMask)
        var candidates = Int((fingerprints .== SIMD4(repeating: fingerprint)).bits(laneBits))
        let free = Int((four .== SIMD4.zero).bits(laneBits))
        let firstFree = free & (0 &- free)
        if firstFree != 0 { candidates &= firstFree &- 1 }
        return (candidates, firstFree != 0)
    }

    /// The entry a slot holds, or nil for a free slot.
    @inline(__always)
    func entry(_ packed: UInt32) -> Int? {
        let stored = packed & indexMask
        return stored == 0 ? nil : Int(stored &- 1)
    }

    /// Builds the table for `hashes`, one per entry.
    init(hashes: [UInt64]) {
        let count = hashes.count
        var indexBits = 1
        while indexBits < 31 && (1 << indexBits) <= count + 1 { indexBits += 1 }
        indexMask = (UInt32(1) << UInt32(indexBits)) - 1
        moreBit = indexMask + 1
        // Five-eighths full: a search for an absent name stops after about 4
        // slots on average (linear probing: (1 + 1/(1-a)^2)/2), all in one or
        // two cache lines; fuller tables made misses scan much longer runs.
        let capacity = max(8, count * 8 / 5 + 1)
        let tail = NameHashTable.groupWidth - 1
        let table = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity + tail)
        table.initialize(repeating: 0, count: capacity)
        NameHashTable.place(hashes, into: UnsafeMutableBufferPointer(start: table, count: capacity),
                            fingerprintMask: ~(indexMask | moreBit), moreBit: moreBit)
        // The first slots again after the last, so that a group read near
        // the end sees the slots probing wraps around to.
        (table + capacity).initialize(from: table, count: tail)
        slots = Column(adopting: table, count: capacity)
    }

    /// How many slots a lookup reads at once.
    static let groupWidth = 4

    /// Fills `table` as inserting `hashes` in entry order by linear probing
    /// would, in linear time whatever the input, with the "more" bits set.
    ///
    /// Entries are counting-sorted by home slot (stable, so one name's entries
    /// stay in entry order), then laid down in that order, each at its home or
    /// just after the one before; those pushed past the end wrap around to
    /// the first free slots. Every entry then sits after its home with no free
    /// slot between, which is all a lookup relies on. Inserting one by one
    /// walked each run to its end: quadratic for a name repeated thousands of
    /// times. (A union-find of free slots also fixed that, in the same 1.2 ms
    /// for 64k names; this is simpler.)
    ///
    /// Entries with equal hashes share a home, so they are laid down in one
    /// group of consecutive same-home entries: an entry's "more" bit is set
    /// when a later entry of its group has its hash. Each entry looks back
    /// over the last ``groupWindow`` entries of its group; a group longer
    /// than that (a name repeated many times, or a pile-up of homes) gets the
    /// bit on every entry, which only costs its lookups the walk to the run's
    /// free slot. (A separate pass over the finished table, scanning each
    /// slot's run for its hash, took as long as laying the table down.)
    private static func place(_ hashes: [UInt64], into table: UnsafeMutableBufferPointer<UInt32>,
                              fingerprintMask: UInt32, moreBit: UInt32) {
        let capacity = table.count
        let count = hashes.count
        // Slot counts, then (prefix sums) each home's first position in the order.
        let firstPosition = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity + 1)
        firstPosition.initialize(repeating: 0, count: capacity + 1)
        let order = UnsafeMutablePointer<UInt32>.allocate(capacity: max(count, 1))
        // The hashes in that order too, so that laying entries down reads them
        // in sequence: read as `hashes[order[position]]`, a random access
        // into half a megabyte per entry, that read was a third of the
        // table's build time (perf's samples).
        let orderedHashes = UnsafeMutablePointer<UInt64>.allocate(capacity: max(count, 1))
        // The current group's last entries: their hashes and slots.
        let window = groupWindow
        let groupHashes = UnsafeMutablePointer<UInt64>.allocate(capacity: window)
        let groupSlots = UnsafeMutablePointer<Int>.allocate(capacity: window)
        defer {
            firstPosition.deallocate()
            order.deallocate()
            orderedHashes.deallocate()
            groupHashes.deallocate()
            groupSlots.deallocate()
        }
        hashes.withUnsafeBufferPointer { hashes in
            func home(_ hash: UInt64) -> Int { NameHashTable.home(hash, capacity: capacity) }
            for hash in hashes { firstPosition[home(hash) &+ 1] &+= 1 }
            for slot in 0..<capacity { firstPosition[slot &+ 1] &+= firstPosition[slot] }
            for (entry, hash) in hashes.enumerated() {
                let slot = home(hash)
                let position = Int(firstPosition[slot])
                order[position] = UInt32(truncatingIfNeeded: entry)
                orderedHashes[position] = hash
                firstPosition[slot] &+= 1
            }
            var next = 0
            var wrapped = 0
            var groupHome = -1
            var groupSize = 0
            for position in 0..<count {
                let entry = Int(order[position])
                let hash = orderedHashes[position]
                let packed = UInt32(truncatingIfNeeded: entry &+ 1) | (UInt32(truncatingIfNeeded: hash) & fingerprintMask)
                let entryHome = home(hash)
                var slot = max(entryHome, next)
                if slot < capacity {
                    table[slot] = packed
                    next = slot &+ 1
                } else {
                    // Past the end: the first free slots from the start.
                    while table[wrapped] != 0 { wrapped &+= 1 }
                    table[wrapped] = packed
                    slot = wrapped
                }
                if entryHome != groupHome {
                    groupHome = entryHome
                    groupSize = 0
                }
                if groupSize < window {
                    // The latest earlier entry with this hash gets the bit.
                    var earlier = groupSize
                    while earlier > 0 {
                        earlier &-= 1
                        if groupHashes[earlier] == hash {
                            table[groupSlots[earlier]] |= moreBit
                            break
                        }
                    }
                    groupHashes[groupSize] = hash
                    groupSlots[groupSize] = slot
                } else {
                    if groupSize == window {
                        for earlier in 0..<window { table[groupSlots[earlier]] |= moreBit }
                    }
                    table[slot] |= moreBit
                }
                groupSize &+= 1
            }
        }
    }

    /// How many earlier entries of its group an entry compares hashes with.
    static let groupWindow = 16
}

extension SIMDMask where Storage == SIMD4<Int32> {
    /// The lanes that are true as one bit each: `weights` (1, 2, 4, 8) summed,
    /// which LLVM emits as one `movmskps`. (Written as a static helper with
    /// the weights inside, the same sum became an OR-reduction of six
    /// instructions.)
    @inline(__always)
    fileprivate func bits(_ weights: SIMD4<UInt32>) -> UInt32 {
        (SIMD4<UInt32>(truncatingIfNeeded: unsafeBitCast(self, to: SIMD4<Int32>.self)) & weights).wrappedSum()
    }
}
