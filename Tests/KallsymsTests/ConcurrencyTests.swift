import Testing
@testable import Kallsyms

/// One index shared by many tasks must answer exactly as it does on one thread.
@Suite("Concurrency: one index queried from many tasks")
struct ConcurrencyTests {
    static let taskCount = 8

    /// Addresses in vmlinux text and data, in every module, and anywhere.
    static func addresses(_ loaded: LoadedTable, count: Int, seed: UInt64) -> [UInt64] {
        var random = SplitMix64(seed: seed)
        let symbols = loaded.reference.symbols
        return (0..<count).map { step in
            let symbol = symbols[Int(random.next() % UInt64(symbols.count))]
            switch step % 4 {
            case 0: return symbol.address
            case 1: return symbol.address &+ random.next() % 0x200
            case 2: return symbol.address &- random.next() % 0x40
            default: return random.next()
            }
        }
    }

    @Test("8 tasks × thousands of lookups agree with single-threaded answers", arguments: [RealTable.kallsyms61Modules, .kallsyms618])
    func concurrentLookups(_ table: RealTable) async throws {
        let loaded = try table.load()
        let index = loaded.index
        let addresses = Self.addresses(loaded, count: 2_000, seed: 0xC0FFEE ^ UInt64(table.expectedLines))
        var random = SplitMix64(seed: 0x5EED)
        let names = (0..<600).map { _ in loaded.reference.symbols[Int(random.next() % UInt64(loaded.reference.symbols.count))].name }
            + ["init_once", ".LC0", "__pfx_init_once", "no_such_name"]

        // Single-threaded answers first.
        let expectedLookups = addresses.map { index.symbol(containing: $0) }
        let expectedText = expectedLookups.map { $0?.description }
        let expectedNames = names.map { index.symbols(named: $0).map(\.description) }
        #expect(expectedLookups.contains { $0 != nil })

        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<Self.taskCount {
                group.addTask {
                    var bad = 0
                    // Every task walks all addresses, each from a different start.
                    for step in addresses.indices {
                        let position = (step + task * 389) % addresses.count
                        let answer = index.symbol(containing: addresses[position])
                        if answer != expectedLookups[position] || answer?.description != expectedText[position] { bad += 1 }
                    }
                    for (position, name) in names.enumerated()
                    where index.symbols(named: name).map(\.description) != expectedNames[position] {
                        bad += 1
                    }
                    // The batch interface from a task too.
                    let batch = index.symbols(containing: addresses)
                    if batch != expectedLookups { bad += 1 }
                    return bad
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    @Test("iteration, duplicates and symbols cross tasks safely")
    func concurrentIteration() async throws {
        let text = try TestData.slice(of: RealTable.kallsyms618.load().text, vmlinuxLines: 4_000, moduleLines: 0)
        let index = try SymbolIndex(bytes: text)
        let expected = index.symbolsByAddress.map(\.description)
        let expectedDuplicates = index.duplicateNames().map(\.name)
        let results = await withTaskGroup(of: (lines: [String], duplicates: [String], symbols: [Symbol]).self) { group in
            for _ in 0..<4 {
                group.addTask {
                    (index.symbolsByAddress.map(\.description), index.duplicateNames().map(\.name),
                     Array(index.symbols(named: "init_once")))
                }
            }
            var all: [(lines: [String], duplicates: [String], symbols: [Symbol])] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 4)
        for result in results {
            #expect(result.lines == expected)
            #expect(result.duplicates == expectedDuplicates)
            // Symbols made in another task still read their (shared) storage.
            #expect(result.symbols == Array(index.symbols(named: "init_once")))
            #expect(result.symbols.allSatisfy { $0.name == "init_once" })
        }
    }

    @Test("indexes built in parallel equal one built alone")
    func concurrentBuilds() async throws {
        let text = try TestData.slice(of: RealTable.kallsyms61Modules.load().text, vmlinuxLines: 1_500, moduleLines: 1_500)
        let alone = try SymbolIndex(bytes: text).symbolsByAddress.map(\.description)
        let built = await withTaskGroup(of: [String]?.self) { group in
            for _ in 0..<4 {
                group.addTask { try? SymbolIndex(bytes: text).symbolsByAddress.map(\.description) }
            }
            var all: [[String]?] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(built.count == 4)
        #expect(built.allSatisfy { $0 == alone })
    }
}
