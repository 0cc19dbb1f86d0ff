/// An attribute value as read, before it is resolved through another section.
struct DWARFAttributeValue: Sendable {
    /// The `DW_FORM_*` it was encoded with (after `DW_FORM_indirect`).
    var form: UInt64
    /// The number read: an address, an offset, an index or a constant. For
    /// `DW_FORM_string`, the offset of the string in `.debug_info`.
    var value: UInt64
    /// The section a relocated address is relative to (relocatable objects only).
    var sectionIndex: Int?

    /// The form holds an address (or an index of one), not a constant.
    var isAddress: Bool {
        switch form {
        case DWARFForm.addr, DWARFForm.addrx, DWARFForm.addrx1, DWARFForm.addrx2, DWARFForm.addrx3,
             DWARFForm.addrx4, DWARFForm.gnuAddrIndex:
            return true
        default:
            return false
        }
    }
}

/// The attributes of a unit's top DIE that say what the unit is and where
/// its code lies. Only this one DIE of each unit is ever decoded.
struct DWARFUnitDIE: Sendable {
    var tag: UInt64 = 0
    var name: DWARFAttributeValue?
    var compDir: DWARFAttributeValue?
    var lowPC: DWARFAttributeValue?
    var highPC: DWARFAttributeValue?
    var ranges: DWARFAttributeValue?
    var strOffsetsBase: UInt64?
    var addrBase: UInt64?
    var rnglistsBase: UInt64?

    /// Reads the top DIE of the unit `header`; a unit whose first DIE is a
    /// null entry gives a DIE with tag 0 and no attributes.
    ///
    /// Attributes are read in the order the abbreviation lists them; values
    /// that depend on a base attribute (`strx` on `DW_AT_str_offsets_base`)
    /// are resolved afterwards, since the base may come later in the DIE.
    init(header: DWARFUnitHeader, sections: DWARFSections) throws(KallsymsError) {
        var values = DWARFCursor(sections.info, offset: header.dieOffset, end: header.end)
        let code = try values.uleb("abbreviation code of the unit's first DIE")
        guard code != 0 else { return }
        let abbreviation = try DWARFAbbreviation(code: code, in: sections.abbrev, tableOffset: header.abbreviationOffset)
        tag = abbreviation.tag
        var specification = DWARFCursor(sections.abbrev, offset: abbreviation.specificationOffset)
        while true {
            let attribute = try specification.uleb("attribute")
            var form = try specification.uleb("form")
            var implicitConstant: Int64 = 0
            if form == DWARFForm.implicitConst { implicitConstant = try specification.sleb("implicit_const value") }
            if attribute == 0 && form == 0 { break }
            // DW_FORM_indirect names the real form in the DIE; a chain of them is legal but pointless.
            var hops = 0
            while form == DWARFForm.indirect {
                hops += 1
                guard hops <= 4 else { throw values.section.error(at: values.offset, "DW_FORM_indirect chain is too long") }
                form = try values.uleb("indirect form")
                if form == DWARFForm.implicitConst {
                    throw values.section.error(at: values.offset, "DW_FORM_indirect names DW_FORM_implicit_const, which has no value in the DIE")
                }
            }
            let value = try DWARFUnitDIE.read(form: form, implicitConstant: implicitConstant, from: &values,
                                              header: header, abbreviationAt: specification.offset)
            switch attribute {
            case DWARFAttribute.name: name = value
            case DWARFAttribute.compDir: compDir = value
            case DWARFAttribute.lowPC: lowPC = value
            case DWARFAttribute.highPC: highPC = value
            case DWARFAttribute.ranges: ranges = value
            case DWARFAttribute.strOffsetsBase: strOffsetsBase = value.value
            case DWARFAttribute.addrBase, DWARFAttribute.gnuAddrBase: addrBase = value.value
            case DWARFAttribute.rnglistsBase: rnglistsBase = value.value
            default: break
            }
        }
    }

    /// Reads (or skips over) one attribute value of `form`.
    private static func read(
        form: UInt64, implicitConstant: Int64, from cursor: inout DWARFCursor,
        header: DWARFUnitHeader, abbreviationAt: Int
    ) throws(KallsymsError) -> DWARFAttributeValue {
        var result = DWARFAttributeValue(form: form, value: 0, sectionIndex: nil)
        switch form {
        case DWARFForm.addr:
            let address = try cursor.relocated("DW_FORM_addr value", size: header.addressSize)
            result.value = address.value
            result.sectionIndex = address.sectionIndex
        // Offsets into other sections are what relocatable objects relocate;
        // DWARF 2 and 3 used data4/data8 for them too.
        case DWARFForm.data4, DWARFForm.strp, DWARFForm.lineStrp, DWARFForm.secOffset, DWARFForm.strpSup,
             DWARFForm.gnuStrpAlt, DWARFForm.gnuRefAlt, DWARFForm.data8:
            let size = form == DWARFForm.data4 ? 4 : form == DWARFForm.data8 ? 8 : header.offsetSize
            let offset = try cursor.relocated("attribute value", size: size)
            result.value = offset.value
            result.sectionIndex = offset.sectionIndex
        case DWARFForm.refAddr:
            // DWARF 2 sized DW_FORM_ref_addr like an address, later versions like an offset.
            try cursor.skip("DW_FORM_ref_addr", count: UInt64(header.version <= 2 ? header.addressSize : header.offsetSize))
        case DWARFForm.data1, DWARFForm.flag, DWARFForm.strx1, DWARFForm.addrx1:
            result.value = try cursor.unsigned("attribute value", size: 1)
        case DWARFForm.data2, DWARFForm.strx2, DWARFForm.addrx2:
            result.value = try cursor.unsigned("attribute value", size: 2)
        case DWARFForm.strx3, DWARFForm.addrx3:
            result.value = try cursor.unsigned("attribute value", size: 3)
        case DWARFForm.strx4, DWARFForm.addrx4:
            result.value = try cursor.unsigned("attribute value", size: 4)
        case DWARFForm.udata, DWARFForm.strx, DWARFForm.addrx, DWARFForm.rnglistx, DWARFForm.loclistx,
             DWARFForm.gnuAddrIndex, DWARFForm.gnuStrIndex:
            result.value = try cursor.uleb("attribute value")
        case DWARFForm.sdata:
            result.value = UInt64(bitPattern: try cursor.sleb("DW_FORM_sdata value"))
        case DWARFForm.implicitConst:
            result.value = UInt64(bitPattern: implicitConstant)
        case DWARFForm.flagPresent:
            result.value = 1
        case DWARFForm.string:
            result.value = UInt64(try cursor.skipString("DW_FORM_string value"))
        case DWARFForm.data16:
            try cursor.skip("DW_FORM_data16", count: 16)
        case DWARFForm.ref1:
            try cursor.skip("DW_FORM_ref1", count: 1)
        case DWARFForm.ref2:
            try cursor.skip("DW_FORM_ref2", count: 2)
        case DWARFForm.ref4, DWARFForm.refSup4:
            try cursor.skip("DW_FORM_ref4", count: 4)
        case DWARFForm.ref8, DWARFForm.refSig8, DWARFForm.refSup8:
            try cursor.skip("DW_FORM_ref8", count: 8)
        case DWARFForm.refUdata:
            _ = try cursor.uleb("DW_FORM_ref_udata")
        case DWARFForm.block1:
            try cursor.skip("DW_FORM_block1", count: try cursor.unsigned("block length", size: 1))
        case DWARFForm.block2:
            try cursor.skip("DW_FORM_block2", count: try cursor.unsigned("block length", size: 2))
        case DWARFForm.block4:
            try cursor.skip("DW_FORM_block4", count: try cursor.unsigned("block length", size: 4))
        case DWARFForm.block, DWARFForm.exprloc:
            try cursor.skip("DW_FORM_block", count: try cursor.uleb("block length"))
        default:
            throw cursor.section.error(
                at: cursor.offset,
                "unknown attribute form 0x\(String(form, radix: 16)) (from the abbreviation before .debug_abbrev offset 0x\(String(abbreviationAt, radix: 16)))")
        }
        return result
    }
}
