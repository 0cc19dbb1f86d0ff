import Benchmark
import Foundation
import Kallsyms

// Workloads on the shared 6.18 snapshot, each beside a naive baseline measured
// in the same run: a sorted [UInt64] with binary search, and a
// Dictionary<String, [Int]>. Timings are for people (Docs/benchmarks.md);
// CI checks only the deterministic metrics (allocations) against thresholds.

let benchmarks: @Sendable () -> Void = {
    let fixture = Fixture.shared
    let lookupsPerIteration = BenchmarkScalingFactor.kilo

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 100_000)

    // MARK: Parse and build

    Benchmark("Build.SymbolIndex", configuration: .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(3), maxIterations: 200)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try SymbolIndex(bytes: fixture.text, sourceName: "6.18"))
        }
    }

    Benchmark("Build.Baseline", configuration: .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(3), maxIterations: 200)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(NaiveTable(text: fixture.text))
        }
    }

    // MARK: Address to symbol

    // Every loop reads its structure from a local, as a caller holding an
    // index (or a table) would, not through the fixture object each time.
    Benchmark("Address.SymbolIndex", configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
        let index = fixture.index
        lookUpEach(fixture.textAddresses, from: fixture.nextStart(), benchmark) { index.symbol(containing: $0) }
    }

    // The same lookups answered by a symbol borrowed from the index (no
    // reference count), each read for its offset, as `%pS` needs it.
    Benchmark("Address.Borrowed.SymbolIndex", configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
        let index = fixture.index
        lookUpEach(fixture.textAddresses, from: fixture.nextStart(), benchmark) { address -> UInt64 in
            guard let symbol = index.borrowedSymbol(containing: address) else { return UInt64.max }
            return address &- symbol.address
        }
    }

    // The same lookups returning ids (no reference count per answer), and
    // the baseline's, at uniform text addresses and at addresses inside
    // random functions: each function as likely as any other, as the frames
    // of stack traces are, so small functions, packed densely, come up far
    // more often than under uniform text addresses.
    let addressSets: [(ids: String, baseline: String, addresses: KeyPath<Fixture, [UInt64]>)] = [
        ("Address.ID.SymbolIndex", "Address.Baseline", \.textAddresses),
        ("Address.Functions.SymbolIndex", "Address.Functions.Baseline", \.functionAddresses),
    ]
    for set in addressSets {
        Benchmark(set.ids, configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
            let index = fixture.index
            lookUpEach(fixture[keyPath: set.addresses], from: fixture.nextStart(), benchmark) {
                index.symbolID(containing: $0)
            }
        }
        Benchmark(set.baseline, configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
            let naive = fixture.naive
            lookUpEach(fixture[keyPath: set.addresses], from: fixture.nextStart(), benchmark) {
                naive.symbol(containing: $0)
            }
        }
    }

    Benchmark("Address.Batch.SymbolIndex", configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
        let start = fixture.nextStart() & (Fixture.queryMask & ~1023)
        var results: [SymbolOffset?] = []
        results.reserveCapacity(1000)
        benchmark.startMeasurement()
        fixture.index.symbols(containing: fixture.textAddresses[start..<start + 1000], into: &results)
        benchmark.stopMeasurement()
        blackHole(results)
    }

    Benchmark("Address.BatchIDs.SymbolIndex", configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
        let start = fixture.nextStart() & (Fixture.queryMask & ~1023)
        let ids = UnsafeMutableBufferPointer<Symbol.ID?>.allocate(capacity: 1000)
        defer { ids.deallocate() }
        fixture.textAddresses.withUnsafeBufferPointer { addresses in
            let slice = UnsafeBufferPointer(rebasing: addresses[start..<start + 1000])
            benchmark.startMeasurement()
            fixture.index.symbolIDs(containing: slice, into: ids)
            benchmark.stopMeasurement()
        }
        blackHole(ids[999])
    }

    Benchmark("Address.Batch.Baseline", configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
        let start = fixture.nextStart() & (Fixture.queryMask & ~1023)
        var results: [Int?] = []
        results.reserveCapacity(1000)
        benchmark.startMeasurement()
        for address in fixture.textAddresses[start..<start + 1000] { results.append(fixture.naive.symbol(containing: address)) }
        benchmark.stopMeasurement()
        blackHole(results)
    }

    // MARK: Name to symbols

    Benchmark("Name.SymbolIndex", configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
        let names = fixture.queryNames
        let index = fixture.index
        var position = fixture.nextStart()
        for _ in benchmark.scaledIterations {
            blackHole(index.symbols(named: names[position & Fixture.nameMask]).first)
            position &+= 1
        }
    }

    // The same lookups returning ids: no reference count per answer.
    Benchmark("Name.ID.SymbolIndex", configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
        let names = fixture.queryNames
        let index = fixture.index
        var position = fixture.nextStart()
        for _ in benchmark.scaledIterations {
            blackHole(index.symbolIDs(named: names[position & Fixture.nameMask]).first)
            position &+= 1
        }
    }

    Benchmark("Name.Baseline", configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
        let names = fixture.queryNames
        let byName = fixture.naive.byName
        var position = fixture.nextStart()
        for _ in benchmark.scaledIterations {
            blackHole(byName[names[position & Fixture.nameMask]]?.first)
            position &+= 1
        }
    }

    // The same lookups on a working set of 1,024 names, as a tool resolving
    // one trace's worth of names sees them: the index stays in cache.
    Benchmark("Name.Hot.SymbolIndex", configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
        let names = fixture.queryNames
        let index = fixture.index
        var position = fixture.nextStart()
        for _ in benchmark.scaledIterations {
            blackHole(index.symbols(named: names[position & 1023]).first)
            position &+= 1
        }
    }

    Benchmark("Name.Hot.Baseline", configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
        let names = fixture.queryNames
        let byName = fixture.naive.byName
        var position = fixture.nextStart()
        for _ in benchmark.scaledIterations {
            blackHole(byName[names[position & 1023]]?.first)
            position &+= 1
        }
    }

    Benchmark("Name.Duplicated.SymbolIndex", configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
        let names = fixture.duplicatedNames
        var position = fixture.nextStart()
        for _ in benchmark.scaledIterations {
            var count = 0
            for symbol in fixture.index.symbols(named: names[position % names.count]) {
                count &+= Int(truncatingIfNeeded: symbol.address)
            }
            blackHole(count)
            position &+= 1
        }
    }

    Benchmark("Name.Duplicated.Baseline", configuration: .init(scalingFactor: lookupsPerIteration)) { benchmark in
        let names = fixture.duplicatedNames
        var position = fixture.nextStart()
        for _ in benchmark.scaledIterations {
            var count = 0
            for symbol in fixture.naive.byName[names[position % names.count]] ?? [] {
                count &+= Int(truncatingIfNeeded: fixture.naive.addresses[symbol])
            }
            blackHole(count)
            position &+= 1
        }
    }

    // MARK: Attribution at vmlinux scale

    // Needs Scripts/make-synthetic-vmlinux.sh DIR first, then KALLSYMS_BENCH_VMLINUX_DIR=DIR.
    if let directory = ProcessInfo.processInfo.environment["KALLSYMS_BENCH_VMLINUX_DIR"] {
        let map = directory + "/System.map"
        let vmlinux = directory + "/vmlinux"
        Benchmark("Attribution.SyntheticVmlinux.Plain", configuration: .init(
            metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(5), maxIterations: 20)) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try SymbolIndex(contentsOf: map)) }
        }
        Benchmark("Attribution.SyntheticVmlinux.WithDWARF", configuration: .init(
            metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(5), maxIterations: 20)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try SymbolIndex(contentsOf: map, options: .init(elfFiles: [vmlinux])))
            }
        }
    }

    // MARK: Memory

    Benchmark("Memory.BytesPerSymbol", configuration: .init(
        metrics: [.custom("bytesPerSymbol", polarity: .prefersSmaller, useScalingFactor: false),
                  .custom("residentBytes", polarity: .prefersSmaller, useScalingFactor: false)],
        maxIterations: 1)) { benchmark in
        benchmark.measurement(.custom("bytesPerSymbol", polarity: .prefersSmaller, useScalingFactor: false),
                              Int(fixture.index.bytesPerSymbol.rounded(.up)))
        benchmark.measurement(.custom("residentBytes", polarity: .prefersSmaller, useScalingFactor: false),
                              fixture.index.residentBytes)
    }

    Benchmark("Memory.Baseline.BytesPerSymbol", configuration: .init(
        metrics: [.custom("bytesPerSymbol", polarity: .prefersSmaller, useScalingFactor: false)],
        maxIterations: 1)) { benchmark in
        benchmark.measurement(.custom("bytesPerSymbol", polarity: .prefersSmaller, useScalingFactor: false),
                              Int(fixture.naive.estimatedBytesPerSymbol.rounded(.up)))
    }
}

/// The timed loop of a single-address workload: `lookup` of each address in
/// turn from `start`, every answer kept from the optimizer. Inlined, so each
/// workload's loop is compiled with its own lookup in it.
@inline(__always)
func lookUpEach<Answer>(_ addresses: [UInt64], from start: Int, _ benchmark: Benchmark,
                        _ lookup: (UInt64) -> Answer) {
    var position = start
    for _ in benchmark.scaledIterations {
        blackHole(lookup(addresses[position & Fixture.queryMask]))
        position &+= 1
    }
}

/// The snapshot, the index, the baseline and the queries, made once.
final class Fixture: @unchecked Sendable {
    static let shared = Fixture()
    static let queryCount = 1 << 20
    static let queryMask = queryCount - 1
    static let nameMask = (1 << 16) - 1

    let text: [UInt8]
    let index: SymbolIndex
    let naive: NaiveTable
    /// Random addresses in [_stext, _etext).
    let textAddresses: [UInt64]
    /// Random addresses inside random text functions (not `__pfx_` padding),
    /// each function equally likely.
    let functionAddresses: [UInt64]
    /// Random existing names, each a fresh String.
    let queryNames: [String]
    /// Names that more than one symbol has, each a fresh String.
    let duplicatedNames: [String]
    private var counter = 0

    private init() {
        let path = Fixture.snapshotPath()
        guard let data = FileManager.default.contents(atPath: path) else {
            fatalError("cannot read \(path); run from the package's Benchmarks directory with ../../shared/data present")
        }
        let gzipped = [UInt8](data)
        index = try! SymbolIndex(bytes: gzipped, sourceName: path)
        // The baseline gets plain text, as the index builds from it too.
        text = Fixture.gunzip(path)
        let naive = NaiveTable(text: text)
        self.naive = naive
        var random = SplitMix64(seed: 0x6b616c6c73796d73)
        let stext = naive.address(of: "_stext")
        let etext = naive.address(of: "_etext")
        textAddresses = (0..<Fixture.queryCount).map { _ in stext + random.next() % (etext - stext) }
        // A function's extent, from the baseline's own sorted table: up to the next higher address.
        var functions: [(start: UInt64, size: UInt64)] = []
        for (position, item) in naive.sorted.enumerated() where item.address >= stext && item.address < etext
            && !naive.names[item.symbol].hasPrefix("__pfx_") {
            guard let next = naive.sorted[(position + 1)...].first(where: { $0.address > item.address }) else { continue }
            functions.append((item.address, min(next.address, etext) - item.address))
        }
        // A generator of its own, so that the other queries stay what they were.
        var functionRandom = SplitMix64(seed: 0x66756e6374696f6e)
        functionAddresses = (0..<Fixture.queryCount).map { _ in
            let function = functions[Int(functionRandom.next() % UInt64(functions.count))]
            return function.start + functionRandom.next() % function.size
        }
        let allNames = Array(naive.byName.keys).sorted()
        // Each query is its own String, made in query order, as a tool that
        // has just read names from a trace or a command line holds them. (Sharing
        // the dictionary's key strings instead made every query a cache miss on
        // a string scattered over 6 MB of heap, for both sides: measured then,
        // that miss was 100 of the 270 ns.)
        queryNames = (0...Fixture.nameMask).map { _ in
            String(decoding: Array(allNames[Int(random.next() % UInt64(allNames.count))].utf8), as: UTF8.self)
        }
        // Fresh Strings here too: the dictionary's own key strings would let
        // its `==` succeed on storage identity without reading the bytes.
        duplicatedNames = allNames.filter { naive.byName[$0]!.count > 1 }
            .map { String(decoding: Array($0.utf8), as: UTF8.self) }
    }

    func nextStart() -> Int {
        counter &+= 7919
        return counter
    }

    static func snapshotPath() -> String {
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("shared/data/kallsyms-6.18.44-x86_64.txt.gz").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return "../../shared/data/kallsyms-6.18.44-x86_64.txt.gz"
    }

    static func gunzip(_ path: String) -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try! process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }
}

/// The obvious implementation: parse with String, sort addresses, binary search,
/// and a dictionary from name to symbol numbers.
struct NaiveTable {
    var addresses: [UInt64] = []
    var names: [String] = []
    var byName: [String: [Int]] = [:]
    /// Sorted addresses and, for each, the symbol number.
    var sorted: [(address: UInt64, symbol: Int)] = []

    init(text: [UInt8]) {
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count == 3, let address = UInt64(fields[0], radix: 16) else { continue }
            let name = String(fields[2].split(separator: "\t").first ?? "")
            byName[name, default: []].append(names.count)
            addresses.append(address)
            names.append(name)
        }
        sorted = addresses.enumerated().map { ($0.element, $0.offset) }.sorted { $0.address < $1.address }
    }

    func address(of name: String) -> UInt64 { addresses[byName[name]!.first!] }

    /// Binary search for the last symbol at or below `address`.
    func symbol(containing address: UInt64) -> Int? {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle].address <= address { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : sorted[low - 1].symbol
    }

    /// Arrays, strings (16 bytes inline, heap for longer), dictionary entries.
    var estimatedBytesPerSymbol: Double {
        let heapStrings = names.reduce(0) { $0 + ($1.utf8.count > 15 ? 32 + $1.utf8.count : 0) }
        let total = addresses.count * 8 + names.count * 16 + heapStrings + sorted.count * 16
            + byName.count * (16 + 8 + 40)
        return Double(total) / Double(addresses.count)
    }
}

struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
