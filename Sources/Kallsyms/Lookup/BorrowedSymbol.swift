/// A symbol borrowed from its index: a ``Symbol`` without the reference count.
///
/// A ``Symbol`` holds a reference to its index's storage, so making or
/// dropping one is an atomic reference-count update, and on x86 each such
/// update waits for the lookup's memory reads before it: about 7 ns of a
/// 21 ns address lookup here. A `BorrowedSymbol` holds the same id but only
/// borrows the storage, which it can do because it cannot escape: the
/// compiler confines it to the scope of the index it came from (it is
/// `~Escapable`), so it can be read but not stored, returned or captured.
/// Ask for ``symbol`` to keep it.
///
/// ```swift
/// if let function = index.borrowedSymbol(containing: address) {
///     samples[function.symbolID, default: 0] += 1
///     print(function.name, address - function.address)
/// }
/// ```
public struct BorrowedSymbol: ~Escapable {
    @usableFromInline let storage: Unmanaged<IndexStorage>
    @usableFromInline let id: UInt32
    /// The start address, which the lookup that found the symbol had at hand.
    public let address: UInt64

    /// Only ``SymbolIndex`` makes these, and ties each to a borrow of itself.
    @_lifetime(immortal)
    @inlinable init(unsafelyBorrowing storage: Unmanaged<IndexStorage>, id: UInt32, address: UInt64) {
        self.storage = storage
        self.id = id
        self.address = address
    }

    /// Reads the storage without retaining it; the index this symbol borrows keeps it alive.
    @inlinable func read<Result>(_ body: (IndexStorage) throws -> Result) rethrows -> Result {
        try storage._withUnsafeGuaranteedRef(body)
    }

    /// This symbol's id in its index.
    @inlinable public var symbolID: Symbol.ID { Symbol.ID(rawValue: id) }

    /// The symbol as a ``Symbol``, which may be kept (one reference-count update).
    public var symbol: Symbol { Symbol(storage: storage.takeUnretainedValue(), id: id) }

    /// The symbol's name, as the kernel prints it (a new String).
    public var name: String { read { $0.name(ofSymbol: id) } }

    /// Calls `body` with the name's bytes, without allocating.
    ///
    /// The buffer is valid only during the call.
    public func withUTF8Name<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try read { try $0.withName(ofSymbol: id, body) }
    }

    /// The distance to the next symbol; see ``Symbol/size``.
    public var size: UInt64? { read { $0.size(ofSymbol: id) } }

    /// The `nm` type letter.
    public var type: SymbolType { read { $0.type(ofSymbol: id) } }

    /// The module the symbol belongs to; nil for vmlinux.
    public var module: Module? { read { $0.module(ofSymbol: id) } }

    /// True for absolute and per-cpu symbols; see ``Symbol/isAbsolute``.
    public var isAbsolute: Bool { read { $0.isAbsolute(symbol: id) } }

    /// True when the kernel's own `%pS` would resolve this symbol's address to it.
    public var isSymbolizable: Bool { read { $0.isSymbolizable(symbol: id) } }

    /// The line `/proc/kallsyms` printed for it; see ``Symbol/description``.
    public var description: String { read { $0.line(ofSymbol: id) } }
}

extension SymbolIndex {
    /// The symbol whose extent contains `address`, borrowed from this index:
    /// the answer of ``symbol(containing:)``, without reference counting.
    ///
    /// For loops that resolve one address at a time and read the answer on
    /// the spot (a profiler's sample, a log line's address). The symbol can
    /// be used only while this index is; the offset into it is
    /// `address - symbol.address`.
    /// - Parameter address: a kernel virtual address.
    /// - Returns: the symbol, or nil where ``symbol(containing:)`` returns nil.
    @inlinable
    @_lifetime(borrow self)
    public func borrowedSymbol(containing address: UInt64) -> BorrowedSymbol? {
        guard let (id, start) = storage.locateWithStart(address) else { return nil }
        let symbol = BorrowedSymbol(unsafelyBorrowing: Unmanaged.passUnretained(storage), id: id, address: start)
        return _overrideLifetime(symbol, borrowing: self)
    }
}
