/// Reads one unit's range list: from `.debug_ranges` (DWARF 2 to 4) or from
/// `.debug_rnglists` (DWARF 5).
///
/// A list ends at its terminator; a list without one runs into the end of the
/// section and throws rather than reading on. Each entry takes at least one
/// byte, so a list can never yield more ranges than its section has bytes.
enum DWARFRangeLists {
    /// Reads the DWARF 2-4 list at `offset` in `.debug_ranges`: pairs of
    /// addresses relative to the base, which starts as the unit's `DW_AT_low_pc`.
    static func readRanges(
        _ list: DWARFSection, at offset: UInt64, base initialBase: ELFRelocations.Resolved, addressSize: Int,
        into ranges: inout [DWARFUnitRange]
    ) throws(KallsymsError) {
        guard offset < UInt64(list.bytes.count) else {
            throw list.error(at: list.bytes.count, "a unit's DW_AT_ranges offset 0x\(String(offset, radix: 16)) is past the end of the section")
        }
        var cursor = DWARFCursor(list, offset: Int(offset))
        var base = initialBase
        let largest = addressSize == 8 ? UInt64.max : (UInt64(1) << (addressSize * 8)) - 1
        while true {
            let start = try cursor.relocated("range list start address", size: addressSize)
            let end = try cursor.relocated("range list end address", size: addressSize)
            // (0, 0) ends the list, unless relocations turned it into section offsets.
            if start.value == 0 && end.value == 0 && start.sectionIndex == nil && end.sectionIndex == nil { return }
            if start.value == largest && start.sectionIndex == nil {
                base = end
                continue
            }
            ranges.append(DWARFUnitRange(
                lowPC: base.value &+ start.value, highPC: base.value &+ end.value,
                sectionIndex: start.sectionIndex ?? base.sectionIndex))
        }
    }

    /// Reads the DWARF 5 list at `offset` in `.debug_rnglists`.
    ///
    /// - Parameter address: Looks up entry `index` of the unit's `.debug_addr` table.
    static func readRangeList(
        _ list: DWARFSection, at offset: UInt64, base initialBase: ELFRelocations.Resolved, addressSize: Int,
        address: (UInt64) throws(KallsymsError) -> ELFRelocations.Resolved,
        into ranges: inout [DWARFUnitRange]
    ) throws(KallsymsError) {
        guard offset < UInt64(list.bytes.count) else {
            throw list.error(at: list.bytes.count, "a unit's range list offset 0x\(String(offset, radix: 16)) is past the end of the section")
        }
        var cursor = DWARFCursor(list, offset: Int(offset))
        var base = initialBase
        func append(_ start: ELFRelocations.Resolved, _ end: UInt64) {
            ranges.append(DWARFUnitRange(lowPC: start.value, highPC: end, sectionIndex: start.sectionIndex))
        }
        while true {
            let entryOffset = cursor.offset
            let kind = try cursor.u8("range list entry kind")
            switch kind {
            case DWARFRangeListEntry.endOfList:
                return
            case DWARFRangeListEntry.baseAddressx:
                base = try address(try cursor.uleb("DW_RLE_base_addressx index"))
            case DWARFRangeListEntry.startxEndx:
                let start = try address(try cursor.uleb("DW_RLE_startx_endx start index"))
                let end = try address(try cursor.uleb("DW_RLE_startx_endx end index"))
                append(start, end.value)
            case DWARFRangeListEntry.startxLength:
                let start = try address(try cursor.uleb("DW_RLE_startx_length index"))
                append(start, start.value &+ (try cursor.uleb("DW_RLE_startx_length length")))
            case DWARFRangeListEntry.offsetPair:
                let low = try cursor.uleb("DW_RLE_offset_pair start")
                let high = try cursor.uleb("DW_RLE_offset_pair end")
                ranges.append(DWARFUnitRange(lowPC: base.value &+ low, highPC: base.value &+ high,
                                             sectionIndex: base.sectionIndex))
            case DWARFRangeListEntry.baseAddress:
                base = try cursor.relocated("DW_RLE_base_address", size: addressSize)
            case DWARFRangeListEntry.startEnd:
                let start = try cursor.relocated("DW_RLE_start_end start", size: addressSize)
                let end = try cursor.relocated("DW_RLE_start_end end", size: addressSize)
                append(start, end.value)
            case DWARFRangeListEntry.startLength:
                let start = try cursor.relocated("DW_RLE_start_length start", size: addressSize)
                append(start, start.value &+ (try cursor.uleb("DW_RLE_start_length length")))
            default:
                throw list.error(at: entryOffset, "unknown range list entry kind 0x\(String(kind, radix: 16))")
            }
        }
    }
}
