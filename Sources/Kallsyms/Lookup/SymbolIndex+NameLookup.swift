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
    // Not @inline(__always): Swift 6.3.1's CopyPropagation crashes on it here.
    func matches(for query: UnsafeRawBufferPointer, region: Int?) -> SymbolMatches {
        let direct = probe(query, region: region, foldedOnly: false)
        var folded = SlotSet.empty
        if prefixDistance > 0 && query.count > 6 && IndexStorage.hasPrefixName(query) {
            folded = probe(UnsafeRawBufferPointer(rebasing: query[6...]), region: region, foldedOnly: true)
        }
        return SymbolMatches(storage: self, direct: direct, folded: folded)
    }

    @inline(__always)
    private func probe(_ query: UnsafeRawBufferPointer, region: Int?, foldedOnly: Bool) -> SlotSet {
        let hash = NameHash.hash(query.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: query.count)
        let table = nameTable
        let bucket = table.bucket(hash)
        let first = Int(table.directory[bucket])
        let end = Int(table.directory[bucket &+ 1])
        let fingerprint = table.fingerprint(hash)
        let indexMask = table.indexMask
        let slots = table.slots.base
        var set = SlotSet(base: first)
        var slot = first
        while slot < end {
            let packed = slots[slot]
            if packed & ~indexMask == fingerprint {
                let entry = Int(packed & indexMask)
                if (!foldedOnly || flags[entry] & Flags.hasPrefix != 0)
                    && names.nameMatches(entry, query)
                    && (region == nil || self.region(of: entry) == region!) {
                    set.insert(slot &- first)
                }
            }
            slot &+= 1
        }
        return set
    }
}
