/// An address resolved to the symbol containing it: `name+0xoff/0xsize [module]`.
///
/// The symbol's properties are available directly (`match.name`,
/// `match.size`, `match.module`) and ``description`` prints exactly what the
/// kernel's `%pS` (`sprint_symbol`) prints for the address.
@dynamicMemberLookup
public struct SymbolOffset: Hashable, Sendable, CustomStringConvertible {
    /// The symbol whose extent contains ``address``.
    public let symbol: Symbol
    /// The address that was looked up.
    public let address: UInt64

    @inlinable init(symbol: Symbol, address: UInt64) {
        self.symbol = symbol
        self.address = address
    }

    /// How far ``address`` is into the symbol.
    public var offset: UInt64 { address &- symbol.address }

    /// Reads a property of ``symbol``.
    public subscript<Value>(dynamicMember keyPath: KeyPath<Symbol, Value>) -> Value {
        symbol[keyPath: keyPath]
    }

    /// `name+0xoff/0xsize [module]`, as the kernel's `%pS` formats it.
    ///
    /// The kernel prints `0x` even for zero (`+0x0/0x40`). BPF programs get no
    /// module suffix, as in the kernel. A symbol of unknown size (see
    /// ``Symbol/size``) prints `/0x0`.
    public var description: String {
        var text = symbol.name
        text += "+0x" + String(offset, radix: 16)
        text += "/0x" + String(symbol.size ?? 0, radix: 16)
        if let module = symbol.module, module.kind != .bpf {
            text += " [\(module.name)]"
        }
        return text
    }
}
