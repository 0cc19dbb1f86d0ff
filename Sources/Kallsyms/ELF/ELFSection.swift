/// One entry of an ELF file's section header table, with its name resolved.
///
/// Only the header: the contents are read on demand through
/// ``ELFFile/contents(of:)``, which inflates compressed sections.
struct ELFSection: Sendable {
    /// The section's index in the header table (what `st_shndx` and `sh_link` refer to).
    let index: Int
    /// The name from `.shstrtab`, or "" when the file has no section name table.
    let name: String
    let type: ELFSectionType
    let flags: UInt64
    /// `sh_addr`: the load address in an executable, 0 in a relocatable object.
    let address: UInt64
    /// `sh_offset`: where the contents start in the file.
    let offset: UInt64
    /// `sh_size`: bytes in the file (compressed size for compressed sections).
    let size: UInt64
    let link: UInt32
    let info: UInt32
    let alignment: UInt64
    let entrySize: UInt64

    /// `SHF_COMPRESSED` is set: the contents start with a compression header.
    var isCompressed: Bool { flags & ELFSectionFlags.compressed != 0 }

    /// A name like `[57] .debug_info` for messages.
    var label: String { "section [\(index)] \(name.isEmpty ? "(unnamed)" : name)" }
}
