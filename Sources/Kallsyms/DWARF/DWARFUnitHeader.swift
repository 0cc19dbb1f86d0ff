/// The header of one unit in `.debug_info` (DWARF 2 to 5, 32- or 64-bit).
struct DWARFUnitHeader: Sendable {
    /// Where the unit starts (its `unit_length` field): the unit's identity,
    /// and what `.debug_aranges` refers to.
    let offset: Int
    /// Where the next unit starts.
    let end: Int
    /// 4 for 32-bit DWARF, 8 for 64-bit DWARF (`unit_length` of 0xffffffff).
    let offsetSize: Int
    let version: Int
    /// `DW_UT_*`; units before DWARF 5 are reported as `DW_UT_compile`.
    let unitType: UInt8
    let addressSize: Int
    /// Where the unit's abbreviation table starts in `.debug_abbrev`.
    let abbreviationOffset: UInt64
    /// Where the unit's first DIE starts.
    let dieOffset: Int

    /// Reads the header at `offset`, checking that the unit fits in the section.
    ///
    /// - Throws: `.malformedDWARF` for a length past the section's end, an
    ///   unknown version, or an address size other than 2, 4 or 8.
    init(in info: DWARFSection, at offset: Int) throws(KallsymsError) {
        var cursor = DWARFCursor(info, offset: offset)
        let (length, offsetSize) = try DWARFUnitHeader.initialLength(&cursor)
        let remaining = UInt64(info.bytes.count - cursor.offset)
        guard length <= remaining else {
            throw info.error(at: offset, "unit_length 0x\(String(length, radix: 16)) runs past the end of the section (0x\(String(remaining, radix: 16)) bytes remain)")
        }
        self.offset = offset
        self.offsetSize = offsetSize
        end = cursor.offset + Int(length)
        cursor = DWARFCursor(info, offset: cursor.offset, end: end)
        let version = Int(try cursor.u16("version"))
        guard (2...5).contains(version) else {
            throw info.error(at: offset, "unit version is \(version); this reader knows DWARF 2 to 5")
        }
        self.version = version
        if version >= 5 {
            unitType = try cursor.u8("unit_type")
            addressSize = Int(try cursor.u8("address_size"))
            abbreviationOffset = try cursor.relocated("debug_abbrev_offset", size: offsetSize).value
            switch unitType {
            case DWARFUnitType.skeleton, DWARFUnitType.splitCompile:
                try cursor.skip("dwo_id", count: 8)
            case DWARFUnitType.type, DWARFUnitType.splitType:
                try cursor.skip("type_signature and type_offset", count: UInt64(8 + offsetSize))
            default:
                break
            }
        } else {
            unitType = DWARFUnitType.compile
            abbreviationOffset = try cursor.relocated("debug_abbrev_offset", size: offsetSize).value
            addressSize = Int(try cursor.u8("address_size"))
        }
        guard addressSize == 2 || addressSize == 4 || addressSize == 8 else {
            throw info.error(at: offset, "address_size is \(addressSize); expected 2, 4 or 8")
        }
        dieOffset = cursor.offset
    }

    /// Reads an initial length field: 4 bytes, or 0xffffffff and 8 more for 64-bit DWARF.
    static func initialLength(_ cursor: inout DWARFCursor) throws(KallsymsError) -> (length: UInt64, offsetSize: Int) {
        let start = cursor.offset
        let short = try cursor.u32("unit_length")
        if short == 0xFFFF_FFFF {
            return (try cursor.unsigned("64-bit unit_length", size: 8), 8)
        }
        guard short < 0xFFFF_FFF0 else {
            throw cursor.section.error(at: start, "unit_length 0x\(String(short, radix: 16)) is a reserved value")
        }
        return (UInt64(short), 4)
    }
}
