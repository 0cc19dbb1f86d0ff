/// One address range of a unit: `lowPC..<highPC`.
struct DWARFUnitRange: Sendable, Hashable {
    let lowPC: UInt64
    /// One past the last byte.
    let highPC: UInt64
    /// In a relocatable object (`.ko`), the ELF section the addresses are
    /// offsets into (add its load address); nil when the addresses are absolute.
    let sectionIndex: Int?
}

/// A compile (or partial, or skeleton) unit: the top DIE's name and
/// directory, and the addresses its code occupies.
struct DWARFCompileUnit: Sendable {
    /// Where a unit's ranges came from.
    enum RangeSource: Sendable, Hashable {
        /// A `.debug_aranges` set that names this unit.
        case addressRangeTable
        /// `DW_AT_ranges`: `.debug_ranges` (DWARF 2 to 4) or `.debug_rnglists` (DWARF 5).
        case rangeList
        /// `DW_AT_low_pc` and `DW_AT_high_pc`.
        case lowAndHighPC
        /// The unit has no code (or says nothing about where it is).
        case none
    }

    /// Where the unit starts in `.debug_info`.
    let offset: Int
    let version: Int
    /// `DW_UT_*` (`DW_UT_compile` for units before DWARF 5).
    let unitType: UInt8
    /// The top DIE's `DW_TAG_*`; 0 when the unit has no DIE.
    let tag: UInt64
    /// `DW_AT_name`: the primary source file, as the compiler was given it.
    let name: String?
    /// `DW_AT_comp_dir`: the directory the compiler ran in.
    let compDir: String?
    /// The unit's code, empty ranges and linker tombstones left out.
    let ranges: [DWARFUnitRange]
    let rangeSource: RangeSource
}

/// An address range with the unit it belongs to: the shape a lookup from an
/// address to a source file wants.
struct DWARFAddressRange: Sendable, Hashable {
    let lowPC: UInt64
    /// One past the last byte.
    let highPC: UInt64
    /// The section the addresses are offsets into, in a relocatable object.
    let sectionIndex: Int?
    /// The unit's offset in `.debug_info`.
    let unitOffset: Int
    let unitName: String?
    let compDir: String?

    /// The range that contains `address` in `sorted`, which must be sorted
    /// as ``DWARFCompileUnits/ranges()`` returns them.
    ///
    /// Compile units do not overlap in a linked file, so the last range that
    /// starts at or below the address is the candidate; a few before it are
    /// also tried, for files where ranges nest.
    static func range(containing address: UInt64, sectionIndex: Int? = nil,
                      in sorted: [DWARFAddressRange]) -> DWARFAddressRange? {
        let section = sectionIndex ?? -1
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low &+ high) &>> 1
            let entry = sorted[middle]
            let entrySection = entry.sectionIndex ?? -1
            if entrySection < section || entrySection == section && entry.lowPC <= address {
                low = middle &+ 1
            } else {
                high = middle
            }
        }
        var index = low - 1
        var tries = 0
        while index >= 0 && tries < 8 {
            let entry = sorted[index]
            guard (entry.sectionIndex ?? -1) == section else { return nil }
            if address < entry.highPC { return entry }
            index -= 1
            tries += 1
        }
        return nil
    }
}
