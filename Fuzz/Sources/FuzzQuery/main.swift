// A query's bytes, against a real index with modules and a module's source
// files: as a qualified name, as a plain name (String and bytes), and as
// `module:name`.
import Kallsyms
import FuzzDriver

let index: SymbolIndex = {
    do {
        return try SymbolIndex(contentsOf: "../../shared/data/kallsyms-6.1.0-53-cloud-amd64-kaslr-modules.txt.gz",
                               options: .init(elfFiles: ["../../shared/data/libceph-6.1.0-53-cloud-amd64.ko.gz"]))
    } catch {
        fatalError("\(error)\nrun through Fuzz/run.sh, which starts in Fuzz/ with ../../shared/data beside the checkout")
    }
}()

func fuzzOne(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let text = String(decoding: bytes, as: UTF8.self)
    var found = 0
    if let symbol = try? index.symbol(qualifiedName: text) { found &+= Int(truncatingIfNeeded: symbol.address) }
    found &+= index.symbols(named: text).count
    found &+= index.symbolIDs(named: bytes).count
    if let colon = text.firstIndex(of: ":") {
        found &+= index.symbols(named: String(text[text.index(after: colon)...]), inModule: String(text[..<colon])).count
    }
    _ = found
    return 0
}

@_cdecl("FuzzQuery_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
