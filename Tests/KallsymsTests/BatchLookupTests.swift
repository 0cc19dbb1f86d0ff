import Testing
@testable import Kallsyms

/// The batch lookups must give exactly what one lookup at a time gives.
@Suite("Batch lookups agree with single lookups")
struct BatchLookupTests {
    /// Addresses everywhere: every symbol's own address and its neighbours,
    /// random ones across the whole 64-bit space and inside each region.
    static func addresses(for index: SymbolIndex, seed: UInt64) -> [UInt64] {
        var random = SplitMix64(seed: seed)
        var addresses: [UInt64] = []
        for symbol in index.symbolsByAddress.prefix(20_000) {
            addresses += [symbol.address, symbol.address &- 1, symbol.address &+ 1, symbol.address &+ 7]
        }
        let symbols = Array(index.symbolsByAddress)
        for _ in 0..<20_000 {
            let anchor = symbols[Int(random.next() % UInt64(symbols.count))].address
            addresses.append(anchor &+ random.next() % 0x4000)
            addresses.append(random.next())
        }
        return addresses
    }

    @Test("symbolIDs(containing:into:), symbolID(containing:) and symbols(containing:into:) equal symbol(containing:)",
          arguments: RealTable.allCases)
    func batchesAgree(_ table: RealTable) throws {
        let index = try table.load().index
        let addresses = Self.addresses(for: index, seed: 0xBA7C4)
        let ids = UnsafeMutableBufferPointer<Symbol.ID?>.allocate(capacity: addresses.count)
        defer { ids.deallocate() }
        addresses.withUnsafeBufferPointer { index.symbolIDs(containing: $0, into: ids) }
        let offsets = index.symbols(containing: addresses)
        var mismatches = 0
        for (position, address) in addresses.enumerated() {
            let single = index.symbol(containing: address)
            if single?.symbol.symbolID != ids[position] || single != offsets[position]
                || index.symbolID(containing: address) != ids[position] { mismatches += 1 }
            if let id = ids[position] { #expect(index.symbol(id) == single?.symbol) }
        }
        #expect(mismatches == 0)
        // A lazy, non-contiguous collection takes the copying path and agrees too.
        let lazy = addresses.prefix(5_000).lazy.map { $0 }
        #expect(index.symbols(containing: lazy) == Array(offsets.prefix(5_000)))
    }
}
