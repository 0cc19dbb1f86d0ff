// The side files a symbol table comes with, chosen by the first byte:
// `/proc/modules` (0), `modules.builtin.ranges` (1) and a kallmodsyms
// annotation (2). Each must be read or refused with an error.
@testable import Kallsyms
import FuzzDriver

func fuzzOne(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let text = UnsafeBufferPointer(start: start + 1, count: count - 1)
    switch start[0] % 3 {
    case 0: _ = try? ModuleLayout(procModules: text)
    case 1: _ = try? BuiltinModuleRanges(parsing: text)
    default: _ = try? KallmodsymsAnnotation(parsing: text)
    }
    return 0
}

@_cdecl("FuzzSideFiles_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
