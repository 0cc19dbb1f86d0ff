/// The ELF header's `e_type`: what kind of file this is.
///
/// A struct around the raw value, not an enum, so that an unusual value read
/// from a file is kept and shown rather than rejected.
struct ELFFileType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt16
    init(rawValue: UInt16) { self.rawValue = rawValue }

    static let none = ELFFileType(rawValue: 0)
    /// `ET_REL`: an object file or a kernel module (`.ko`); symbol values are section offsets.
    static let relocatable = ELFFileType(rawValue: 1)
    /// `ET_EXEC`: a fixed-address executable such as `vmlinux`.
    static let executable = ELFFileType(rawValue: 2)
    /// `ET_DYN`: a shared object or a position-independent executable.
    static let sharedObject = ELFFileType(rawValue: 3)
    static let core = ELFFileType(rawValue: 4)

    var description: String {
        switch rawValue {
        case 0: return "NONE"
        case 1: return "REL"
        case 2: return "EXEC"
        case 3: return "DYN"
        case 4: return "CORE"
        default: return "type 0x" + String(rawValue, radix: 16)
        }
    }
}

/// The ELF header's `e_machine`: the processor architecture.
struct ELFMachine: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt16
    init(rawValue: UInt16) { self.rawValue = rawValue }

    static let i386 = ELFMachine(rawValue: 3)
    static let powerPC = ELFMachine(rawValue: 20)
    static let powerPC64 = ELFMachine(rawValue: 21)
    static let s390 = ELFMachine(rawValue: 22)
    static let arm = ELFMachine(rawValue: 40)
    static let x86_64 = ELFMachine(rawValue: 62)
    static let aarch64 = ELFMachine(rawValue: 183)
    static let riscv = ELFMachine(rawValue: 243)
    static let loongArch = ELFMachine(rawValue: 258)

    var description: String {
        switch self {
        case .i386: return "i386"
        case .powerPC: return "ppc"
        case .powerPC64: return "ppc64"
        case .s390: return "s390"
        case .arm: return "arm"
        case .x86_64: return "x86_64"
        case .aarch64: return "aarch64"
        case .riscv: return "riscv"
        case .loongArch: return "loongarch"
        default: return "machine \(rawValue)"
        }
    }
}

/// A section header's `sh_type`.
struct ELFSectionType: RawRepresentable, Hashable, Sendable {
    let rawValue: UInt32
    init(rawValue: UInt32) { self.rawValue = rawValue }

    static let null = ELFSectionType(rawValue: 0)
    static let progbits = ELFSectionType(rawValue: 1)
    static let symtab = ELFSectionType(rawValue: 2)
    static let strtab = ELFSectionType(rawValue: 3)
    static let rela = ELFSectionType(rawValue: 4)
    static let nobits = ELFSectionType(rawValue: 8)
    static let rel = ELFSectionType(rawValue: 9)
    static let dynsym = ELFSectionType(rawValue: 11)
    /// `SHT_SYMTAB_SHNDX`: full section indices of symbols whose `st_shndx` is `SHN_XINDEX`.
    static let symtabSectionIndices = ELFSectionType(rawValue: 18)
}

/// Bits of a section header's `sh_flags` that the readers care about.
enum ELFSectionFlags {
    static let alloc: UInt64 = 0x2
    static let execute: UInt64 = 0x4
    /// `SHF_COMPRESSED`: the contents start with an `Elf32_Chdr` or `Elf64_Chdr`.
    static let compressed: UInt64 = 0x800
}

/// A symbol's `STT_*` type, the low four bits of `st_info`.
struct ELFSymbolType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt8
    init(rawValue: UInt8) { self.rawValue = rawValue }

    static let notype = ELFSymbolType(rawValue: 0)
    static let object = ELFSymbolType(rawValue: 1)
    static let function = ELFSymbolType(rawValue: 2)
    static let section = ELFSymbolType(rawValue: 3)
    /// `STT_FILE`: names the source file whose local symbols follow.
    static let file = ELFSymbolType(rawValue: 4)
    static let common = ELFSymbolType(rawValue: 5)
    static let tls = ELFSymbolType(rawValue: 6)
    static let gnuIndirectFunction = ELFSymbolType(rawValue: 10)

    /// The name `readelf -s` prints.
    var description: String {
        switch rawValue {
        case 0: return "NOTYPE"
        case 1: return "OBJECT"
        case 2: return "FUNC"
        case 3: return "SECTION"
        case 4: return "FILE"
        case 5: return "COMMON"
        case 6: return "TLS"
        case 10: return "IFUNC"
        default: return "<type \(rawValue)>"
        }
    }
}

/// A symbol's `STB_*` binding, the high four bits of `st_info`.
struct ELFSymbolBinding: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt8
    init(rawValue: UInt8) { self.rawValue = rawValue }

    static let local = ELFSymbolBinding(rawValue: 0)
    static let global = ELFSymbolBinding(rawValue: 1)
    static let weak = ELFSymbolBinding(rawValue: 2)
    static let gnuUnique = ELFSymbolBinding(rawValue: 10)

    /// The name `readelf -s` prints.
    var description: String {
        switch rawValue {
        case 0: return "LOCAL"
        case 1: return "GLOBAL"
        case 2: return "WEAK"
        case 10: return "UNIQUE"
        default: return "<binding \(rawValue)>"
        }
    }
}

/// Reserved values of a symbol's `st_shndx`.
enum ELFSpecialSection {
    /// `SHN_UNDEF`: the symbol is not defined in this file.
    static let undefined: UInt32 = 0
    /// `SHN_LORESERVE`: values from here on are not section indices.
    static let lowReserve: UInt32 = 0xFF00
    /// `SHN_ABS`: the value is an absolute number, not an address in a section.
    static let absolute: UInt32 = 0xFFF1
    /// `SHN_COMMON`: a common block not yet allocated (relocatable files only).
    static let common: UInt32 = 0xFFF2
    /// `SHN_XINDEX`: the real index is in the `.symtab_shndx` section.
    static let extendedIndex: UInt32 = 0xFFFF
}
