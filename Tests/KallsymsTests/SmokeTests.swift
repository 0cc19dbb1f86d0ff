import Testing
@testable import Kallsyms

@Suite struct SmokeTests {
    @Test func indexesATinyTable() throws {
        let text = "ffffffff81000000 T _stext\nffffffff81000010 t helper\nffffffff81000040 T _etext\n"
        let index = try SymbolIndex(bytes: Array(text.utf8))
        #expect(index.count == 3)
        #expect(index.symbol(containing: 0xffffffff81000012)?.description == "helper+0x2/0x30")
    }
}
