/// Address ranges of built-in modules, placed in memory: what
/// ``BuiltinModuleRanges/resolve(addressOf:)`` makes of `modules.builtin.ranges`
/// once the anchor symbols' addresses are known.
///
/// Answers "which built-in modules is this address part of?", the question
/// `/proc/kallsyms` leaves open for everything that was not loaded as a `.ko`.
struct BuiltinModuleMap: Sendable, Hashable {
    /// One placed range: `start ..< end`, and the modules it belongs to.
    struct Range: Sendable, Hashable {
        /// The first address.
        let start: UInt64
        /// One past the last address.
        let end: UInt64
        /// The modules, in the file's order; more than one when an object is
        /// linked into several modules.
        let modules: [String]
    }

    /// The ranges, sorted by start address (ties keep the file's order).
    let ranges: [Range]
    /// `reach[i]` is the largest `end` among `ranges[0...i]`. The generator
    /// writes ranges that do not overlap, but a lookup that stays right when
    /// they do costs only this array.
    private let reach: [UInt64]

    /// Sorts `ranges` by start address.
    init(ranges: [Range]) {
        let sorted = ranges.enumerated().sorted {
            $0.element.start != $1.element.start ? $0.element.start < $1.element.start : $0.offset < $1.offset
        }.map(\.element)
        self.ranges = sorted
        var reach: [UInt64] = []
        reach.reserveCapacity(sorted.count)
        var farthest: UInt64 = 0
        for range in sorted {
            farthest = max(farthest, range.end)
            reach.append(farthest)
        }
        self.reach = reach
    }

    /// The modules whose ranges contain `address`, without repeats, in
    /// address order of the ranges; empty when none does (the address is in
    /// code that is always built in, or outside the image).
    ///
    /// - Complexity: O(log n) plus the number of ranges that overlap there.
    func modules(at address: UInt64) -> [String] {
        var result: [String] = []
        for index in covering(address) {
            for module in ranges[index].modules where !result.contains(module) { result.append(module) }
        }
        return result
    }

    /// The range that contains `address`, when exactly one does.
    func range(containing address: UInt64) -> Range? {
        let found = covering(address)
        return found.count == 1 ? ranges[found[0]] : nil
    }

    /// Indices of the ranges that contain `address`, in ascending order.
    private func covering(_ address: UInt64) -> [Int] {
        // The last range that starts at or below the address…
        var low = 0, high = ranges.count
        while low < high {
            let middle = (low &+ high) &>> 1
            if ranges[middle].start <= address { low = middle &+ 1 } else { high = middle }
        }
        // …and the ones before it, while some range that far back still reaches it.
        var found: [Int] = []
        var index = low - 1
        while index >= 0 && reach[index] > address {
            if ranges[index].end > address { found.append(index) }
            index -= 1
        }
        return found.reversed()
    }
}
