/// One abbreviation declaration from `.debug_abbrev`: a DIE's tag and where
/// its list of (attribute, form) pairs starts.
///
/// Only the declaration of a unit's top DIE is ever looked up, by scanning
/// the unit's table from its start: no table is decoded into memory.
struct DWARFAbbreviation: Sendable {
    let code: UInt64
    let tag: UInt64
    let hasChildren: Bool
    /// Offset in `.debug_abbrev` of the first (attribute, form) pair.
    let specificationOffset: Int

    /// Finds the declaration of `code` in the table at `tableOffset`.
    ///
    /// - Throws: `.malformedDWARF` when the table ends, or the section does,
    ///   before a declaration with that code.
    init(code: UInt64, in abbrev: DWARFSection, tableOffset: UInt64) throws(KallsymsError) {
        guard tableOffset < UInt64(abbrev.bytes.count) else {
            throw abbrev.error(at: abbrev.bytes.count, "a unit's abbreviation table offset 0x\(String(tableOffset, radix: 16)) is past the end of the section")
        }
        var cursor = DWARFCursor(abbrev, offset: Int(tableOffset))
        while true {
            let entry = cursor.offset
            let found = try cursor.uleb("abbreviation code")
            guard found != 0 else {
                throw abbrev.error(at: entry, "abbreviation code \(code) is missing from the table that starts at 0x\(String(tableOffset, radix: 16))")
            }
            let tag = try cursor.uleb("abbreviation tag")
            let children = try cursor.u8("DW_CHILDREN")
            let specification = cursor.offset
            while true {
                let attribute = try cursor.uleb("attribute")
                let form = try cursor.uleb("form")
                if form == DWARFForm.implicitConst { _ = try cursor.sleb("implicit_const value") }
                if attribute == 0 && form == 0 { break }
            }
            if found == code {
                self.code = code
                self.tag = tag
                self.hasChildren = children != 0
                self.specificationOffset = specification
                return
            }
        }
    }
}
