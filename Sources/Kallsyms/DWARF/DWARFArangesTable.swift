/// `.debug_aranges`: for each compile unit, the address ranges of its code,
/// keyed by the unit's offset in `.debug_info`.
///
/// It is the cheapest way to the ranges of a unit (no DIE to decode), so the
/// compile-unit reader prefers it and falls back on the DIE only for units
/// the table leaves out.
struct DWARFArangesTable: Sendable {
    /// The ranges of each unit the table covers, by the unit's `.debug_info` offset.
    let ranges: [Int: [DWARFUnitRange]]

    /// Reads every set in the section.
    ///
    /// - Throws: `.malformedDWARF` when a set's length runs past the section,
    ///   or its header is cut short.
    init(_ section: DWARFSection) throws(KallsymsError) {
        var ranges: [Int: [DWARFUnitRange]] = [:]
        var offset = 0
        while offset < section.bytes.count {
            var cursor = DWARFCursor(section, offset: offset)
            let (length, offsetSize) = try DWARFUnitHeader.initialLength(&cursor)
            let remaining = UInt64(section.bytes.count - cursor.offset)
            guard length <= remaining else {
                throw section.error(at: offset, "the set's unit_length 0x\(String(length, radix: 16)) runs past the end of the section (0x\(String(remaining, radix: 16)) bytes remain)")
            }
            let end = cursor.offset + Int(length)
            defer { offset = end }
            cursor = DWARFCursor(section, offset: cursor.offset, end: end)
            let version = try cursor.u16("version")
            // Only version 2 exists (DWARF 2 to 5); skip anything else whole, by its length.
            guard version == 2 else { continue }
            let unit = try cursor.relocated("debug_info_offset", size: offsetSize).value
            let addressSize = Int(try cursor.u8("address_size"))
            let segmentSize = Int(try cursor.u8("segment_selector_size"))
            guard addressSize == 2 || addressSize == 4 || addressSize == 8 else {
                throw section.error(at: offset, "the set's address_size is \(addressSize); expected 2, 4 or 8")
            }
            guard segmentSize <= 8 else {
                throw section.error(at: offset, "the set's segment_selector_size is \(segmentSize); expected at most 8")
            }
            guard unit <= UInt64(Int.max) else { continue }
            // Tuples start at a multiple of their size from the start of the set.
            let tupleAlignment = 2 * addressSize
            let headerLength = cursor.offset - offset
            let padded = (headerLength + tupleAlignment - 1) / tupleAlignment * tupleAlignment
            try cursor.skip("padding before the first tuple", count: UInt64(padded - headerLength))
            var list = ranges[Int(unit)] ?? []
            while cursor.offset < end {
                try cursor.skip("segment selector", count: UInt64(segmentSize))
                let start = try cursor.relocated("range address", size: addressSize)
                let size = try cursor.unsigned("range length", size: addressSize)
                if start.value == 0 && size == 0 && start.sectionIndex == nil { break }
                if size > 0 {
                    list.append(DWARFUnitRange(lowPC: start.value, highPC: start.value &+ size,
                                               sectionIndex: start.sectionIndex))
                }
            }
            ranges[Int(unit)] = list
        }
        self.ranges = ranges
    }
}
