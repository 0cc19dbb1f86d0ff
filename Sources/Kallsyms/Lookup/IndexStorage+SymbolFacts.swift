/// What a symbol id says, read from the storage.
///
/// ``Symbol`` (which holds the storage) and ``BorrowedSymbol`` (which borrows
/// it) are two ways of holding an id; both answer through these, so that
/// the two cannot drift apart.
extension IndexStorage {
    /// The entry of an id (`entry << 1 | isFoldedPrefix`).
    @inlinable static func entry(ofSymbol id: UInt32) -> Int { Int(id >> 1) }

    /// Whether an id names the `__pfx_` padding symbol folded into its entry.
    @inlinable static func isFoldedPrefix(_ id: UInt32) -> Bool { id & 1 != 0 }

    func name(ofSymbol id: UInt32) -> String {
        withName(ofSymbol: id) { String(decoding: $0, as: UTF8.self) }
    }

    func withName<Result>(ofSymbol id: UInt32, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows
        -> Result {
        try names.withName(IndexStorage.entry(ofSymbol: id),
                           prefix: IndexStorage.isFoldedPrefix(id) ? IndexStorage.prefixName : [], body)
    }

    @inlinable
    func address(ofSymbol id: UInt32) -> UInt64 {
        start(ofSymbol: id, entryAddress: address(of: IndexStorage.entry(ofSymbol: id)))
    }

    /// Where symbol `id` starts, given its entry's address: a folded prefix
    /// `prefixDistance` before it.
    @inlinable
    func start(ofSymbol id: UInt32, entryAddress: UInt64) -> UInt64 {
        IndexStorage.isFoldedPrefix(id) ? entryAddress &- UInt64(prefixDistance) : entryAddress
    }

    func size(ofSymbol id: UInt32) -> UInt64? {
        if IndexStorage.isFoldedPrefix(id) { return UInt64(prefixDistance) }
        let entry = IndexStorage.entry(ofSymbol: id)
        let extent = extent(of: entry)
        switch extent.kind {
        case .bounded: return extent.end &- address(of: entry)
        case .unknownSize, .notSymbolizable: return nil
        }
    }

    func type(ofSymbol id: UInt32) -> SymbolType { type(of: IndexStorage.entry(ofSymbol: id)) }

    func module(ofSymbol id: UInt32) -> Module? { regions[region(of: IndexStorage.entry(ofSymbol: id))] }

    func isAbsolute(symbol id: UInt32) -> Bool { IndexStorage.entry(ofSymbol: id) >= searchableCount }

    func isSymbolizable(symbol id: UInt32) -> Bool {
        guard !isAbsolute(symbol: id) else { return false }
        return extent(of: IndexStorage.entry(ofSymbol: id)).kind != .notSymbolizable
    }

    /// `ADDRESS TYPE NAME`, plus a tab and `[module]` for module symbols.
    func line(ofSymbol id: UInt32) -> String {
        var line = hex(address(ofSymbol: id), width: addressWidth) + " " + String(type(ofSymbol: id).letter) + " "
            + name(ofSymbol: id)
        if let module = module(ofSymbol: id) { line += "\t[\(module.name)]" }
        return line
    }
}

/// Lower-case hex, zero-padded to `width` digits.
func hex(_ value: UInt64, width: Int) -> String {
    let digits = String(value, radix: 16)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
