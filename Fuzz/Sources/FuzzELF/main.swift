// An ELF file's bytes: its header and sections, the symbol table, every
// section's contents (inflated when compressed), and the DWARF compile
// units' address ranges (relocations applied). Each must be read or refused with an error.
@testable import Kallsyms
import FuzzDriver

func fuzzOne(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    guard let elf = try? ELFFile(bytes: bytes, source: "fuzz", inflateLimit: 1 << 24) else { return 0 }
    if let table = try? elf.symbols() {
        var nameBytes = 0
        for symbol in table.symbols { nameBytes &+= symbol.name.utf8.count }
        _ = table.symbols(named: "_stext")
        _ = nameBytes
    }
    for section in elf.sections { _ = try? elf.contents(of: section).copyBytes() }
    if DWARFCompileUnits.hasDebugInfo(elf), let units = try? DWARFCompileUnits(elf) {
        _ = try? units.ranges()
    }
    return 0
}

@_cdecl("FuzzELF_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
