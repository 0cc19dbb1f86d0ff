import Testing
@testable import Kallsyms

/// Real input, damaged at random (fixed seeds): the library must either build
/// an index or throw a ``KallsymsError``; never crash, never hang. Lenient
/// mode must build unless a whole-input check fires.
@Suite("Mutation: damaged real input")
struct MutationTests {
    /// Slices of real tables: 6.1 vmlinux with per-cpu symbols and modules
    /// (out of address order), and 6.18 with `__pfx_` pairs, the init text
    /// and the ftrace pseudo-module.
    static let bases: Result<[[UInt8]], any Error> = Result {
        let dump61 = try TestData.gunzip(path: RealTable.kallsyms61Modules.path)
        let dump618 = try TestData.gunzip(path: RealTable.kallsyms618.path)
        let lines618 = TestData.lines(dump618)
        return [
            TestData.slice(of: dump61, vmlinuxLines: 400, moduleLines: 200),
            TestData.join(lines618.prefix(400) + lines618.suffix(40)),
        ]
    }

    /// The whole-input checks that lenient mode does not skip.
    static let wholeInputCodes: Set<KallsymsError.Code> = [.emptyInput, .binaryData, .debianPlaceholder, .addressesHidden]

    static let casesPerChunk = 16
    static let chunks = 8

    /// Applies one random mutation.
    static func mutate(_ bytes: inout [UInt8], _ random: inout SplitMix64) -> String {
        func position(_ count: Int) -> Int { count == 0 ? 0 : Int(random.next() % UInt64(count)) }
        var lines = TestData.lines(bytes).map(Array.init)
        switch random.next() % 11 {
        case 0:
            let at = position(bytes.count)
            if !bytes.isEmpty { bytes[at] ^= UInt8(truncatingIfNeeded: 1 << (random.next() % 8)) }
            return "flip a bit at \(at)"
        case 1:
            let at = position(bytes.count)
            if !bytes.isEmpty { bytes[at] = UInt8(truncatingIfNeeded: random.next()) }
            return "replace byte \(at)"
        case 2:
            let at = position(bytes.count + 1)
            let inserted: UInt8 = [0x00, 0x09, 0x20, 0x5B, 0x5D, 0x0A, 0x0D, 0x7B][Int(random.next() % 8)]
            bytes.insert(inserted, at: at)
            return "insert \(inserted) at \(at)"
        case 3:
            let at = position(bytes.count + 1)
            bytes.removeSubrange(at...)
            return "truncate at \(at)"
        case 4:
            guard !lines.isEmpty else { return "nothing" }
            let at = position(lines.count)
            lines.remove(at: at)
            bytes = joinLines(lines)
            return "delete line \(at + 1)"
        case 5:
            guard !lines.isEmpty else { return "nothing" }
            let at = position(lines.count)
            lines.insert(lines[at], at: position(lines.count + 1))
            bytes = joinLines(lines)
            return "duplicate line \(at + 1)"
        case 6:
            guard lines.count > 1 else { return "nothing" }
            let (first, second) = (position(lines.count), position(lines.count))
            lines.swapAt(first, second)
            bytes = joinLines(lines)
            return "swap lines \(first + 1) and \(second + 1)"
        case 7:
            // Replace a digit of an address: moves a symbol, maybe into another module's range.
            let at = position(bytes.count)
            if let digit = bytes[at...].firstIndex(where: { $0 >= 0x30 && $0 <= 0x39 }) {
                bytes[digit] = [0x30, 0x37, 0x66, 0x61, 0x39][Int(random.next() % 5)]
            }
            return "replace a digit after \(at)"
        case 8:
            // Zero a whole address.
            guard !lines.isEmpty else { return "nothing" }
            let at = position(lines.count)
            for column in 0..<min(16, lines[at].count) where lines[at][column] != 0x20 { lines[at][column] = 0x30 }
            bytes = joinLines(lines)
            return "zero the address of line \(at + 1)"
        case 9:
            // Move a block of lines elsewhere (modules out of order, aliases split).
            guard lines.count > 10 else { return "nothing" }
            let start = position(lines.count - 10)
            let block = Array(lines[start..<start + 10])
            lines.removeSubrange(start..<start + 10)
            lines.insert(contentsOf: block, at: position(lines.count + 1))
            bytes = joinLines(lines)
            return "move lines \(start + 1)...\(start + 10)"
        default:
            // Change the type letter, or the module name, of one line.
            guard !lines.isEmpty else { return "nothing" }
            let at = position(lines.count)
            if lines[at].count > 17 { lines[at][17] = Array("AaBbDdTtWwXx?-[ ".utf8)[Int(random.next() % 16)] }
            if let tab = lines[at].firstIndex(of: 0x09) { lines[at].replaceSubrange((tab + 1)..., with: Array("[other_module]".utf8)) }
            bytes = joinLines(lines)
            return "retype line \(at + 1)"
        }
    }

    static func joinLines(_ lines: [[UInt8]]) -> [UInt8] {
        TestData.join(lines.map { $0[...] })
    }

    /// Queries a freshly built index in every way; none may crash. Returns what was wrong.
    static func exercise(_ index: SymbolIndex, _ random: inout SplitMix64) -> [String] {
        var problems: [String] = []
        let all = Array(index.symbolsByAddress)
        if all.count != index.count { problems.append("symbolsByAddress has \(all.count) symbols, count is \(index.count)") }
        if zip(all, all.dropFirst()).contains(where: { $0.address > $1.address }) { problems.append("symbolsByAddress out of order") }
        for _ in 0..<12 where !all.isEmpty {
            let symbol = all[Int(random.next() % UInt64(all.count))]
            _ = symbol.description
            _ = symbol.size
            // By bytes: a mutated name need not be valid UTF-8.
            if !symbol.withUTF8Name({ index.symbols(named: $0).contains(symbol) }) { problems.append("\(symbol) not found by name") }
            if symbol.isSymbolizable, index.symbol(containing: symbol.address)?.symbol.address != symbol.address {
                problems.append("\(symbol) does not resolve at its address")
            }
            for address in [symbol.address &- 1, symbol.address &+ 1, symbol.address &+ random.next() % 0x1000] {
                if let hit = index.symbol(containing: address) {
                    _ = hit.description
                    if hit.offset >= (hit.symbol.size ?? 1) { problems.append("0x\(String(address, radix: 16)) → \(hit) is past its size") }
                }
            }
        }
        for _ in 0..<8 { _ = index.symbol(containing: random.next())?.description }
        _ = index.symbols(named: "__pfx_" + (all.first?.name ?? "x")).count
        _ = index.symbols(named: "x", inModule: "other_module").count
        return problems
    }

    @Test("mutated text builds or throws a KallsymsError", arguments: 0..<chunks)
    func mutatedText(_ chunk: Int) throws {
        let bases = try Self.bases.get()
        var failures = 0
        for number in (chunk * Self.casesPerChunk)..<((chunk + 1) * Self.casesPerChunk) {
            var random = SplitMix64(seed: 0x6D75_7461 &+ UInt64(number))
            var bytes = bases[number % bases.count]
            var applied: [String] = []
            for _ in 0..<(1 + random.next() % 3) { applied.append(Self.mutate(&bytes, &random)) }
            let label = "case \(number) (\(applied.joined(separator: ", ")))"

            let strict = Result { () throws(KallsymsError) -> SymbolIndex in try SymbolIndex(bytes: bytes, sourceName: "mutant") }
            let lenient = Result { () throws(KallsymsError) -> SymbolIndex in
                try SymbolIndex(bytes: bytes, sourceName: "mutant", options: .init(lenient: true))
            }
            switch lenient {
            case .success(let index):
                var problems = Self.exercise(index, &random)
                let lineCount = TestData.lines(bytes).count
                let blank = TestData.lines(bytes).filter { $0.isEmpty || $0 == [0x0D] }.count
                if index.count + index.diagnostics.count != lineCount - blank {
                    problems.append("\(index.count) symbols + \(index.diagnostics.count) diagnostics ≠ \(lineCount - blank) lines")
                }
                let diagnosticLines = index.diagnostics.compactMap(\.line)
                if diagnosticLines.count != index.diagnostics.count || diagnosticLines != diagnosticLines.sorted()
                    || diagnosticLines.contains(where: { $0 < 1 || $0 > lineCount }) {
                    problems.append("diagnostic lines \(diagnosticLines) for \(lineCount) lines")
                }
                switch strict {
                case .success(let strictIndex):
                    if !index.diagnostics.isEmpty || strictIndex.count != index.count { problems.append("strict and lenient differ") }
                case .failure(let error):
                    if error != index.diagnostics.first { problems.append("strict threw \(error), lenient's first diagnostic is \(String(describing: index.diagnostics.first))") }
                }
                for problem in problems {
                    failures += 1
                    if failures <= 5 { Issue.record("\(label): \(problem)") }
                }
            case .failure(let error):
                if !Self.wholeInputCodes.contains(error.code) {
                    failures += 1
                    if failures <= 5 { Issue.record("\(label): lenient mode threw \(error)") }
                }
                if case .success = strict {
                    failures += 1
                    if failures <= 5 { Issue.record("\(label): strict mode built what lenient mode rejected") }
                }
            }
        }
        #expect(failures == 0)
    }

    @Test("mutated gzip builds or throws a KallsymsError")
    func mutatedGzip() throws {
        let bases = try Self.bases.get()
        let compressed = try bases.map { try TestData.gzip($0) }
        var outcomes: [String: Int] = [:]
        for number in 0..<40 {
            var random = SplitMix64(seed: 0x677A_6970 &+ UInt64(number))
            var bytes = compressed[number % compressed.count]
            switch number % 4 {
            case 0:
                let at = 10 + Int(random.next() % UInt64(bytes.count - 10))
                bytes[at] ^= UInt8(truncatingIfNeeded: 1 << (random.next() % 8))
            case 1:
                bytes.removeSubrange(Int(random.next() % UInt64(bytes.count))...)
            case 2:
                let at = Int(random.next() % UInt64(bytes.count))
                bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: at)
            default:
                // Inside the header: flags, mtime, OS.
                bytes[3 + Int(random.next() % 7)] = UInt8(truncatingIfNeeded: random.next())
            }
            do {
                let index = try SymbolIndex(bytes: bytes, options: .init(lenient: true))
                _ = Self.exercise(index, &random)
                outcomes["built", default: 0] += 1
            } catch {
                outcomes[error.code.description, default: 0] += 1
            }
        }
        #expect(outcomes["compression error", default: 0] > 10)
    }

    @Test("random bytes and random lines never crash")
    func garbage() throws {
        var random = SplitMix64(seed: 0x6761_7262)
        for number in 0..<60 {
            var bytes: [UInt8]
            if number % 2 == 0 {
                bytes = (0..<(random.next() % 2000)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                // Lines built from the alphabet of symbol tables.
                let alphabet = Array("0123456789abcdefABCDEF TtWwDdAa_[]{}\t\n.x".utf8)
                bytes = (0..<(random.next() % 3000)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            }
            for lenient in [false, true] {
                do {
                    let index = try SymbolIndex(bytes: bytes, options: .init(lenient: lenient))
                    _ = Self.exercise(index, &random)
                } catch {
                    #expect(!error.message.isEmpty)
                }
            }
        }
    }
}
