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
        guard let region = storage.region(named: module) else {
            return SymbolMatches(storage: storage, direct: .empty, folded: .empty)
        }
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
    func matches(for query: UnsafeRawBufferPointer, region: Int?) -> SymbolMatches {
        let direct = probe(query, region: region, foldedOnly: false)
        var folded = SlotSet.empty
        let prefix = IndexStorage.prefixName
        if prefixDistance > 0 && query.count > prefix.count
            && query.prefix(prefix.count).elementsEqual(prefix) {
            folded = probe(UnsafeRawBufferPointer(rebasing: query[prefix.count...]), region: region, foldedOnly: true)
        }
        return SymbolMatches(storage: self, direct: direct, folded: folded)
    }

    private func probe(_ query: UnsafeRawBufferPointer, region: Int?, foldedOnly: Bool) -> SlotSet {
        let hash = query.baseAddress.map { NameHash.hash($0, count: query.count) } ?? NameHash.hash(UnsafeRawPointer(bitPattern: 1)!, count: 0)
        let table = nameTable
        let slots = table.slotRange(hash)
        let fingerprint = table.fingerprint(hash)
        var set = SlotSet(base: slots.lowerBound, mask: 0, overflow: [])
        for slot in slots {
            let packed = table.slots[slot]
            guard packed & ~table.indexMask == fingerprint else { continue }
            let entry = Int(packed & table.indexMask)
            if foldedOnly && flags[entry] & Flags.hasPrefix == 0 { continue }
            guard names.nameMatches(entry, query) else { continue }
            if let region, self.region(of: entry) != region { continue }
            let offset = slot - slots.lowerBound
            if offset < 64 {
                set.mask |= 1 << UInt64(offset)
            } else {
                while set.overflow.count < offset / 64 { set.overflow.append(0) }
                set.overflow[offset / 64 - 1] |= 1 << UInt64(offset % 64)
            }
        }
        return set
    }
}
