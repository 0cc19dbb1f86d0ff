/// One kernel symbol: a cheap view into a ``SymbolIndex``.
///
/// A `Symbol` is two words: a reference to the index's storage and an entry
/// number. Nothing is copied out until you ask: ``name`` builds a String
/// (about 50 ns, since most kernel names are longer than the 15 bytes Swift
/// stores inline), while ``withUTF8Name(_:)`` hands you the bytes without
/// allocating. A symbol keeps its index's storage alive.
public struct Symbol: Hashable, Sendable, CustomStringConvertible {
    @usableFromInline let storage: IndexStorage
    /// `entry << 1`, plus 1 for a folded `__pfx_` padding symbol of that entry.
    @usableFromInline let id: UInt32

    @inlinable init(storage: IndexStorage, id: UInt32) {
        self.storage = storage
        self.id = id
    }

    /// A symbol's number in its index: hashable, comparable, and free to copy
    /// (no reference count), for aggregating samples.
    public struct ID: Hashable, Comparable, Sendable {
        /// The number: the entry times two, plus one for a folded `__pfx_` padding symbol.
        public let rawValue: UInt32

        @inlinable init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Orders ids by index entry: by address for symbols that addresses
        /// resolve to (a folded prefix just before its function), with
        /// absolute and per-cpu symbols after them all.
        public static func < (lhs: ID, rhs: ID) -> Bool {
            (lhs.rawValue >> 1, 1 - (lhs.rawValue & 1)) < (rhs.rawValue >> 1, 1 - (rhs.rawValue & 1))
        }
    }

    /// This symbol's id in its index.
    public var symbolID: ID { ID(rawValue: id) }

    @usableFromInline var entry: Int { IndexStorage.entry(ofSymbol: id) }

    /// The symbol's name, as the kernel prints it.
    public var name: String { storage.name(ofSymbol: id) }

    /// Calls `body` with the name's bytes, without allocating.
    ///
    /// The buffer is valid only during the call.
    public func withUTF8Name<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try storage.withName(ofSymbol: id, body)
    }

    /// The start address (for absolute and per-cpu symbols, the value).
    @inlinable
    public var address: UInt64 { storage.address(ofSymbol: id) }

    /// The distance to the next symbol, bounded by the end of the region, as the
    /// kernel computes it; nil when unknown (the last symbol of a module whose
    /// end was not given, or a symbol that is not an address at all).
    public var size: UInt64? { storage.size(ofSymbol: id) }

    /// The `nm` type letter.
    public var type: SymbolType { storage.type(ofSymbol: id) }

    /// The module the symbol belongs to; nil for vmlinux.
    public var module: Module? { storage.module(ofSymbol: id) }

    /// True for absolute and per-cpu symbols, whose value is not an address in
    /// the kernel's text or data; such symbols are found by name only.
    public var isAbsolute: Bool { storage.isAbsolute(symbol: id) }

    /// True when the kernel's own `%pS` would resolve this symbol's address to it.
    public var isSymbolizable: Bool { storage.isSymbolizable(symbol: id) }

    /// `ADDRESS TYPE NAME`, plus a tab and `[module]` for module symbols: the
    /// line `/proc/kallsyms` printed for it.
    public var description: String { storage.line(ofSymbol: id) }

    /// Whether both are the same symbol of the same index.
    public static func == (lhs: Symbol, rhs: Symbol) -> Bool {
        lhs.storage === rhs.storage && lhs.id == rhs.id
    }

    /// Hashes the index's identity and the symbol's id, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(storage))
        hasher.combine(id)
    }
}
