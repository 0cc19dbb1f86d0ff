#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension SymbolIndex {
    /// Every symbol called `name`, in address order: all duplicates, never
    /// just the first or the last.
    ///
    /// Does not allocate, except for names repeated more than 64 times in
    /// one hash bucket.
    /// - Parameter name: the exact name, such as `init_once` or `__pfx_vfs_read`.
    /// - Returns: the matches; empty when there are none.
    public func symbols(named name: String) -> SymbolMatches {
        withUTF8(name) { storage.matches(for: $0, region: nil) }
    }

    /// The symbols called `name` in one module.
    /// - Parameters:
    ///   - name: the exact symbol name.
    ///   - module: a module name as `/proc/kallsyms` prints it without brackets
    ///     (`xfs`, `bpf`), or `vmlinux` for the kernel itself.
    /// - Returns: the matches in that module, in address order; empty when the
    ///   module is unknown.
    public func symbols(named name: String, inModule module: String) -> SymbolMatches {
        guard let region = storage.region(named: module) else { return SymbolMatches(storage: storage) }
        return withUTF8(name) { storage.matches(for: $0, region: region) }
    }

    /// Every symbol whose name is the given UTF-8 bytes, in address order.
    /// - Parameter utf8: the name's bytes; they need not outlive the call.
    /// - Returns: the matches; empty when there are none.
    public func symbols(named utf8: UnsafeBufferPointer<UInt8>) -> SymbolMatches {
        storage.matches(for: UnsafeRawBufferPointer(utf8), region: nil)
    }

    @inline(__always)
    func withUTF8<Result>(_ name: String, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        if let result = name.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(name.utf8).withUnsafeBytes(body)
    }
}

extension IndexStorage {
    func region(named module: String) -> Int? {
        if module == "vmlinux" { return 0 }
        return regions.firstIndex(where: { $0?.name == module })
    }

    /// Finds the entries named `query`, and the folded `__pfx_` symbols it names.
    // Not @inline(__always): Swift 6.3.1's CopyPropagation crashes on it here.
    func matches(for query: UnsafeRawBufferPointer, region: Int?) -> SymbolMatches {
        var matches = SymbolMatches(storage: self)
        // Names are compared two bytes at a time, so the query gets a byte of padding.
        let count = query.count
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count + 2) { padded in
            let start = UnsafeMutableRawPointer(padded.baseAddress!)
            if count > 0 { start.copyMemory(from: query.baseAddress!, byteCount: count) }
            start.storeBytes(of: 0, toByteOffset: count, as: UInt8.self)
            let query = UnsafeRawBufferPointer(start: start, count: count)
            probe(query, region: region, folded: false, into: &matches)
            if prefixDistance > 0 && count > 6 && IndexStorage.hasPrefixName(query) {
                let before = matches.count
                probe(UnsafeRawBufferPointer(start: start + 6, count: count &- 6), region: region, folded: true,
                      into: &matches)
                if before > 0 && matches.count > before { matches.sortByAddress() }
            }
        }
        return matches
    }

    /// Appends the entries named `query` (with `folded`, those carrying a
    /// folded prefix, as that prefix) in entry order.
    @inline(__always)
    private func probe(_ query: UnsafeRawBufferPointer, region: Int?, folded: Bool, into matches: inout SymbolMatches) {
        let hash = NameHash.hash(query.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: query.count)
        let table = nameTable
        var slot = table.home(hash)
        let capacity = table.slots.count
        let fingerprint = table.fingerprint(hash)
        let indexMask = table.indexMask
        let slots = table.slots.base
        while true {
            let packed = slots[slot]
            if packed == 0 { break }
            slot &+= 1
            if slot == capacity { slot = 0 }
            guard packed & ~indexMask == fingerprint else { continue }
            let entry = Int((packed & indexMask) &- 1)
            if folded && flags[entry] & Flags.hasPrefix == 0 { continue }
            guard names.nameMatches(entry, paddedQuery: query.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!,
                                    count: query.count) else { continue }
            if let region, self.region(of: entry) != region { continue }
            matches.append(UInt32(truncatingIfNeeded: entry) &<< 1 | (folded ? 1 : 0))
        }
    }
}
