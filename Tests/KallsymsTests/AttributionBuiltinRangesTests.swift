import Foundation
import Testing
@testable import Kallsyms

@Suite("Attribution: modules.builtin.ranges")
struct AttributionBuiltinRangesTests {
    /// Written after the sample in the commit message of "kbuild, kconfig:
    /// generate offset range data for builtin modules" (Kris Van Hees, 2024)
    /// and the format `generate_builtin_ranges.awk` prints (`%s %08x-%08x %s`,
    /// sorted by address, each section's anchor first). `.bss` shows the
    /// generator's fallback anchor: the section's first symbol, at an offset.
    static let sample = """
        .text 00000000-00000000 = _text
        .text 0000baf0-0000cb10 amd_uncore
        .text 0009bd10-0009c8e0 iosf_mbi
        .text 008e6660-008e9630 snd_soc_wcd_mbhc
        .text 008e9630-008ea610 snd_soc_wcd9335 snd_soc_wcd934x snd_soc_wcd938x
        .text 008ea610-008ea780 snd_soc_wcd9335
        .rodata 00000000-00000000 = __start_rodata
        .rodata 00012340-00012400 iosf_mbi
        .data 00000000-00000000 = _sdata
        .data 0000f020-0000f680 amd_uncore
        .bss 00000040-00000040 = initcall_debug
        .bss 00001000-00001040 amd_uncore

        """

    /// Debian 6.1.0-53's anchors: System.map, and the KASLR boot (slide 0x25c00000).
    static let systemMap: [String: UInt64] = [
        "_text": 0xffff_ffff_8100_0000, "__start_rodata": 0xffff_ffff_8200_0000,
        "_sdata": 0xffff_ffff_82a0_0000, "initcall_debug": 0xffff_ffff_832b_0040,
    ]
    static let slide: UInt64 = 0x25c0_0000

    func parsed() throws -> BuiltinModuleRanges {
        try BuiltinModuleRanges(parsing: Array(Self.sample.utf8), source: "modules.builtin.ranges")
    }

    @Test func parsesAnchorsAndRanges() throws {
        let ranges = try parsed()
        #expect(ranges.anchors.map(\.section) == [".text", ".rodata", ".data", ".bss"])
        #expect(ranges.anchors.map(\.symbol) == ["_text", "__start_rodata", "_sdata", "initcall_debug"])
        #expect(ranges.anchors.map(\.offset) == [0, 0, 0, 0x40])
        #expect(ranges.anchors.map(\.line) == [1, 7, 9, 11])
        #expect(ranges.entries.count == 8)
        #expect(ranges.entries[3] == BuiltinModuleRanges.Entry(
            section: ".text", start: 0x8e_9630, end: 0x8e_a610,
            modules: ["snd_soc_wcd9335", "snd_soc_wcd934x", "snd_soc_wcd938x"], line: 5))
        #expect(ranges.sectionsWithoutAnchor.isEmpty)
    }

    @Test func resolvesAgainstTheAnchorSymbols() throws {
        let map = try parsed().resolve { Self.systemMap[$0] }
        let text: UInt64 = 0xffff_ffff_8100_0000
        #expect(map.ranges.count == 8)
        #expect(map.ranges.map(\.start) == map.ranges.map(\.start).sorted())
        #expect(map.ranges.first == BuiltinModuleMap.Range(start: text + 0xbaf0, end: text + 0xcb10, modules: ["amd_uncore"]))

        #expect(map.modules(at: text + 0xbaf0) == ["amd_uncore"])
        #expect(map.modules(at: text + 0xcb0f) == ["amd_uncore"])
        #expect(map.modules(at: text + 0xcb10) == [])  // half-open
        #expect(map.modules(at: text + 0xbaef) == [])
        #expect(map.modules(at: text) == [])
        #expect(map.modules(at: 0) == [])
        #expect(map.modules(at: .max) == [])
        #expect(map.modules(at: text + 0x8e_9700) == ["snd_soc_wcd9335", "snd_soc_wcd934x", "snd_soc_wcd938x"])
        #expect(map.modules(at: text + 0x8e_a610) == ["snd_soc_wcd9335"])
        #expect(map.modules(at: text + 0x8e_9630 - 1) == ["snd_soc_wcd_mbhc"])
        #expect(map.modules(at: 0xffff_ffff_8201_2345) == ["iosf_mbi"])
        #expect(map.modules(at: 0xffff_ffff_82a0_f020) == ["amd_uncore"])
        // .bss: base = initcall_debug - 0x40.
        #expect(map.modules(at: 0xffff_ffff_832b_1000) == ["amd_uncore"])
        #expect(map.modules(at: 0xffff_ffff_832b_0fff) == [])
        #expect(map.range(containing: text + 0xc000)?.modules == ["amd_uncore"])
        #expect(map.range(containing: text + 0xa000) == nil)
    }

    @Test func kaslrMovesEveryRangeByTheSlide() throws {
        let ranges = try parsed()
        let plain = ranges.resolve { Self.systemMap[$0] }
        let slid = ranges.resolve { Self.systemMap[$0].map { $0 + Self.slide } }
        #expect(slid.ranges == plain.ranges.map {
            BuiltinModuleMap.Range(start: $0.start + Self.slide, end: $0.end + Self.slide, modules: $0.modules)
        })
        // _text of the KASLR boot in kallsyms-6.1.0-53-cloud-amd64-kaslr-modules.txt.
        #expect(slid.modules(at: 0xffff_ffff_a6c0_baf0) == ["amd_uncore"])
    }

    @Test func unknownAnchorsLeaveTheirSectionsOut() throws {
        let map = try parsed().resolve { $0 == "_text" ? 0xffff_ffff_8100_0000 : nil }
        #expect(map.ranges.count == 5)
        #expect(map.modules(at: 0xffff_ffff_82a0_f020) == [])
        // An anchor offset larger than the symbol's address cannot place anything.
        #expect(try parsed().resolve { $0 == "initcall_debug" ? 0x10 : nil }.ranges.isEmpty)
    }

    @Test func rangesWithoutAnAnchorAreKeptButUnplaced() throws {
        let text = ".text 00000000-00000000 = _text\n.init.text 00000100-00000200 serio\n.text 00000010-00000020 serio\n"
        let ranges = try BuiltinModuleRanges(parsing: Array(text.utf8))
        #expect(ranges.entries.count == 2)
        #expect(ranges.sectionsWithoutAnchor == [".init.text"])
        #expect(ranges.resolve { _ in 0x1000 }.ranges == [BuiltinModuleMap.Range(start: 0x1010, end: 0x1020, modules: ["serio"])])
    }

    @Test func toleratesCRLFBlankLinesAndWideOffsets() throws {
        let text = "\r\n.text 00000000-00000000 = _text\r\n\n.text  0000baf0-0000cb10\tamd_uncore \r\n.text 100000000-100000010 big\n"
        let ranges = try BuiltinModuleRanges(parsing: Array(text.utf8))
        #expect(ranges.entries.map(\.modules) == [["amd_uncore"], ["big"]])
        #expect(ranges.entries.map(\.line) == [4, 5])
        #expect(ranges.entries[1].start == 0x1_0000_0000)
        #expect(try BuiltinModuleRanges(parsing: [UInt8]()).entries.isEmpty)
    }

    @Test func emptyRangesCoverNothing() throws {
        let text = ".text 00000000-00000000 = _text\n.text 00000100-00000100 empty\n"
        let map = try BuiltinModuleRanges(parsing: Array(text.utf8)).resolve { _ in 0x1000 }
        #expect(map.ranges.isEmpty)
        #expect(map.modules(at: 0x1100) == [])
    }

    // MARK: Errors

    @Test(arguments: [
        ("text 00000000-00000000 = _text", 1, "expected a section name"),
        (".text 00000000-00000000", nil, "expected a section, an offset range and a module name"),
        (".text 0000baf0 amd_uncore", 7, "expected an offset range"),
        (".text 0000baf0-0000zb10 amd_uncore", 7, "expected an offset range"),
        (".text -0000cb10 amd_uncore", 7, "expected an offset range"),
        (".text 0x0000baf0-0000cb10 amd_uncore", 7, "expected an offset range"),
        (".text 00000000000000000-1 amd_uncore", 7, "expected an offset range"),
        (".text 0000cb10-0000baf0 amd_uncore", 7, "end comes before its start"),
        (".text 00000000-00000000 =", 25, "exactly one symbol after \"=\", found 0"),
        (".text 00000000-00000000 = _text _stext", 25, "exactly one symbol"),
        (".text 00000000-00000010 = _text", 7, "two offsets must be equal"),
        (".text 0000baf0-0000cb10 amd_uncore x=y", 36, "unexpected \"=\""),
    ] as [(String, Int?, String)])
    func rejectsMalformedLines(line: String, column: Int?, message: String) {
        let text = ".data 00000000-00000000 = _sdata\n\(line)\n"
        do throws(KallsymsError) {
            _ = try BuiltinModuleRanges(parsing: Array(text.utf8), source: "modules.builtin.ranges")
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.code == .malformedAuxiliaryFile)
            #expect(error.source == "modules.builtin.ranges")
            #expect(error.line == 2)
            #expect(error.column == column, "\(error)")
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.text?.contains(line.prefix(20)) == true)
            #expect(error.description.hasPrefix("modules.builtin.ranges:2:"))
            #expect(error.hint != nil)
        }
    }

    @Test func rejectsASecondAnchorForOneSection() {
        let text = ".text 00000000-00000000 = _text\n.text 0000baf0-0000cb10 amd_uncore\n.text 00000000-00000000 = _stext\n"
        let error = #expect(throws: KallsymsError.self) { try BuiltinModuleRanges(parsing: Array(text.utf8)) }
        #expect(error?.line == 3)
        #expect(error?.message == "second anchor for section .text (the first is on line 1)")
    }

    // MARK: Lookup against a reference

    /// Random ranges, overlapping or not, against a linear scan.
    @Test func lookupAgreesWithALinearScan() {
        var generator = SeededGenerator(seed: 0x5eed_0003)
        for round in 0..<40 {
            var ranges: [BuiltinModuleMap.Range] = []
            let overlapping = round % 2 == 1
            var cursor: UInt64 = 0xffff_ffff_8100_0000
            for index in 0..<Int.random(in: 0...60, using: &generator) {
                let start = overlapping ? cursor + UInt64.random(in: 0...0x400, using: &generator) : cursor
                let end = start + UInt64.random(in: 1...0x800, using: &generator)
                let count = Int.random(in: 1...3, using: &generator)
                ranges.append(.init(start: start, end: end, modules: (0..<count).map { "m\((index + $0) % 7)" }))
                cursor = overlapping ? start : end + UInt64.random(in: 0...0x100, using: &generator)
            }
            ranges.shuffle(using: &generator)
            let map = BuiltinModuleMap(ranges: ranges)
            let sorted = map.ranges
            for _ in 0..<300 {
                let address = 0xffff_ffff_8100_0000 - 8 + UInt64.random(in: 0...(cursor - 0xffff_ffff_8100_0000 + 0x1000), using: &generator)
                var expected: [String] = []
                for range in sorted where range.start <= address && address < range.end {
                    for module in range.modules where !expected.contains(module) { expected.append(module) }
                }
                #expect(map.modules(at: address) == expected, "round \(round) at \(String(address, radix: 16))")
            }
        }
    }
}
