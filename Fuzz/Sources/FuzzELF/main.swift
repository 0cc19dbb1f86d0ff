// An ELF file's bytes: its header and sections, the symbol table, every
// section's contents (relocated, inflated when compressed), and the DWARF
// compile units' address ranges. Each must be read or refused with an error.
@testable import Kallsyms

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

// SwiftPM renames an executable's entry point to `<module>_main` and links
// `main` to it, so libFuzzer's own `main` is not used: this one hands the
// arguments to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>,
               _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzELF_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { fuzzOne($0, $1) }
}
