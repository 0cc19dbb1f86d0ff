/// The columns of a symbol table exactly as the text had them, in file order.
///
/// Names stay in the text buffer as (start, length) ranges: parsing makes no
/// String and no per-line allocation. The index builder reads this once and
/// drops it.
struct ParsedTable {
    /// The file name or `<stdin>`, for messages.
    var source: String
    /// The whole text, which the name ranges point into.
    var text: [UInt8]
    var addresses: [UInt64] = []
    var typeCodes: [UInt8] = []
    var nameStarts: [UInt32] = []
    var nameLengths: [UInt16] = []
    /// 0 for vmlinux (no annotation), else an index into ``annotations``.
    var annotationIDs: [UInt16] = []
    /// The raw text after the tab (`[xfs]`), by id; entry 0 is empty.
    var annotations: [[UInt8]] = [[]]
    /// Lines skipped in lenient mode, with what was wrong with each.
    var diagnostics: [KallsymsError] = []
    /// The 1-based line number of every symbol, for messages about it later.
    var lineNumbers: [UInt32] = []
    /// Hex digits in the address column: 16 on 64-bit kernels, 8 on 32-bit ones.
    var addressWidth = 16

    var count: Int { addresses.count }

    func nameBytes(_ symbol: Int) -> ArraySlice<UInt8> {
        let start = Int(nameStarts[symbol])
        return text[start..<start + Int(nameLengths[symbol])]
    }

    func nameEquals(_ symbol: Int, _ literal: StaticString) -> Bool {
        guard Int(nameLengths[symbol]) == literal.utf8CodeUnitCount else { return false }
        return text.withUnsafeBufferPointer { text in
            let start = Int(nameStarts[symbol])
            for offset in 0..<literal.utf8CodeUnitCount where text[start + offset] != literal.utf8Start[offset] {
                return false
            }
            return true
        }
    }
}
