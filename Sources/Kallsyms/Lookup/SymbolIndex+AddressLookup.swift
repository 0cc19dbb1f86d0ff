extension SymbolIndex {
    /// The symbol whose extent contains `address`, and the offset into it.
    ///
    /// Resolves as the kernel's `kallsyms_lookup` does: the symbol with the
    /// greatest start at or below `address`, if `address` is before that
    /// symbol's end (the next symbol's start, or the end of its region). Among
    /// aliases, the kernel's preferred name wins (see ``Symbol``). Returns nil for
    /// addresses the kernel would not symbolize: outside the text sections when
    /// the table has only text symbols, past `_end`, or past the last symbol of a
    /// module whose end is unknown.
    ///
    /// Does not allocate.
    /// - Parameter address: a kernel virtual address.
    /// - Returns: the symbol and offset, or nil.
    @inlinable
    public func symbol(containing address: UInt64) -> SymbolOffset? {
        guard let id = storage.locate(address) else { return nil }
        return SymbolOffset(symbol: Symbol(storage: storage, id: id), address: address)
    }
}

extension IndexStorage {
    /// The id (`entry << 1 | isFoldedPrefix`) of the symbol containing `address`.
    @usableFromInline
    func locate(_ address: UInt64) -> UInt32? {
        var segment = 0
        let segmentCount = segmentBases.count
        while segment + 1 < segmentCount && segmentBases[segment + 1] <= address { segment += 1 }
        let base = segmentBases[segment]
        guard address >= base else { return nil }
        let low = Int(segmentStarts[segment])
        let high = Int(segmentStarts[segment + 1])
        guard high > low else { return nil }
        let delta = address &- base
        let key = delta > UInt64(UInt32.max) ? UInt32.max : UInt32(truncatingIfNeeded: delta)

        // The first entry whose key is above `key`.
        var next = low
        var length = high - low
        let keys = self.keys.base
        while length > 0 {
            let half = length &>> 1
            if keys[next &+ half] <= key {
                next = next &+ half &+ 1
                length = length &- half &- 1
            } else {
                length = half
            }
        }
        let flags = self.flags.base
        if next < high && flags[next] & Flags.hasPrefix != 0 && key >= keys[next] &- prefixDistance {
            return UInt32(truncatingIfNeeded: next) &<< 1 | 1
        }
        guard next > low else { return nil }
        let entry = next &- 1
        if flags[entry] & Flags.specialExtent == 0 {
            // Not special, so the next entry exists in this segment.
            var end = keys[next]
            if flags[next] & Flags.hasPrefix != 0 { end &-= prefixDistance }
            return key < end ? UInt32(truncatingIfNeeded: entry) &<< 1 : nil
        }
        let extent = extents.extent(of: entry)
        switch extent.kind {
        case .bounded:
            return address < extent.end ? UInt32(truncatingIfNeeded: entry) &<< 1 : nil
        case .unknownSize:
            return delta == UInt64(keys[entry]) ? UInt32(truncatingIfNeeded: entry) &<< 1 : nil
        case .notSymbolizable:
            return nil
        }
    }
}
