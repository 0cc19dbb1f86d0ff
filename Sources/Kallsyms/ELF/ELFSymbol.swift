/// One entry of an ELF symbol table, with its name, its section's name and,
/// for a local symbol, the source file it came from.
struct ELFSymbol: Sendable, Hashable {
    /// Position in the symbol table (what relocations refer to); 0 is the null symbol.
    let index: Int
    /// The name from the linked string table ("" for section symbols and the null symbol).
    let name: String
    /// `st_value`: an address in an executable; an offset into section
    /// ``sectionIndex`` in a relocatable object (`.ko`), where the symbol's
    /// address is that section's load address plus this value.
    let value: UInt64
    /// `st_size` in bytes (0 when unknown).
    let size: UInt64
    let type: ELFSymbolType
    let binding: ELFSymbolBinding
    /// `st_other & 3`: `STV_DEFAULT` (0), `INTERNAL`, `HIDDEN` or `PROTECTED`.
    let visibility: UInt8
    /// `st_shndx`, with `SHN_XINDEX` resolved through `.symtab_shndx`. Values
    /// from `ELFSpecialSection.lowReserve` up (`SHN_ABS`, `SHN_COMMON`) and
    /// `SHN_UNDEF` (0) are not sections.
    let sectionIndex: UInt32
    /// The name of section ``sectionIndex`` when it is a real section.
    let sectionName: String?
    /// For a local symbol, the name of the nearest `STT_FILE` symbol before it
    /// (each object file's locals follow its `STT_FILE` entry, as linkers keep
    /// them); nil for global and weak symbols, for locals before any file
    /// symbol, and after an empty-named `STT_FILE` (linker-made symbols).
    let file: String?

    /// The symbol has a real section (not undefined, absolute or common).
    var isInSection: Bool {
        sectionIndex != ELFSpecialSection.undefined && sectionIndex < ELFSpecialSection.lowReserve
    }
    var isUndefined: Bool { sectionIndex == ELFSpecialSection.undefined }
    var isAbsolute: Bool { sectionIndex == ELFSpecialSection.absolute }
    var isCommon: Bool { sectionIndex == ELFSpecialSection.common }
}
