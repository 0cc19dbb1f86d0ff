#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The columns of a symbol table exactly as the text had them, in file order.
///
/// Names stay in the text as (start, length) ranges: parsing makes no String
/// and no per-line allocation. The columns are plain buffers that the index
/// builder reads without bounds checks; the table lives only while the text's
/// bytes are pinned, and ``deallocate()`` frees it once the index is built.
///
/// Sendable because nothing writes to it once parsed: the builder's two
/// threads read it at the same time.
struct ParsedTable: @unchecked Sendable {
    /// The file name or `<stdin>`, for messages.
    var source: String
    /// The whole text, which the name ranges point into.
    let text: UnsafeBufferPointer<UInt8>
    var addresses: Column<UInt64>
    var typeCodes: Column<UInt8>
    var nameStarts: Column<UInt32>
    var nameLengths: Column<UInt16>
    /// 0 for vmlinux (no annotation), else an index into ``annotations``.
    var annotationIDs: Column<UInt16>
    /// Whether each name begins with `__pfx_` (a ``NamePrefix`` value), noted
    /// while parsing: the passes that fold padding symbols and skip their
    /// names then need not read the names back from the text, a cache miss
    /// on most.
    var prefixedNames: Column<UInt8>

    /// What ``prefixedNames`` says of a name.
    enum NamePrefix {
        /// The name does not begin with `__pfx_`.
        static let none: UInt8 = 0
        /// It does.
        static let padding: UInt8 = 1
        /// It does, and the next symbol, parsed by the same thread, is named
        /// the rest of it: `__pfx_foo` followed by `foo`, as vmlinux lists them.
        static let paddingOfNext: UInt8 = 2
    }
    /// Byte-pair counts of a sample of the names, for the name codec.
    let namePairCounts: NamePairCounts
    /// The raw text after the tab (`[xfs]`), by id; entry 0 is empty.
    var annotations: [[UInt8]] = [[]]
    /// Lines skipped in lenient mode, with what was wrong with each.
    var diagnostics: [KallsymsError] = []
    /// Hex digits in the address column: 16 on 64-bit kernels, 8 on 32-bit ones.
    var addressWidth = 16
    /// Whether any name has a byte of 0x80 or above (kernel names never do):
    /// byte-pair codes may then not use those byte values.
    var namesHaveHighBytes = false
    /// Whether any name has a `|`, as `file.c|name` names that carry a file do.
    var namesMayBeDecorated = false
    /// How many names begin with `__pfx_`.
    var paddingNames = 0
    /// The section markers (`_stext`, `_etext`, ...) among the symbols.
    var markers = KernelMarkers()

    var count: Int { addresses.count }

    func deallocate() {
        addresses.deallocate()
        typeCodes.deallocate()
        nameStarts.deallocate()
        nameLengths.deallocate()
        annotationIDs.deallocate()
        prefixedNames.deallocate()
        namePairCounts.deallocate()
    }

    /// Whether symbol `symbol`'s name begins with `__pfx_`, as the parser noted.
    @inline(__always)
    func namesPadding(_ symbol: Int) -> Bool { prefixedNames[symbol] != NamePrefix.none }

    /// The bytes of symbol `symbol`'s name, inside the text.
    @inline(__always)
    func name(_ symbol: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: text.baseAddress! + Int(nameStarts[symbol]), count: Int(nameLengths[symbol]))
    }
}

extension UnsafeRawBufferPointer {
    /// True when the bytes begin with `prefix`.
    @inline(__always)
    func starts(withASCII prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        return count >= length && memcmp(baseAddress!, prefix.utf8Start, length) == 0
    }

    /// True when the bytes end with `suffix`.
    @inline(__always)
    func ends(withASCII suffix: StaticString) -> Bool {
        let length = suffix.utf8CodeUnitCount
        return count >= length && memcmp(baseAddress! + count - length, suffix.utf8Start, length) == 0
    }

    /// True when both hold the same bytes. Compares eight bytes at a time
    /// inline: for the 20-byte names this is used on, a `memcmp` call cost more
    /// than the comparison.
    @inline(__always)
    func bytesEqual(_ other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        guard count > 0 else { return true }
        return NameCodec.equalBytes(baseAddress!, other.baseAddress!, count: count)
    }
}
