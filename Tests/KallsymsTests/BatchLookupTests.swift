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

    @Test("borrowedSymbol(containing:) answers as symbol(containing:) does, property by property",
          arguments: RealTable.allCases)
    func borrowedAgrees(_ table: RealTable) throws {
        let index = try table.load().index
        var mismatches: [String] = []
        var found = 0
        for address in Self.addresses(for: index, seed: 0xB0220) where mismatches.count < 5 {
            let owned = index.symbol(containing: address)
            guard let borrowed = index.borrowedSymbol(containing: address) else {
                if owned != nil { mismatches.append("\(address): borrowed nil, owned \(owned!)") }
                continue
            }
            found += 1
            guard let owned else { mismatches.append("\(address): owned nil"); continue }
            let symbol = owned.symbol
            // The start the lookup computed against the one the entry's key gives.
            if borrowed.address != symbol.address || borrowed.symbolID != symbol.symbolID
                || borrowed.symbol != symbol || borrowed.name != symbol.name || borrowed.size != symbol.size
                || borrowed.type != symbol.type || borrowed.module != symbol.module
                || borrowed.isAbsolute != symbol.isAbsolute || borrowed.isSymbolizable != symbol.isSymbolizable
                || borrowed.description != symbol.description
                || borrowed.withUTF8Name({ Array($0) }) != Array(symbol.name.utf8)
                || address &- borrowed.address != owned.offset {
                mismatches.append("\(address): \(symbol)")
            }
        }
        #expect(found > 10_000)
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("bucket starts split into group starts and 16-bit offsets reconstruct exactly")
    func bucketStartsSplit() {
        let even = (0..<1_000).map { UInt32($0 * 3) }
        let split = AddressSearch.splitBucketStarts(even)
        #expect(split.groupShift == AddressSearch.largestGroupShift)
        /// Whether every start comes back as its group's start plus its offset.
        func reconstructs(_ starts: [UInt32],
                          _ split: (groupShift: Int, groupStarts: [UInt32], offsets: [UInt16])) -> Bool {
            starts.indices.allSatisfy {
                Int(split.groupStarts[$0 >> split.groupShift]) + Int(split.offsets[$0]) == Int(starts[$0])
            }
        }
        #expect(reconstructs(even, split))
        // One bucket of 70,000 entries: only groups of one bucket fit 16-bit offsets.
        let crowded: [UInt32] = [0, 70_000, 70_001, 70_002, 70_002]
        let narrow = AddressSearch.splitBucketStarts(crowded)
        #expect(narrow.groupShift == 0)
        // Groups of two fit when the crowded bucket's neighbour starts where it does.
        #expect(AddressSearch.splitBucketStarts([0, 0, 70_000, 70_001]).groupShift == 1)
        #expect(reconstructs(crowded, narrow))
    }

    @Test("70,000 aliases at one address and sparse symbols after them resolve exactly")
    func crowdedBucket() throws {
        let base: UInt64 = 0xffff_ffff_8100_0000
        var text = ""
        for alias in 0..<70_000 { text += String(base, radix: 16) + " T alias_\(alias)\n" }
        // Sparse symbols 1 MiB apart: a segment with far more span than entries.
        let sparse = (1...300).map { base + UInt64($0) << 20 }
        for (number, address) in sparse.enumerated() { text += String(address, radix: 16) + " t sparse_\(number)\n" }
        text += String(sparse.last! + 0x100, radix: 16) + " T _etext\n"
        let index = try SymbolIndex(bytes: Array(text.utf8), sourceName: "crowded")
        #expect(index.storage.search.groupShift < AddressSearch.largestGroupShift)
        let atCrowd = try #require(index.symbol(containing: base + 0x10))
        #expect(atCrowd.symbol.address == base && atCrowd.symbol.name.hasPrefix("alias_"))
        var queries: [UInt64] = []
        for (number, address) in sparse.enumerated() {
            #expect(index.symbol(containing: address)?.symbol.name == "sparse_\(number)")
            let lastByte = index.symbol(containing: address + 0xFFFFF)?.symbol.name
            #expect(lastByte == (number == 299 ? nil : "sparse_\(number)"))
            let before = index.symbol(containing: address - 1)?.symbol.name
            #expect(before == (number == 0 ? atCrowd.symbol.name : "sparse_\(number - 1)"))
            queries += [address, address - 1, address + 0x800]
        }
        let batch = index.symbols(containing: queries)
        #expect(batch == queries.map { index.symbol(containing: $0) })
    }
}
