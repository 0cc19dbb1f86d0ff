/// The debug sections the compile-unit reader needs, each inflated if it was
/// compressed and paired with its relocations in a relocatable object.
///
/// Uncompressed sections are views of the mapped file: naming a section here
/// costs nothing until its pages are read. Compressed ones (`gcc -gz`) are
/// inflated whole, once, when the reader is made.
struct DWARFSections: Sendable {
    let info: DWARFSection
    let abbrev: DWARFSection
    let str: DWARFSection?
    let lineStr: DWARFSection?
    let strOffsets: DWARFSection?
    let addr: DWARFSection?
    let ranges: DWARFSection?
    let rnglists: DWARFSection?
    let aranges: DWARFSection?

    /// Finds `.debug_NAME`, or the old-style `.zdebug_NAME`.
    static func find(_ suffix: String, in elf: ELFFile) -> ELFSection? {
        elf.section(named: ".debug_" + suffix) ?? elf.section(named: ".zdebug_" + suffix)
    }

    init(_ elf: ELFFile) throws(KallsymsError) {
        guard let info = try DWARFSections.load("info", from: elf) else {
            throw KallsymsError(
                code: .malformedDWARF, source: elf.source,
                message: "the file has no DWARF debug information (no .debug_info section)",
                hint: "use a file built with -g; for a kernel, the vmlinux or .ko from its -dbg package")
        }
        guard let abbrev = try DWARFSections.load("abbrev", from: elf) else {
            throw KallsymsError(
                code: .malformedDWARF, source: elf.source,
                message: "the file has .debug_info but no .debug_abbrev section",
                hint: "the debug information is incomplete; `readelf -S` lists the sections")
        }
        self.info = info
        self.abbrev = abbrev
        str = try DWARFSections.load("str", from: elf)
        lineStr = try DWARFSections.load("line_str", from: elf)
        strOffsets = try DWARFSections.load("str_offsets", from: elf)
        addr = try DWARFSections.load("addr", from: elf)
        ranges = try DWARFSections.load("ranges", from: elf)
        rnglists = try DWARFSections.load("rnglists", from: elf)
        aranges = try DWARFSections.load("aranges", from: elf)
    }

    private static func load(_ suffix: String, from elf: ELFFile) throws(KallsymsError) -> DWARFSection? {
        guard let section = find(suffix, in: elf) else { return nil }
        return DWARFSection(
            name: section.name, bytes: try elf.contents(of: section),
            relocations: try elf.relocations(for: section), source: elf.source)
    }
}
