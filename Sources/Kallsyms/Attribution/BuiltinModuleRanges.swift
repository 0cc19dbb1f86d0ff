/// The contents of `modules.builtin.ranges`: which address ranges of the
/// kernel image belong to modules that were built in (Linux 6.12 and later,
/// `CONFIG_BUILTIN_MODULE_RANGES`, written by
/// `scripts/generate_builtin_ranges.awk`).
///
/// The file gives offsets, not addresses, so that it stays valid under KASLR.
/// Each ELF section that holds module code or data first names an anchor
/// symbol, then lists offset ranges from the section's base:
///
///     .text 00000000-00000000 = _text
///     .text 0000baf0-0000cb10 amd_uncore
///     .text 008e9630-008ea610 snd_soc_wcd9335 snd_soc_wcd934x snd_soc_wcd938x
///     .data 00000000-00000000 = _sdata
///     .data 0000f020-0000f680 amd_uncore
///
/// An anchor line is `SECTION OFF-OFF = SYMBOL`: the symbol sits `OFF` bytes
/// into the section (0 when the linker map has a `SYMBOL = .` at the section
/// start; otherwise the generator picks the section's first symbol), so the
/// section's base is that symbol's address minus `OFF`. A range line is
/// `SECTION START-END MODULE...`, half-open (`START` ≤ offset < `END`), and
/// names every module whose objects fill it: an object linked into several
/// modules gives one range with several names. Offsets are printed with at
/// least eight hex digits. Module names are as `/proc/modules` gives them
/// (`-` already turned into `_`).
///
///     let ranges = try BuiltinModuleRanges(parsing: bytes, source: "modules.builtin.ranges")
///     let map = ranges.resolve { index.address(of: $0) }
///     map.modules(at: 0xffffffff8100caf0)   // ["amd_uncore"]
struct BuiltinModuleRanges: Sendable, Hashable {
    /// A section's anchor: the symbol whose address places the section.
    struct Anchor: Sendable, Hashable {
        /// The section name, such as `.text`.
        let section: String
        /// The symbol whose address the index knows.
        let symbol: String
        /// How far into the section the symbol sits.
        let offset: UInt64
        /// The line it came from (1-based).
        let line: Int
    }

    /// One range line.
    struct Entry: Sendable, Hashable {
        /// The section the offsets are into.
        let section: String
        /// Offset of the first byte.
        let start: UInt64
        /// Offset one past the last byte.
        let end: UInt64
        /// The modules the range belongs to, in the file's order.
        let modules: [String]
        /// The line it came from (1-based).
        let line: Int
    }

    /// The anchor lines, in file order (one per section).
    let anchors: [Anchor]
    /// The range lines, in file order.
    let entries: [Entry]

    /// Parses the text of `modules.builtin.ranges`.
    ///
    /// Blank lines are skipped, and a trailing `\r` or extra spaces between
    /// fields are tolerated. A range line for a section that has no anchor
    /// line anywhere is kept, but ``resolve(addressOf:)`` cannot place it.
    ///
    /// - Parameters:
    ///   - text: the file's bytes.
    ///   - source: the file's name, for error messages.
    /// - Throws: ``KallsymsError`` with code `.malformedAuxiliaryFile` naming
    ///   the line: a line without a section, an offset range or modules, an
    ///   offset that is not hex or has more than 16 digits, a range whose end
    ///   comes before its start, an anchor whose two offsets differ or that
    ///   names no or several symbols, and a second anchor for one section.
    init(parsing text: some Collection<UInt8>, source: String = "modules.builtin.ranges") throws(KallsymsError) {
        var anchors: [Anchor] = []
        var anchorLines: [String: Int] = [:]
        var entries: [Entry] = []
        var lineNumber = 0
        for rawLine in Array(text).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine[...]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            let fields = line.split(omittingEmptySubsequences: true) {
                $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t")
            }
            if fields.isEmpty { continue }

            func fail(_ message: String, column: Int? = nil) -> KallsymsError {
                KallsymsError(
                    code: .malformedAuxiliaryFile, source: source, line: lineNumber, column: column,
                    text: KallsymsError.quote(line), message: message,
                    hint: "lines must look like \".text 0000baf0-0000cb10 amd_uncore\" or, for a section's anchor, \".text 00000000-00000000 = _text\"")
            }
            func column(of field: ArraySlice<UInt8>) -> Int { field.startIndex - line.startIndex + 1 }

            let sectionField = fields[0]
            guard sectionField.first == UInt8(ascii: ".") else {
                throw fail("expected a section name such as \".text\", found \(KallsymsError.quote(sectionField))",
                           column: column(of: sectionField))
            }
            guard fields.count >= 3 else {
                throw fail("expected a section, an offset range and a module name, found \(fields.count) field\(fields.count == 1 ? "" : "s")")
            }
            let section = String(decoding: sectionField, as: UTF8.self)
            let rangeField = fields[1]
            guard let dash = rangeField.firstIndex(of: UInt8(ascii: "-")),
                  let start = Self.hex(rangeField[..<dash]),
                  let end = Self.hex(rangeField[(dash + 1)...]) else {
                throw fail("expected an offset range such as \"0000baf0-0000cb10\", found \(KallsymsError.quote(rangeField))",
                           column: column(of: rangeField))
            }

            if fields[2].elementsEqual("=".utf8) {
                guard fields.count == 4 else {
                    throw fail("an anchor line names exactly one symbol after \"=\", found \(fields.count - 3)",
                               column: column(of: fields[2]))
                }
                guard start == end else {
                    throw fail("an anchor's two offsets must be equal, found \(KallsymsError.quote(rangeField))",
                               column: column(of: rangeField))
                }
                if let earlier = anchorLines[section] {
                    throw fail("second anchor for section \(section) (the first is on line \(earlier))")
                }
                anchorLines[section] = lineNumber
                anchors.append(Anchor(section: section, symbol: String(decoding: fields[3], as: UTF8.self),
                                      offset: start, line: lineNumber))
                continue
            }

            guard start <= end else {
                throw fail("a range's end comes before its start in \(KallsymsError.quote(rangeField))",
                           column: column(of: rangeField))
            }
            var modules: [String] = []
            for field in fields[2...] {
                guard !field.contains(UInt8(ascii: "=")) else {
                    throw fail("unexpected \"=\" in a module name: \(KallsymsError.quote(field))", column: column(of: field))
                }
                modules.append(String(decoding: field, as: UTF8.self))
            }
            entries.append(Entry(section: section, start: start, end: end, modules: modules, line: lineNumber))
        }
        self.anchors = anchors
        self.entries = entries
    }

    /// Sections with range lines but no anchor line, whose ranges cannot be placed.
    var sectionsWithoutAnchor: [String] {
        let anchored = Set(anchors.map(\.section))
        var seen: Set<String> = []
        return entries.compactMap { anchored.contains($0.section) || !seen.insert($0.section).inserted ? nil : $0.section }
    }

    /// Turns the offsets into addresses, given where the anchor symbols are.
    ///
    /// Each section's base is its anchor symbol's address minus the anchor's
    /// offset. Ranges of a section whose anchor is unknown to `addressOf`
    /// (or has no anchor line, or would place a range beyond the 64-bit
    /// address space) are left out, as are empty ranges.
    ///
    /// - Parameter addressOf: the address of a symbol by name, or nil if the
    ///   index does not know it. For `_text` or `_sdata` in a kernel with
    ///   KASLR, the address from the running kernel's `/proc/kallsyms`.
    /// - Returns: the ranges in address order, with their modules.
    func resolve(addressOf: (String) -> UInt64?) -> BuiltinModuleMap {
        var bases: [String: UInt64] = [:]
        for anchor in anchors {
            guard let address = addressOf(anchor.symbol), address >= anchor.offset else { continue }
            bases[anchor.section] = address - anchor.offset
        }
        var ranges: [BuiltinModuleMap.Range] = []
        ranges.reserveCapacity(entries.count)
        for entry in entries where entry.start < entry.end {
            guard let base = bases[entry.section] else { continue }
            let (start, startOverflow) = base.addingReportingOverflow(entry.start)
            let (end, endOverflow) = base.addingReportingOverflow(entry.end)
            guard !startOverflow && !endOverflow else { continue }
            ranges.append(BuiltinModuleMap.Range(start: start, end: end, modules: entry.modules))
        }
        return BuiltinModuleMap(ranges: ranges)
    }

    /// A hex number of 1 to 16 digits, without `0x`, read with the parser's digit table.
    private static func hex(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            let digit = SymbolTableParser.hexTable[Int(byte)]
            guard digit != 0xFF else { return nil }
            value = value &<< 4 | UInt64(digit)
        }
        return value
    }
}
