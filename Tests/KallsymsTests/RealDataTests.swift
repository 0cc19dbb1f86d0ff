import Testing
@testable import Kallsyms

/// The three real tables of `../shared/data`, each checked line by line
/// against the reference model, and at thousands of sampled addresses.
@Suite("RealData: real kernel symbol tables against the reference model")
struct RealDataTests {
    /// Records at most a few mismatches in detail, then counts the rest.
    struct Mismatches {
        var count = 0
        let limit = 8
        mutating func record(_ message: @autoclosure () -> String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
            count += 1
            if count <= limit { Issue.record(Comment(rawValue: message()), sourceLocation: sourceLocation) }
        }
    }

    @Test("the symbol count equals the number of lines", arguments: RealTable.allCases)
    func countEqualsLines(_ table: RealTable) throws {
        let loaded = try table.load()
        #expect(loaded.reference.symbols.count == table.expectedLines)
        #expect(loaded.index.count == table.expectedLines)
        #expect(loaded.index.diagnostics.isEmpty)
        #expect(loaded.index.sourceName == table.path)
    }

    @Test("kernel coverage is decided as the kernel does", arguments: RealTable.allCases)
    func coverage(_ table: RealTable) throws {
        let loaded = try table.load()
        #expect(loaded.index.kernelCoverage == table.expectedCoverage)
        #expect("\(loaded.reference.coverage)" == "\(table.expectedCoverage)")
    }

    /// What `symbols(named:)` must report for each symbol of a name.
    struct Found: Hashable, Comparable {
        var address: UInt64
        var type: Character
        var module: String?
        static func < (lhs: Found, rhs: Found) -> Bool {
            (lhs.address, lhs.type, lhs.module ?? "") < (rhs.address, rhs.type, rhs.module ?? "")
        }
    }

    @Test("every line is found by its name, with all duplicates, in address order", arguments: RealTable.allCases)
    func everyLineFoundByName(_ table: RealTable) throws {
        let loaded = try table.load()
        var expectedByName: [String: [Found]] = [:]
        for symbol in loaded.reference.symbols {
            expectedByName[symbol.name, default: []].append(Found(address: symbol.address, type: symbol.type, module: symbol.module))
        }
        var mismatches = Mismatches()
        for (name, expected) in expectedByName {
            let matches = loaded.index.symbols(named: name)
            if matches.count != expected.count {
                mismatches.record("symbols(named: \(name)).count is \(matches.count), expected \(expected.count)")
            }
            var found: [Found] = []
            var previous: (absolute: Bool, address: UInt64)?
            for symbol in matches {
                found.append(Found(address: symbol.address, type: symbol.type.letter, module: symbol.module?.name))
                // Address order; absolute symbols (found by name only) come last.
                let current = (absolute: symbol.isAbsolute, address: symbol.address)
                if let previous, (previous.absolute ? 1 : 0, previous.address) > (current.absolute ? 1 : 0, current.address) {
                    mismatches.record("symbols(named: \(name)) is not in address order: \(matches.map(\.description))")
                }
                previous = current
            }
            if found.count != expected.count || found.sorted() != expected.sorted() {
                mismatches.record("symbols(named: \(name)) gave \(found.sorted()), expected \(expected.sorted())")
            }
        }
        #expect(mismatches.count == 0)
        #expect(loaded.index.symbols(named: "no_such_symbol_anywhere").isEmpty)
        #expect(loaded.index.symbols(named: "").isEmpty)
    }

    @Test("symbolsByAddress yields every line once, in address order, preferred alias first",
          arguments: RealTable.allCases)
    func iterationOrder(_ table: RealTable) throws {
        let loaded = try table.load()
        let reference = loaded.reference
        let all = Array(loaded.index.symbolsByAddress)
        #expect(all.count == reference.symbols.count)
        #expect(all.map(\.referenceKey).sorted() == reference.symbols.map(\.key).sorted())

        var mismatches = Mismatches()
        for (previous, current) in zip(all, all.dropFirst()) where previous.address > current.address {
            mismatches.record("out of order: \(previous) before \(current)")
        }
        // The first of each group of aliases is the one %pS prints.
        let aliasesAt = reference.aliasesAt
        var position = 0
        while position < all.count {
            var end = position + 1
            while end < all.count && all[end].address == all[position].address { end += 1 }
            if !all[position].isAbsolute, let aliases = aliasesAt[all[position].address] {
                let expected = reference.symbols[reference.preferred(aliases)].key
                if all[position].referenceKey != expected {
                    mismatches.record("at \(String(all[position].address, radix: 16)) the first alias is \(all[position].referenceKey), expected \(expected)")
                }
            }
            position = end
        }
        #expect(mismatches.count == 0)
    }

    @Test("the 6.18 snapshot round-trips exactly: it is already in the kernel's order")
    func roundTrip618() throws {
        let loaded = try RealTable.kallsyms618.load()
        let lines = loaded.index.symbolsByAddress.map(\.description)
        let expected = TestData.lines(loaded.text).map { String(decoding: $0, as: UTF8.self) }
        #expect(lines.count == expected.count)
        let firstDifference = zip(lines, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "first difference at line \((firstDifference ?? 0) + 1): \(firstDifference.map { "\(lines[$0]) vs \(expected[$0])" } ?? "")")
    }

    @Test("the 6.1 dump's vmlinux part round-trips in the kernel's order, per-cpu aliases included")
    func roundTrip61Vmlinux() throws {
        let loaded = try RealTable.kallsyms61Modules.load()
        let lines = loaded.index.symbolsByAddress.filter { $0.module == nil }.map(\.description)
        let expected = TestData.lines(loaded.text).map { String(decoding: $0, as: UTF8.self) }.filter { !$0.contains("\t") }
        #expect(lines.count == expected.count)
        // Searchable symbols keep the kernel's order exactly.
        let searchable = Set(loaded.index.symbolsByAddress.filter { $0.module == nil && !$0.isAbsolute }.map(\.description))
        #expect(lines.filter(searchable.contains) == expected.filter(searchable.contains))
        // Absolute aliases too: /proc/kallsyms lists fixed_percpu_data before __per_cpu_start (both 0).
        #expect(Array(lines.prefix(2)) == Array(expected.prefix(2)))
        let differing = zip(lines, expected).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) vmlinux lines out of the kernel's order")
    }

    @Test("symbolizable symbols resolve at their own address; the others are exactly the kernel's",
          arguments: RealTable.allCases)
    func symbolizableSymbols(_ table: RealTable) throws {
        let loaded = try table.load()
        let index = loaded.index
        let reference = loaded.reference
        var mismatches = Mismatches()
        var notSymbolizable: [String] = []
        var absolute: [String] = []
        for symbol in index.symbolsByAddress {
            if symbol.isAbsolute {
                absolute.append(symbol.referenceKey)
                #expect(!symbol.isSymbolizable)
                if let hit = index.symbol(containing: symbol.address) {
                    mismatches.record("absolute \(symbol) resolves to \(hit)")
                }
            }
            guard symbol.isSymbolizable else {
                notSymbolizable.append(symbol.referenceKey)
                continue
            }
            guard let hit = index.symbol(containing: symbol.address) else {
                mismatches.record("\(symbol) is symbolizable but its address does not resolve")
                continue
            }
            if hit.symbol.address != symbol.address || hit.offset != 0 {
                mismatches.record("\(symbol) resolves to \(hit)")
            }
            // The size agrees with the lookup: the last byte resolves to this address, the next does not.
            if let size = symbol.size {
                if size == 0 { mismatches.record("\(symbol) has size 0") }
                let last = index.symbol(containing: symbol.address &+ size &- 1)
                if last?.symbol.address != symbol.address { mismatches.record("\(symbol) size \(size): last byte resolves to \(String(describing: last))") }
                let after = index.symbol(containing: symbol.address &+ size)
                if after?.symbol.address == symbol.address { mismatches.record("\(symbol) size \(size): the byte after resolves to it") }
            } else if let after = index.symbol(containing: symbol.address &+ 1), after.symbol.address == symbol.address {
                mismatches.record("\(symbol) has no size but resolves past its address")
            }
        }
        #expect(mismatches.count == 0)

        // The kernel's rules stated directly, with the marker addresses from the file.
        let markers = reference.markers
        let imageStart = min(markers["_text"] ?? .max, markers["_stext"] ?? .max)
        func inKernelCoverage(_ address: UInt64) -> Bool {
            switch table {
            case .kallsyms618:
                return (address >= markers["_stext"]! && address < markers["_etext"]!)
                    || (address >= markers["_sinittext"]! && address < markers["_einittext"]!)
            case .kallsyms61Modules, .systemMap61:
                return address >= markers["_stext"]! && address < markers["_end"]!
            }
        }
        var ruleMismatches = Mismatches()
        for symbol in index.symbolsByAddress {
            let expected: Bool
            if symbol.module == nil {
                expected = symbol.address >= imageStart && inKernelCoverage(symbol.address)
                if symbol.isAbsolute != (symbol.address < imageStart) { ruleMismatches.record("\(symbol): isAbsolute \(symbol.isAbsolute)") }
            } else {
                expected = !(symbol.type.isAbsolute && symbol.address < 0x1_0000_0000)  // the per-cpu `a` of sctp
            }
            if symbol.isSymbolizable != expected { ruleMismatches.record("\(symbol): isSymbolizable \(symbol.isSymbolizable)") }
        }
        #expect(ruleMismatches.count == 0)

        let expectedNotSymbolizable = reference.symbols.indices.filter { !reference.isSymbolizable($0) }
            .map { reference.symbols[$0].key }
        let expectedAbsolute = reference.symbols.indices.filter { reference.isAbsolute[$0] }
            .map { reference.symbols[$0].key }
        #expect(notSymbolizable.sorted() == expectedNotSymbolizable.sorted())
        #expect(absolute.sorted() == expectedAbsolute.sorted())
        switch table {
        case .kallsyms618:
            #expect(absolute.isEmpty)
            #expect(notSymbolizable.count > 50)  // the __start_/__stop_ markers, _etext, _einittext
        case .kallsyms61Modules:
            #expect(absolute.count == 359)  // 358 per-cpu A, one module a
        case .systemMap61:
            #expect(absolute.count >= 358)
        }
    }

    /// Addresses a test should try: random ones in text, in every module, near
    /// every boundary, just outside every module, in the gaps, and anywhere.
    /// About a thousand: the reference answers each by a scan of every symbol.
    static func sampleAddresses(_ reference: ReferenceModel, seed: UInt64,
                                layout: [String: ReferenceModel.Placement] = [:],
                                modulesOnly: Bool = false) -> [UInt64] {
        var random = SplitMix64(seed: seed)
        var samples: [UInt64] = []
        var spans: [(low: UInt64, high: UInt64)] = []
        for region in reference.regionNames.indices {
            guard let span = reference.span(ofRegion: region) else { continue }
            spans.append(span)
            guard region > 0 else { continue }
            for _ in 0..<6 { samples.append(random.address(in: span.low..<(span.high &+ 1))) }
            for delta: UInt64 in [0, 1, 0x1000] {
                samples.append(span.low &- delta)
                samples.append(span.high &+ delta)
            }
            samples.append(span.low &+ 1)
            if let placement = layout[reference.regionNames[region]!] {
                let end = placement.base &+ placement.size
                for _ in 0..<6 { samples.append(random.address(in: span.high..<end)) }
                for value in [placement.base &- 1, placement.base, end &- 1, end, end &+ 1] {
                    samples.append(value)
                }
            }
        }
        // Gaps between regions.
        spans.sort { $0.low < $1.low }
        for (lower, upper) in zip(spans, spans.dropFirst()) where upper.low > lower.high &+ 1 {
            for _ in 0..<3 { samples.append(random.address(in: (lower.high &+ 1)..<upper.low)) }
        }
        if modulesOnly { return samples }

        samples += [0, 1, 0x1000, 0x34000, .max, .max - 1, 0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000]
        let markers = reference.markers
        if let stext = markers["_stext"], let etext = markers["_etext"], etext > stext {
            for _ in 0..<160 { samples.append(random.address(in: stext..<etext)) }
        }
        if let start = markers["_sinittext"], let end = markers["_einittext"], end > start {
            for _ in 0..<80 { samples.append(random.address(in: start..<end &+ 0x100)) }
        }
        if let text = markers["_text"], let end = markers["_end"] ?? markers["_einittext"], end > text {
            for _ in 0..<150 { samples.append(random.address(in: (text &- 0x10000)..<(end &+ 0x800000))) }
        }
        for value in markers.values {
            for delta: UInt64 in [0, 1, 2, 16] { samples.append(value &+ delta); samples.append(value &- delta) }
        }
        // Symbol addresses and their neighbours.
        for _ in 0..<90 {
            let symbol = reference.symbols[Int(random.next() % UInt64(reference.symbols.count))]
            samples.append(symbol.address)
            samples.append(symbol.address &+ 1)
            samples.append(symbol.address &- 1)
        }
        // Anywhere, and small values (per-cpu offsets).
        for _ in 0..<30 { samples.append(random.next()) }
        for _ in 0..<20 { samples.append(random.next() % 0x100000) }
        if let low = spans.first?.low, let high = spans.last?.high, high > low {
            for _ in 0..<60 { samples.append(random.address(in: low..<high)) }
        }
        return samples
    }

    static func compareSamples(_ loaded: LoadedTable, seed: UInt64,
                               layout: [String: ReferenceModel.Placement] = [:],
                               modulesOnly: Bool = false) -> (checked: Int, mismatches: Int) {
        let samples = sampleAddresses(loaded.reference, seed: seed, layout: layout, modulesOnly: modulesOnly)
        var mismatches = Mismatches()
        var resolved = 0
        for address in samples {
            let expected = loaded.reference.lookup(address)
            let actual = loaded.index.symbol(containing: address)
            if expected != nil { resolved += 1 }
            let actualAnswer = actual.map(ReferenceAnswer.init)
            if actualAnswer != expected {
                mismatches.record("\(loaded.table.rawValue): 0x\(String(address, radix: 16)) → \(actual.map(\.description) ?? "nil") (\(String(describing: actualAnswer))), reference \(expected.map(\.description) ?? "nil") (\(String(describing: expected)))")
            } else if let actual, let expected, actual.description != expected.description {
                mismatches.record("0x\(String(address, radix: 16)): %pS \(actual.description), expected \(expected.description)")
            }
        }
        // The samples must exercise both outcomes a good deal.
        #expect(resolved > samples.count / 4)
        #expect(samples.count - resolved > samples.count / 10)
        return (samples.count, mismatches.count)
    }

    @Test("sampled addresses agree with the reference", arguments: RealTable.allCases)
    func sampledAddresses(_ table: RealTable) throws {
        let loaded = try table.load()
        let result = RealDataTests.compareSamples(loaded, seed: 0x6b61_6c6c ^ UInt64(table.expectedLines))
        #expect(result.mismatches == 0, "\(result.mismatches) of \(result.checked) sampled addresses differ")
    }

    @Test("with /proc/modules, module addresses agree with the reference up to each module's end")
    func sampledAddressesWithModuleLayout() throws {
        let loaded = try RealTable.loadWithModuleLayout()
        let layout = ReferenceModel.parseProcModules(try RealTable.procModulesText.get())
        #expect(layout.count == 28)
        let result = RealDataTests.compareSamples(loaded, seed: 0x6d6f_6475_6c65, layout: layout, modulesOnly: true)
        #expect(result.mismatches == 0, "\(result.mismatches) of \(result.checked) sampled addresses differ")

        // Each module's last symbol now has a size that reaches the module's end.
        var mismatches = Mismatches()
        for region in loaded.reference.regionNames.indices.dropFirst() {
            let name = loaded.reference.regionNames[region]!
            guard let placement = layout[name], let span = loaded.reference.span(ofRegion: region) else {
                mismatches.record("no placement for \(name)")
                continue
            }
            let end = placement.base + placement.size
            let last = loaded.index.symbol(containing: end - 1)
            if last?.symbol.address != span.high || last?.symbol.size != end - span.high || last?.module?.name != name {
                mismatches.record("\(name): end-1 resolves to \(String(describing: last)), expected the symbol at \(String(span.high, radix: 16)) with size \(end - span.high)")
            }
            if let after = loaded.index.symbol(containing: end), after.module?.name == name {
                mismatches.record("\(name): its end resolves to \(after)")
            }
        }
        #expect(mismatches.count == 0)
    }

    @Test("ModuleLayout reads the gzip file the same as the text")
    func moduleLayoutFromFile() throws {
        let fromFile = try ModuleLayout(contentsOf: TestData.path(TestData.modulesFile))
        let fromText = try ModuleLayout(procModules: try RealTable.procModulesText.get())
        #expect(fromFile.placements == fromText.placements)
        #expect(fromFile.placements.count == 28)
        #expect(fromFile.placements.first?.name == "vxlan")
        let xfs = try #require(fromFile.module(named: "xfs"))
        #expect(xfs.base == 0xffff_ffff_c0ca_9000)
        #expect(xfs.size == 1_970_176)
        #expect(fromFile.module(named: "not_loaded") == nil)
    }

    @Test("ModuleLayout rejects lines that are not /proc/modules", arguments: [
        "xfs 1970176 0 - Live",
        "xfs size 0 - Live 0xffffffffc0ca9000",
        "xfs 1970176 0 - Live ffffffffc0ca9000",
        "xfs 1970176 0 - Live 0xzz",
    ])
    func moduleLayoutRejects(_ line: String) {
        let text = "vxlan 106496 0 - Live 0xffffffffc0f01000\n" + line + "\n"
        #expect {
            _ = try ModuleLayout(procModules: Array(text.utf8))
        } throws: { error in
            let error = error as? KallsymsError
            return error?.code == .malformedAuxiliaryFile && error?.line == 2
        }
    }

    struct KnownCase: Sendable, CustomTestStringConvertible {
        var table: RealTable
        var address: UInt64
        var expected: String?
        var testDescription: String { "\(table.rawValue) 0x\(String(address, radix: 16)) → \(expected ?? "nil")" }
    }

    /// Checked by hand against the files.
    static let knownCases: [KnownCase] = [
        // 6.18: the first text symbol; aliases _stext, _text and __pi__text lose to it.
        .init(table: .kallsyms618, address: 0xffff_ffff_8100_0000, expected: "srso_alias_untrain_ret+0x0/0x10"),
        .init(table: .kallsyms618, address: 0xffff_ffff_8100_000f, expected: "srso_alias_untrain_ret+0xf/0x10"),
        .init(table: .kallsyms618, address: 0xffff_ffff_8100_0010, expected: "__entry_text_start+0x0/0x30"),
        .init(table: .kallsyms618, address: 0xffff_ffff_80ff_ffff, expected: nil),
        // Inside __pfx_ padding, and the function after it.
        .init(table: .kallsyms618, address: 0xffff_ffff_8378_3034, expected: "__pfx_debug_kernel+0x4/0x10"),
        .init(table: .kallsyms618, address: 0xffff_ffff_8378_3040, expected: "debug_kernel+0x0/0x20"),
        .init(table: .kallsyms618, address: 0xffff_ffff_8378_305f, expected: "debug_kernel+0x1f/0x20"),
        .init(table: .kallsyms618, address: 0xffff_ffff_8378_3060, expected: "__pfx_quiet_kernel+0x0/0x10"),
        // _sinittext shares its address with __init_begin and __pfx_set_reset_devices.
        .init(table: .kallsyms618, address: 0xffff_ffff_8378_3000, expected: "_sinittext+0x0/0x10"),
        // The ends of the text ranges.
        .init(table: .kallsyms618, address: 0xffff_ffff_8220_9987, expected: "__SCT__tp_func_ma_write+0x7/0x8"),
        .init(table: .kallsyms618, address: 0xffff_ffff_8220_9988, expected: nil),
        .init(table: .kallsyms618, address: 0xffff_ffff_8240_0000, expected: nil),
        .init(table: .kallsyms618, address: 0xffff_ffff_837f_890f, expected: "use_tpause_delay+0x1f/0x20"),
        .init(table: .kallsyms618, address: 0xffff_ffff_837f_8910, expected: nil),
        // The ftrace trampoline: a pseudo-module of unknown size.
        .init(table: .kallsyms618, address: 0xffff_ffff_c020_1000, expected: "ftrace_trampoline+0x0/0x0 [__builtin__ftrace]"),
        .init(table: .kallsyms618, address: 0xffff_ffff_c020_1001, expected: nil),
        // 6.1 with KASLR: vmlinux, per-cpu, the end of the image, a module.
        .init(table: .kallsyms61Modules, address: 0xffff_ffff_a6c0_0000, expected: "startup_64+0x0/0x70"),
        .init(table: .kallsyms61Modules, address: 0x34000, expected: nil),
        .init(table: .kallsyms61Modules, address: 0xffff_ffff_a942_ffff, expected: "__brk_early_pgt_alloc+0xffff/0x10000"),
        .init(table: .kallsyms61Modules, address: 0xffff_ffff_a943_0000, expected: nil),
        .init(table: .kallsyms61Modules, address: 0xffff_ffff_c0f0_1010, expected: "jhash+0x10/0x170 [vxlan]"),
        .init(table: .kallsyms61Modules, address: 0xffff_ffff_c0f1_7884, expected: "qdisc_tx_busylock_key.142+0x0/0x0 [vxlan]"),
        .init(table: .kallsyms61Modules, address: 0xffff_ffff_c0f1_7885, expected: nil),
        // System.map: startup_64 is preferred over _stext and _text listed before it.
        .init(table: .systemMap61, address: 0xffff_ffff_8100_0000, expected: "startup_64+0x0/0x70"),
        .init(table: .systemMap61, address: 0xffff_ffff_8100_0074, expected: "secondary_startup_64+0x4/0x5"),
        .init(table: .systemMap61, address: 0xffff_ffff_8382_ffff, expected: "__brk_early_pgt_alloc+0xffff/0x10000"),
        .init(table: .systemMap61, address: 0xffff_ffff_8383_0000, expected: nil),
        .init(table: .systemMap61, address: 0xe01ef2, expected: nil),
    ]

    @Test("known %pS strings", arguments: knownCases)
    func knownPercentS(_ known: KnownCase) throws {
        let loaded = try known.table.load()
        #expect(loaded.index.symbol(containing: known.address)?.description == known.expected)
        #expect(loaded.reference.lookup(known.address)?.description == known.expected)
    }

    @Test("with /proc/modules a module's last symbol gets its size")
    func knownModuleEnd() throws {
        let loaded = try RealTable.loadWithModuleLayout()
        #expect(loaded.index.symbol(containing: 0xffff_ffff_c0f1_7885)?.description
                == "qdisc_tx_busylock_key.142+0x1/0x377c [vxlan]")
        #expect(loaded.index.symbol(containing: 0xffff_ffff_c0f1_b000) == nil)
    }

    @Test("Symbol.description is the kallsyms line")
    func symbolDescription() throws {
        let loaded = try RealTable.kallsyms61Modules.load()
        let jhash = Array(loaded.index.symbols(named: "jhash", inModule: "vxlan"))
        #expect(jhash.map(\.description) == ["ffffffffc0f01000 t jhash\t[vxlan]", "ffffffffc0f0ca80 t jhash\t[vxlan]"])
        let perCPU = Array(loaded.index.symbols(named: "cpu_debug_store"))
        #expect(perCPU.map(\.description) == ["0000000000001000 A cpu_debug_store"])
        #expect(perCPU.first?.isAbsolute == true)
        #expect(perCPU.first?.size == nil)
        let sctp = Array(loaded.index.symbols(named: "sctp_memory_per_cpu_fw_alloc"))
        #expect(sctp.map(\.description) == ["0000000000034000 a sctp_memory_per_cpu_fw_alloc\t[sctp]"])
        #expect(sctp.first?.isAbsolute == true)
        #expect(sctp.first?.module?.name == "sctp")
    }

    @Test("duplicate names are exactly the reference's, with all their symbols", arguments: RealTable.allCases)
    func duplicates(_ table: RealTable) throws {
        let loaded = try table.load()
        let duplicates = loaded.index.duplicateNames()
        let expected = loaded.reference.duplicateNames()
        if let count = table.expectedDuplicateNames { #expect(duplicates.count == count) }
        #expect(duplicates.count == expected.count)
        #expect(duplicates.map(\.name) == expected.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        var mismatches = Mismatches()
        for duplicate in duplicates {
            let keys = (expected[duplicate.name] ?? []).map { loaded.reference.symbols[$0].key }.sorted()
            if duplicate.symbols.map(\.referenceKey).sorted() != keys {
                mismatches.record("\(duplicate.name): \(duplicate.symbols.map(\.description)) vs \(keys)")
            }
            if duplicate.symbols.contains(where: { $0.name != duplicate.name }) {
                mismatches.record("\(duplicate.name) holds other names")
            }
        }
        #expect(mismatches.count == 0)
        if table == .kallsyms618 {
            #expect(duplicates.first(where: { $0.name == "init_once" })?.symbols.count == 12)
            #expect(loaded.index.symbols(named: "init_once").count == 12)
            #expect(loaded.index.symbols(named: "__pfx_init_once").count == 12)
        }
    }

    /// Not on the 6.18 snapshot: statistics() finds duplicates, which takes
    /// seconds there in a debug build, and the duplicates test covers them.
    @Test("statistics add up and match the reference", arguments: [RealTable.kallsyms61Modules, .systemMap61])
    func statistics(_ table: RealTable) throws {
        let loaded = try table.load()
        let reference = loaded.reference
        let statistics = loaded.index.statistics()
        #expect(statistics.symbols == table.expectedLines)
        #expect(statistics.vmlinuxSymbols + statistics.moduleSymbols + statistics.pseudoModuleSymbols == statistics.symbols)
        #expect(statistics.vmlinuxSymbols == reference.symbols.filter { $0.module == nil }.count)
        #expect(statistics.absoluteSymbols == reference.isAbsolute.filter { $0 }.count)
        let unsymbolizable = reference.symbols.indices.filter { !reference.isAbsolute[$0] && !reference.isSymbolizable($0) }.count
        #expect(statistics.unsymbolizableSymbols == unsymbolizable)
        let duplicates = reference.duplicateNames()
        #expect(statistics.duplicateNames == duplicates.count)
        #expect(statistics.symbolsWithDuplicateNames == duplicates.values.reduce(0) { $0 + $1.count })
        #expect(statistics.kernelCoverage == table.expectedCoverage)
        #expect(statistics.foldedPrefixSymbols == 0)  // 6.1 has no __pfx_ symbols
        var byType: [Character: Int] = [:]
        for symbol in reference.symbols { byType[symbol.type, default: 0] += 1 }
        #expect(Dictionary(uniqueKeysWithValues: statistics.byType.map { ($0.type.letter, $0.count) }) == byType)
        var byModule: [String: Int] = [:]
        for symbol in reference.symbols { byModule[symbol.module ?? "", default: 0] += 1 }
        #expect(Dictionary(uniqueKeysWithValues: statistics.byModule.map { ($0.module?.name ?? "", $0.count) }) == byModule)
        switch table {
        case .kallsyms618:
            break
        case .kallsyms61Modules:
            #expect(statistics.modules == 28)
            #expect(statistics.moduleSymbols == 35_557)
        case .systemMap61:
            #expect(statistics.modules == 0)
        }
        #expect(loaded.index.modules.map(\.name) == reference.regionNames.compactMap { $0 })
    }

    /// On a slice (vmlinux and two modules): sorting all 122,000 takes seconds in a debug build.
    @Test("symbolsSortedByName is bytewise by name, then by address")
    func sortedByName() throws {
        let text = try TestData.slice(of: RealTable.kallsyms61Modules.load().text, vmlinuxLines: 5_000, moduleLines: 1_200)
        let index = try SymbolIndex(bytes: text)
        let reference = ReferenceModel(text: text)
        let sorted = index.symbolsSortedByName()
        #expect(sorted.count == reference.symbols.count)
        var mismatches = Mismatches()
        var previous: (name: [UInt8], address: UInt64)?
        for symbol in sorted {
            let current = (name: Array(symbol.name.utf8), address: symbol.address)
            if let previous {
                let ordered = previous.name.lexicographicallyPrecedes(current.name)
                    || (previous.name == current.name && previous.address <= current.address)
                if !ordered { mismatches.record("\(String(decoding: previous.name, as: UTF8.self)) before \(symbol)") }
            }
            previous = current
        }
        #expect(mismatches.count == 0)
        #expect(sorted.map(\.referenceKey).sorted() == reference.symbols.map(\.key).sorted())
    }

    @Test("symbols(named:inModule:) keeps one module's symbols")
    func symbolsInModule() throws {
        let loaded = try RealTable.kallsyms61Modules.load()
        let reference = loaded.reference
        var random = SplitMix64(seed: 0x6e61_6d65)
        var names = ["init_module", "cleanup_module", "__this_module", ".LC0", "jhash", "_stext", "cpu_debug_store"]
        for _ in 0..<200 { names.append(reference.symbols[Int(random.next() % UInt64(reference.symbols.count))].name) }
        let modules = reference.regionNames.map { $0 ?? "vmlinux" }
        var mismatches = Mismatches()
        var keysByName: [String: [ReferenceSymbol]] = [:]
        for symbol in reference.symbols { keysByName[symbol.name, default: []].append(symbol) }
        for name in names {
            for module in modules {
                let expected = (keysByName[name] ?? []).filter { ($0.module ?? "vmlinux") == module }.map(\.key).sorted()
                let actual = loaded.index.symbols(named: name, inModule: module).map(\.referenceKey).sorted()
                if actual != expected { mismatches.record("\(name) in \(module): \(actual) vs \(expected)") }
            }
            #expect(loaded.index.symbols(named: name, inModule: "no_such_module").isEmpty)
        }
        #expect(mismatches.count == 0)
        #expect(loaded.index.symbols(named: ".LC0", inModule: "xfs").count > 1)
    }
}
