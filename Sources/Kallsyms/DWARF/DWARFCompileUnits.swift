/// Reads the compile units of an ELF file's DWARF debug information: each
/// unit's name, compilation directory and address ranges.
///
/// Only each unit's header and its first DIE (with that DIE's abbreviation)
/// are decoded; the reader goes from unit to unit by `unit_length`, so of a
/// several-hundred-megabyte `.debug_info` only the pages with unit headers
/// are touched. Ranges come from `.debug_aranges` where it covers a unit,
/// otherwise from the top DIE's `DW_AT_ranges` or `DW_AT_low_pc`/`high_pc`.
///
///     let elf = try ELFFile(path: "vmlinux")
///     let ranges = try DWARFCompileUnits(elf).ranges()
struct DWARFCompileUnits: Sendable {
    let sections: DWARFSections
    let source: String

    /// True when `elf` has a `.debug_info` section (plain or compressed).
    static func hasDebugInfo(_ elf: ELFFile) -> Bool {
        DWARFSections.find("info", in: elf) != nil
    }

    /// Prepares to read `elf`'s debug information.
    ///
    /// - Throws: `.malformedDWARF` when there is no `.debug_info`, and the
    ///   errors of ``ELFFile/contents(of:)`` for the debug sections.
    init(_ elf: ELFFile) throws(KallsymsError) {
        sections = try DWARFSections(elf)
        source = elf.source
    }

    /// Every compile, partial and skeleton unit, in `.debug_info` order (type units are left out).
    ///
    /// - Parameter useAddressRangeTable: Take ranges from `.debug_aranges`
    ///   where it covers a unit (the default); false reads every unit's DIE,
    ///   which tests use to check one source against the other.
    /// - Throws: `.malformedDWARF` naming the section and offset of the first problem.
    func units(useAddressRangeTable: Bool = true) throws(KallsymsError) -> [DWARFCompileUnit] {
        let table = useAddressRangeTable
            ? try sections.aranges.map { section throws(KallsymsError) in try DWARFArangesTable(section) }
            : nil
        var units: [DWARFCompileUnit] = []
        var offset = 0
        let info = sections.info
        while offset < info.bytes.count {
            let header = try DWARFUnitHeader(in: info, at: offset)
            offset = header.end
            if header.unitType == DWARFUnitType.type || header.unitType == DWARFUnitType.splitType { continue }
            let die = try DWARFUnitDIE(header: header, sections: sections)
            if die.tag == DWARFTag.typeUnit { continue }

            var ranges: [DWARFUnitRange] = []
            var rangeSource = DWARFCompileUnit.RangeSource.none
            if let listed = table?.ranges[header.offset], !listed.isEmpty {
                ranges = listed
                rangeSource = .addressRangeTable
            } else if die.ranges != nil {
                try appendRangeList(of: die, header: header, to: &ranges)
                rangeSource = .rangeList
            } else if let low = die.lowPC, let high = die.highPC {
                let start = try address(low, die: die, header: header)
                var end = start
                if high.isAddress {
                    end = try address(high, die: die, header: header)
                } else {
                    end.value = start.value &+ high.value
                }
                ranges.append(DWARFUnitRange(lowPC: start.value, highPC: end.value, sectionIndex: start.sectionIndex))
                rangeSource = .lowAndHighPC
            }
            let tombstone = header.addressSize == 8 ? UInt64.max - 1 : (UInt64(1) << (header.addressSize * 8)) - 2
            ranges.removeAll { $0.highPC <= $0.lowPC || $0.lowPC >= tombstone }
            if ranges.isEmpty { rangeSource = .none }

            units.append(DWARFCompileUnit(
                offset: header.offset, version: header.version, unitType: header.unitType, tag: die.tag,
                name: try string(die.name, die: die, header: header),
                compDir: try string(die.compDir, die: die, header: header),
                ranges: ranges, rangeSource: rangeSource))
        }
        return units
    }

    /// Every unit's ranges with its name and directory, sorted by section
    /// (absolute addresses first) and then by start address.
    ///
    /// - Throws: `.malformedDWARF` naming the section and offset of the first problem.
    func ranges() throws(KallsymsError) -> [DWARFAddressRange] {
        var result: [DWARFAddressRange] = []
        for unit in try units() {
            for range in unit.ranges {
                result.append(DWARFAddressRange(
                    lowPC: range.lowPC, highPC: range.highPC, sectionIndex: range.sectionIndex,
                    unitOffset: unit.offset, unitName: unit.name, compDir: unit.compDir))
            }
        }
        result.sort {
            let left = $0.sectionIndex ?? -1, right = $1.sectionIndex ?? -1
            return left != right ? left < right : $0.lowPC < $1.lowPC
        }
        return result
    }

    // MARK: Resolving values through other sections

    /// The text of a string attribute, looked up in whichever section its form points into.
    private func string(_ attribute: DWARFAttributeValue?, die: DWARFUnitDIE,
                        header: DWARFUnitHeader) throws(KallsymsError) -> String? {
        guard let attribute else { return nil }
        let target: DWARFSection?
        var offset = attribute.value
        switch attribute.form {
        case DWARFForm.string:
            target = sections.info
        case DWARFForm.strp:
            target = sections.str
        case DWARFForm.lineStrp:
            target = sections.lineStr
        case DWARFForm.strx, DWARFForm.strx1, DWARFForm.strx2, DWARFForm.strx3, DWARFForm.strx4, DWARFForm.gnuStrIndex:
            guard let offsets = sections.strOffsets else {
                throw sections.info.error(at: header.offset, "the unit names a string by index (DW_FORM_strx), but there is no .debug_str_offsets section")
            }
            // Without DW_AT_str_offsets_base, DWARF 5 starts after the table's 8- or 16-byte header.
            let base = die.strOffsetsBase ?? (header.version >= 5 ? UInt64(2 * header.offsetSize) : 0)
            let (product, overflow) = attribute.value.multipliedReportingOverflow(by: UInt64(header.offsetSize))
            let position = base &+ product
            guard !overflow, position >= base, position <= UInt64(Int.max),
                  let entry = try offsets.relocated(at: Int(position), size: header.offsetSize) else {
                throw offsets.error(at: Int(clamping: base), "string index \(attribute.value) of the unit at .debug_info offset 0x\(String(header.offset, radix: 16)) is past the end of the section")
            }
            offset = entry.value
            target = sections.str
        default:
            // DW_FORM_strp_sup and DW_FORM_GNU_strp_alt point into a separate supplementary file.
            return nil
        }
        guard let target else {
            throw sections.info.error(at: header.offset, "the unit's name or directory uses form 0x\(String(attribute.form, radix: 16)), but the section it points into is missing")
        }
        guard let text = target.string(at: offset) else {
            throw target.error(at: Int(clamping: offset), "no terminated string here, which the unit at .debug_info offset 0x\(String(header.offset, radix: 16)) names")
        }
        return text
    }

    /// The address an address-class attribute stands for (reading `.debug_addr` for `addrx`).
    private func address(_ attribute: DWARFAttributeValue, die: DWARFUnitDIE,
                         header: DWARFUnitHeader) throws(KallsymsError) -> ELFRelocations.Resolved {
        guard attribute.form != DWARFForm.addr, attribute.isAddress else {
            return ELFRelocations.Resolved(value: attribute.value, sectionIndex: attribute.sectionIndex)
        }
        return try indexedAddress(attribute.value, die: die, header: header)
    }

    /// Entry `index` of the unit's part of `.debug_addr`.
    private func indexedAddress(_ index: UInt64, die: DWARFUnitDIE,
                                header: DWARFUnitHeader) throws(KallsymsError) -> ELFRelocations.Resolved {
        guard let addresses = sections.addr else {
            throw sections.info.error(at: header.offset, "the unit uses an address index (DW_FORM_addrx), but there is no .debug_addr section")
        }
        // Without DW_AT_addr_base, start after the table's 8- or 16-byte header.
        let base = die.addrBase ?? UInt64(2 * header.offsetSize)
        let (product, overflow) = index.multipliedReportingOverflow(by: UInt64(header.addressSize))
        let position = base &+ product
        guard !overflow, position >= base, position <= UInt64(Int.max),
              let entry = try addresses.relocated(at: Int(position), size: header.addressSize) else {
            throw addresses.error(at: Int(clamping: base), "address index \(index) of the unit at .debug_info offset 0x\(String(header.offset, radix: 16)) is past the end of the section")
        }
        return entry
    }

    /// Appends the ranges of the unit's `DW_AT_ranges` list.
    private func appendRangeList(of die: DWARFUnitDIE, header: DWARFUnitHeader,
                                 to ranges: inout [DWARFUnitRange]) throws(KallsymsError) {
        guard let attribute = die.ranges else { return }
        // The unit's base address for offset pairs is its DW_AT_low_pc, 0 when absent.
        var base = ELFRelocations.Resolved(value: 0, sectionIndex: nil)
        if let low = die.lowPC { base = try address(low, die: die, header: header) }

        if header.version < 5 {
            guard let list = sections.ranges else {
                throw sections.info.error(at: header.offset, "the unit has DW_AT_ranges, but there is no .debug_ranges section")
            }
            try DWARFRangeLists.readRanges(list, at: attribute.value, base: base, addressSize: header.addressSize, into: &ranges)
            return
        }
        guard let list = sections.rnglists else {
            throw sections.info.error(at: header.offset, "the unit has DW_AT_ranges, but there is no .debug_rnglists section")
        }
        var offset = attribute.value
        if attribute.form == DWARFForm.rnglistx {
            // The index picks an entry of the offset table at DW_AT_rnglists_base;
            // entries are relative to that base. Without one, the table follows the first 12- or 20-byte header.
            let tableBase = die.rnglistsBase ?? UInt64(header.offsetSize == 8 ? 20 : 12)
            let (product, overflow) = attribute.value.multipliedReportingOverflow(by: UInt64(header.offsetSize))
            let position = tableBase &+ product
            guard !overflow, position >= tableBase, position <= UInt64(Int.max),
                  let relative = list.bytes.unsigned(at: Int(position), size: header.offsetSize) else {
                throw list.error(at: Int(clamping: tableBase), "range list index \(attribute.value) of the unit at .debug_info offset 0x\(String(header.offset, radix: 16)) is past the end of the section")
            }
            offset = tableBase &+ relative
        }
        try DWARFRangeLists.readRangeList(list, at: offset, base: base, addressSize: header.addressSize,
                                          address: { (index) throws(KallsymsError) in
                                              try indexedAddress(index, die: die, header: header)
                                          }, into: &ranges)
    }
}
