/// The symbols of an ELF file, from `.symtab` or, in a stripped file, `.dynsym`.
struct ELFSymbolTable: Sendable {
    /// The section the symbols came from (`.symtab` or `.dynsym`).
    let sectionName: String
    /// Every entry in table order, the null symbol at index 0 included, so
    /// that `symbols[i].index == i` and relocation symbol numbers index it.
    let symbols: [ELFSymbol]
    /// The names of the `STT_FILE` symbols, in table order (empty names left out).
    let fileNames: [String]

    /// Every symbol called `name`, in table order.
    func symbols(named name: String) -> [ELFSymbol] {
        symbols.filter { $0.name == name }
    }
}
