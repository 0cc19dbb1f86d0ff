import Kallsyms
let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/proc/kallsyms"
do {
    let index = try SymbolIndex(contentsOf: path)
    print(index.count, index.residentBytes, index.bytesPerSymbol, index.kernelCoverage)
    for a: UInt64 in [0xffffffff81000000, 0xffffffff81000005, 0xffffffff81207605, 0xffffffff81207615, 0xffffffff82400000] {
        print(String(a, radix: 16), index.symbol(containing: a).map { "\($0)" } ?? "nil")
    }
    for s in index.symbols(named: "init_once") { print(s) }
    for s in index.symbols(named: "__pfx_abort") { print(s) }
    let st = index.statistics()
    print(st.duplicateNames, st.symbolsWithDuplicateNames, st.foldedPrefixSymbols, st.unsymbolizableSymbols, st.absoluteSymbols)
    var n = 0
    for _ in index.symbolsByAddress { n += 1 }
    print("iter", n)
} catch { print(error) }
