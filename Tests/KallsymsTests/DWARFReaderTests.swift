import Foundation
import Testing
@testable import Kallsyms

@Suite("DWARF compile units")
struct DWARFReaderTests {
    // MARK: The real module

    @Test(.enabled(if: Libceph.isAvailable && ExternalTool.readelf != nil, "needs readelf and the libceph data"))
    func libcephUnitsMatchReadelf() throws {
        let path = try #require(Libceph.inflatedPath)
        let units = try DWARFCompileUnits(try ELFFile(path: path)).units()
        let result = try ExternalTool.run(try #require(ExternalTool.readelf),
                                          ["--debug-dump=info", "--dwarf-depth=1", path])
        try #require(result.status == 0, "readelf failed: \(result.error)")
        let theirs = ReadelfUnit.parse(result.output)
        #expect(units.count == 28)
        #expect(units.map(\.name) == theirs.map(\.name))
        #expect(units.map(\.compDir) == theirs.map(\.compDir))
        #expect(units.map(\.offset) == theirs.map(\.offset))
        #expect(units.allSatisfy { $0.version == 5 && $0.tag == DWARFTag.compileUnit })
    }

    @Test(.enabled(if: Libceph.isAvailable, "libceph test data is missing"))
    func libcephArangesAgreeWithRangeLists() throws {
        let reader = try DWARFCompileUnits(try ELFFile(path: ELFTestPaths.libceph))
        let fromTable = try reader.units()
        let fromDIEs = try reader.units(useAddressRangeTable: false)
        #expect(fromTable.filter { $0.rangeSource == .addressRangeTable }.count >= 27)
        #expect(fromDIEs.allSatisfy { $0.rangeSource != .addressRangeTable })
        for (table, dies) in zip(fromTable, fromDIEs) {
            let key = { (range: DWARFUnitRange) in [UInt64(range.sectionIndex ?? -1), range.lowPC, range.highPC] }
            #expect(table.ranges.map(key).sorted { $0.lexicographicallyPrecedes($1) }
                    == dies.ranges.map(key).sorted { $0.lexicographicallyPrecedes($1) }, "\(table.name ?? "?")")
        }
        // Module ranges are section-relative: .text, .init.text, .exit.text, .text.unlikely.
        let sections = Set(fromTable.flatMap(\.ranges).compactMap(\.sectionIndex))
        #expect(sections == [3, 5, 7, 9])
    }

    @Test(.enabled(if: Libceph.isAvailable, "libceph test data is missing"))
    func libcephFunctionsFallInTheirFilesUnits() throws {
        let elf = try ELFFile(path: ELFTestPaths.libceph)
        let symbols = try elf.symbols()
        let ranges = try DWARFCompileUnits(elf).ranges()
        var checked = 0
        var mismatches: [String] = []
        for symbol in symbols.symbols where symbol.type == .function && symbol.file != nil && symbol.isInSection {
            let range = DWARFAddressRange.range(containing: symbol.value, sectionIndex: Int(symbol.sectionIndex), in: ranges)
            let unitFile = range?.unitName.map { String($0.split(separator: "/").last ?? "") }
            checked += 1
            if unitFile != symbol.file { mismatches.append("\(symbol.name) \(symbol.file ?? "-") \(unitFile ?? "-")") }
        }
        #expect(checked > 300)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")

        for (name, units) in [("build_request", ["net/ceph/auth.c", "net/ceph/auth_none.c"]),
                              ("handle_reply", ["net/ceph/osd_client.c", "net/ceph/auth_none.c"])] {
            let found = symbols.symbols(named: name).compactMap {
                DWARFAddressRange.range(containing: $0.value, sectionIndex: Int($0.sectionIndex), in: ranges)?.unitName
            }
            #expect(Set(found) == Set(units), "\(name)")
        }
    }

    @Test(.enabled(if: Libceph.isAvailable, "libceph test data is missing"))
    func libcephIsFast() throws {
        let path = try #require(Libceph.inflatedPath)
        let clock = ContinuousClock()
        var count = 0
        let elapsed = try clock.measure {
            let elf = try ELFFile(path: path)
            count = try elf.symbols().symbols.count + DWARFCompileUnits(elf).ranges().count
        }
        #expect(count > 2320)
        // Debug builds are several times slower than release; this only catches gross regressions.
        #expect(elapsed < .seconds(2), "took \(elapsed)")
    }

    // MARK: Compiled fixtures

    @Test(arguments: CFixtures.variantsOrEmpty.filter(\.hasDebugInfo))
    func fixtureHelpersAreInTheirUnits(_ variant: CFixtures.Variant) throws {
        let fixtures = try #require(CFixtures.shared)
        let elf = try ELFFile(path: variant.path)
        let reader = try DWARFCompileUnits(elf)
        let units = try reader.units()
        let ours = units.filter { ["a.c", "b.c", "main.c"].contains($0.name) }
        #expect(ours.count == 3, "\(units.map(\.name))")
        #expect(ours.allSatisfy { $0.compDir == fixtures.directory && !$0.ranges.isEmpty })
        let expectedVersion = variant.name.contains("dwarf4") ? 4 : 5
        #expect(ours.allSatisfy { $0.version == expectedVersion })
        // gcc writes .debug_aranges; clang does not, so its units go through DW_AT_ranges
        // (rnglistx, addrx and strx forms in DWARF 5; .debug_ranges in DWARF 4), except
        // main.c, whose one function clang describes with low_pc/high_pc.
        let twoFunctions = ours.filter { $0.name != "main.c" }
        let expectedSource: DWARFCompileUnit.RangeSource = variant.name.hasPrefix("clang") ? .rangeList : .addressRangeTable
        #expect(twoFunctions.allSatisfy { $0.rangeSource == expectedSource }, "\(ours.map(\.rangeSource))")

        let ranges = try reader.ranges()
        let dieRanges = try reader.units(useAddressRangeTable: false)
        let helpers = try elf.symbols().symbols(named: "helper")
        #expect(helpers.count == 2)
        for helper in helpers {
            let section = variant.isRelocatable ? Int(helper.sectionIndex) : nil
            let range = DWARFAddressRange.range(containing: helper.value, sectionIndex: section, in: ranges)
            #expect(range?.unitName == helper.file, "\(helper)")
            #expect(range?.compDir == fixtures.directory)
            // The DIE's own low/high PC agrees with .debug_aranges.
            let unit = dieRanges.first { $0.name == helper.file }
            #expect(unit?.ranges.contains { $0.lowPC <= helper.value && helper.value < $0.highPC
                && $0.sectionIndex == section } == true)
        }
    }

    @Test(.enabled(if: ExternalTool.addr2line != nil, "addr2line is not installed"),
          arguments: CFixtures.variantsOrEmpty.filter { $0.hasDebugInfo && !$0.isRelocatable })
    func fixtureUnitsMatchAddr2line(_ variant: CFixtures.Variant) throws {
        let elf = try ELFFile(path: variant.path)
        let ranges = try DWARFCompileUnits(elf).ranges()
        let functions = try elf.symbols().symbols.filter { $0.type == .function && $0.size > 0 && $0.isInSection }
        let addresses = functions.map { "0x" + String($0.value, radix: 16) }
        let result = try ExternalTool.run(try #require(ExternalTool.addr2line), ["-e", variant.path] + addresses)
        try #require(result.status == 0, "addr2line failed: \(result.error)")
        let lines = result.output.split(separator: "\n")
        try #require(lines.count == functions.count)
        var compared = 0
        for (function, line) in zip(functions, lines) where !line.hasPrefix("??") {
            let file = line.split(separator: ":").first.map { String($0.split(separator: "/").last ?? "") }
            let range = DWARFAddressRange.range(containing: function.value, in: ranges)
            #expect(range?.unitName.map { String($0.split(separator: "/").last ?? "") } == file, "\(function.name)")
            compared += 1
        }
        #expect(compared >= 5)
    }

    @Test(arguments: CFixtures.variantsOrEmpty.filter { !$0.hasDebugInfo })
    func fixtureWithoutDebugInfo(_ variant: CFixtures.Variant) throws {
        let elf = try ELFFile(path: variant.path)
        #expect(!DWARFCompileUnits.hasDebugInfo(elf))
        #expect {
            _ = try DWARFCompileUnits(elf)
        } throws: { error in
            (error as? KallsymsError)?.code == .malformedDWARF
                && (error as? KallsymsError)?.message.contains("no DWARF") == true
        }
    }

    // MARK: Hand-built files

    @Test(arguments: [(false, false, false), (false, true, false), (true, false, false), (true, true, false),
                      (true, false, true), (true, true, true)])
    func syntheticUnits(is64: Bool, bigEndian: Bool, dwarf64: Bool) throws {
        let bytes = SyntheticELF(is64: is64, bigEndian: bigEndian, dwarf64: dwarf64).build()
        let reader = try DWARFCompileUnits(try ELFFile(bytes: bytes, source: "synthetic"))
        for useTable in [true, false] {
            let units = try reader.units(useAddressRangeTable: useTable)
            try #require(units.count == 1)
            let unit = units[0]
            #expect(unit.name == "x.c")
            #expect(unit.compDir == "/src/synthetic")
            #expect(unit.version == 4)
            #expect(unit.rangeSource == (useTable ? .addressRangeTable : .lowAndHighPC))
            #expect(unit.ranges == [DWARFUnitRange(lowPC: SyntheticELF.textAddress, highPC: SyntheticELF.textAddress + 32,
                                                   sectionIndex: nil)])
        }
        let ranges = try reader.ranges()
        #expect(DWARFAddressRange.range(containing: SyntheticELF.textAddress + 31, in: ranges)?.unitName == "x.c")
        #expect(DWARFAddressRange.range(containing: SyntheticELF.textAddress + 32, in: ranges) == nil)
        #expect(DWARFAddressRange.range(containing: SyntheticELF.textAddress - 1, in: ranges) == nil)
    }

    // MARK: Malformed DWARF

    @Test func lyingUnitHeaders() throws {
        let original = SyntheticELF(is64: true, bigEndian: false).build()
        let elf = try ELFFile(bytes: original, source: "synthetic")
        let info = Int(try #require(elf.section(named: ".debug_info")).offset)
        let abbrev = Int(try #require(elf.section(named: ".debug_abbrev")).offset)
        let aranges = Int(try #require(elf.section(named: ".debug_aranges")).offset)

        // unit_length past the section's end.
        expectMalformedDWARF(original, patches: [(info, 0x7FFF_FFFF, 4)], containing: ".debug_info at offset 0x0: unit_length")
        // A reserved unit_length.
        expectMalformedDWARF(original, patches: [(info, 0xFFFF_FFF5, 4)], containing: "reserved")
        // An unknown version.
        expectMalformedDWARF(original, patches: [(info + 4, 9, 2)], containing: "version is 9")
        // An odd address size.
        expectMalformedDWARF(original, patches: [(info + 10, 3, 1)], containing: "address_size is 3")
        // The abbreviation code of the top DIE is not in the table.
        expectMalformedDWARF(original, patches: [(info + 11, 0x7F, 1)], containing: "abbreviation code 127 is missing")
        // The abbreviation table offset is past .debug_abbrev.
        expectMalformedDWARF(original, patches: [(info + 6, 0x1000, 4)], containing: "abbreviation table offset")
        // An attribute form that does not exist.
        expectMalformedDWARF(original, patches: [(abbrev + 4, 0x7F, 1)], containing: "unknown attribute form 0x7f")
        // DW_AT_name points past .debug_str.
        expectMalformedDWARF(original, patches: [(info + 12, 0x1000, 4)], containing: ".debug_str at offset 0x1000")
        // The unit ends in the middle of the top DIE.
        expectMalformedDWARF(original, patches: [(info, 10, 4)], containing: "runs past the end of its unit")
        // An aranges set longer than its section.
        expectMalformedDWARF(original, patches: [(aranges, 0x10000, 4)], containing: ".debug_aranges at offset 0x0")
    }

    @Test(.enabled(if: Libceph.isAvailable, "libceph test data is missing"))
    func lyingModuleUnitHeaders() throws {
        let original = try #require(Libceph.bytes)
        let elf = try ELFFile(bytes: original, source: "libceph.ko")
        let info = Int(try #require(elf.section(named: ".debug_info")).offset)
        expectMalformedDWARF(original, patches: [(info, 0x7FFF_FFF0, 4)], containing: "unit_length 0x7ffffff0")
        // The first DIE's abbreviation code (162, two LEB128 bytes) made 16383.
        expectMalformedDWARF(original, patches: [(info + 12, 0x7FFF, 2)], containing: "abbreviation code 16383 is missing")
    }
}

/// A compile unit DIE as `readelf --debug-dump=info --dwarf-depth=1` prints it.
struct ReadelfUnit {
    var offset: Int
    var name: String?
    var compDir: String?

    static func parse(_ text: String) -> [ReadelfUnit] {
        var units: [ReadelfUnit] = []
        var pendingOffset = 0
        var inside = false
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("Compilation Unit @ offset") {
                let hex = trimmed.split(separator: " ").last.map { $0.hasPrefix("0x") ? $0.dropFirst(2) : $0 } ?? ""
                pendingOffset = Int(hex.trimmingCharacters(in: CharacterSet(charactersIn: ":")), radix: 16) ?? -1
                inside = false
            } else if trimmed.contains("DW_TAG_compile_unit") {
                units.append(ReadelfUnit(offset: pendingOffset))
                inside = true
            } else if trimmed.hasPrefix("<1>") || trimmed.hasPrefix("<0>") {
                inside = false
            } else if inside, let range = trimmed.range(of: "DW_AT_name") ?? trimmed.range(of: "DW_AT_comp_dir") {
                let isName = trimmed[range] == "DW_AT_name"
                let rest = trimmed[range.upperBound...]
                guard let colon = rest.range(of: ": ") else { continue }
                var value = String(rest[colon.upperBound...])
                if value.hasPrefix("("), let close = value.range(of: "): ") { value = String(value[close.upperBound...]) }
                if isName { units[units.count - 1].name = value } else { units[units.count - 1].compDir = value }
            }
        }
        return units
    }
}

/// Patches little-endian values into `original` and expects reading its
/// DWARF to throw `.malformedDWARF` with `fragment` in the message.
func expectMalformedDWARF(_ original: [UInt8], patches: [(Int, UInt64, Int)], containing fragment: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    var bytes = original
    for (offset, value, size) in patches { write(&bytes, at: offset, value, size: size) }
    do {
        let elf = try ELFFile(bytes: bytes, source: "test.o")
        _ = try DWARFCompileUnits(elf).ranges()
        Issue.record("no error; expected one about \(fragment)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == .malformedDWARF, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
    }
}

