// A symbol table's bytes (text or gzip), strict and lenient: an index or an
// error; then lookups on whatever index was built.
import Kallsyms
import FuzzDriver

func fuzzOne(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    for lenient in [false, true] {
        guard let index = try? SymbolIndex(bytes: bytes, options: .init(lenient: lenient)) else { continue }
        var seen = 0
        for symbol in index.symbols(named: "_stext") { seen &+= Int(truncatingIfNeeded: symbol.address) }
        for address: UInt64 in [0, 0xffff_ffff_8100_0000, 0xffff_ffff_c000_0000, ~0] {
            if let symbol = index.symbol(containing: address) { seen &+= "\(symbol)".utf8.count }
        }
        _ = seen
    }
    return 0
}

@_cdecl("FuzzText_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
