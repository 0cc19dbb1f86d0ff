import Foundation
import Testing
@testable import Kallsyms

/// The real Debian libceph module, inflated once and shared by the tests.
enum Libceph {
    static let bytes: [UInt8]? = try? InputBytes.read(path: ELFTestPaths.libceph, limit: 64 << 20)

    /// The inflated module written to a temporary file, for readelf and for the mmap path.
    static let inflatedPath: String? = {
        guard let bytes else { return nil }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("libceph-\(getpid())-\(UUID().uuidString.prefix(8)).ko").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return nil }
        removeAtExit(path)
        return path
    }()

    static var isAvailable: Bool { bytes != nil }
}

@Suite("ELF reader")
struct ELFReaderTests {
    // MARK: The real module

    @Test(.enabled(if: Libceph.isAvailable, "libceph test data is missing"))
    func libcephHeaderAndSections() throws {
        let elf = try ELFFile(path: ELFTestPaths.libceph)
        #expect(elf.fileClass == .elf64)
        #expect(elf.byteOrder == .littleEndian)
        #expect(elf.type == .relocatable)
        #expect(elf.machine == .x86_64)
        #expect(elf.sections.count == 74)
        let symtab = try #require(elf.section(named: ".symtab"))
        #expect(symtab.index == 71)
        #expect(elf.section(at: Int(symtab.link))?.name == ".strtab")
        let info = try #require(elf.section(named: ".debug_info"))
        #expect(try elf.contents(of: info).count == 0x1fad20)
        #expect(try elf.relocations(for: info)?.count == 141_395)
    }

    @Test(.enabled(if: Libceph.isAvailable, "libceph test data is missing"))
    func libcephDuplicateLocalsHaveDistinctFiles() throws {
        let table = try ELFFile(path: ELFTestPaths.libceph).symbols()
        #expect(table.sectionName == ".symtab")
        #expect(table.symbols.count == 2320)
        #expect(table.fileNames.count == 28)
        for (name, files) in [("build_request", ["auth.c", "auth_none.c"]), ("handle_reply", ["osd_client.c", "auth_none.c"])] {
            let found = table.symbols(named: name)
            #expect(found.count == 2, "\(name)")
            #expect(Set(found.compactMap(\.file)) == Set(files), "\(name)")
            for symbol in found {
                #expect(symbol.binding == .local)
                #expect(symbol.type == .function)
                #expect(symbol.sectionName == ".text")
            }
        }
        // Global symbols carry no file.
        let global = try #require(table.symbols.first { $0.binding == .global && $0.isInSection })
        #expect(global.file == nil)
    }

    @Test(.enabled(if: Libceph.isAvailable && ExternalTool.readelf != nil, "needs readelf and the libceph data"))
    func libcephSymbolsMatchReadelf() throws {
        let path = try #require(Libceph.inflatedPath)
        let ours = try ELFFile(path: path).symbols()
        try expectSymbolsMatchReadelf(ours, path: path)
    }

    @Test(.enabled(if: Libceph.isAvailable, "libceph test data is missing"))
    func mappedFileAndBytesAgree() throws {
        let path = try #require(Libceph.inflatedPath)
        let mapped = try ELFFile(path: path).symbols()
        let inMemory = try ELFFile(bytes: try #require(Libceph.bytes), source: "libceph.ko").symbols()
        #expect(mapped.symbols == inMemory.symbols)
    }

    // MARK: Compiled fixtures

    @Test("fixtures build with the system compiler", .enabled(if: ExternalTool.cc != nil, "no C compiler installed"))
    func fixturesBuild() throws {
        let fixtures = try #require(CFixtures.shared)
        #expect(fixtures.variants.contains { $0.name == "exe-dwarf5" })
        #expect(fixtures.variants.contains { $0.name == "rel-gz" })
        if ExternalTool.clang != nil { #expect(fixtures.variants.contains { $0.name == "clang-rel-dwarf5" }) }
        for reason in fixtures.skipped {
            withKnownIssue("fixture variant not buildable on this machine; its tests are skipped") {
                Issue.record(Comment(rawValue: reason))
            }
        }
    }

    @Test(arguments: CFixtures.variantsOrEmpty)
    func fixtureHelpersHaveTheirFiles(_ variant: CFixtures.Variant) throws {
        let elf = try ELFFile(path: variant.path)
        #expect(elf.fileClass == (variant.is32Bit ? .elf32 : .elf64))
        #expect(elf.type == (variant.isRelocatable ? .relocatable : .executable) || elf.type == .sharedObject)
        let table = try elf.symbols()
        for name in ["helper", "counter"] {
            let found = table.symbols(named: name)
            #expect(found.count == 2, "\(name) in \(variant)")
            #expect(Set(found.compactMap(\.file)) == ["a.c", "b.c"], "\(name) in \(variant)")
            #expect(found.allSatisfy { $0.binding == .local && $0.isInSection })
        }
        // With -ffunction-sections a relocatable object keeps each function in its own `.text.NAME`.
        #expect(table.symbols(named: "helper").allSatisfy { $0.type == .function && $0.sectionName?.hasPrefix(".text") == true })
        #expect(table.symbols(named: "counter").allSatisfy { $0.type == .object && $0.sectionName?.hasPrefix(".bss") == true })
        let fa = try #require(table.symbols(named: "fa").first)
        #expect(fa.binding == .global && fa.file == nil)
    }

    @Test(.enabled(if: ExternalTool.readelf != nil, "readelf is not installed"), arguments: CFixtures.variantsOrEmpty)
    func fixtureSymbolsMatchReadelf(_ variant: CFixtures.Variant) throws {
        try expectSymbolsMatchReadelf(try ELFFile(path: variant.path).symbols(), path: variant.path)
    }

    @Test("compressed sections inflate to what objcopy decompresses",
          .enabled(if: ExternalTool.path("objcopy") != nil, "objcopy is not installed"),
          arguments: CFixtures.variantsOrEmpty.filter { $0.name.hasSuffix("gz") || $0.name.hasSuffix("zdebug") })
    func compressedSectionsInflate(_ variant: CFixtures.Variant) throws {
        let plainPath = variant.path + ".plain"
        let result = try ExternalTool.run(try #require(ExternalTool.path("objcopy")),
                                          ["--decompress-debug-sections", variant.path, plainPath])
        try #require(result.status == 0, "\(result.error)")
        let compressed = try ELFFile(path: variant.path)
        let plain = try ELFFile(path: plainPath)
        var compressedCount = 0
        for section in compressed.sections where section.name.hasPrefix(".debug") || section.name.hasPrefix(".zdebug") {
            if section.isCompressed || section.name.hasPrefix(".zdebug") { compressedCount += 1 }
            let name = section.name.replacingOccurrences(of: ".zdebug", with: ".debug")
            let twin = try #require(plain.section(named: name), "\(name)")
            #expect(try compressed.contents(of: section).copyBytes() == plain.contents(of: twin).copyBytes(), "\(name)")
        }
        #expect(compressedCount >= 3)
    }

    // MARK: Hand-built files: both byte orders, both classes

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func syntheticFiles(is64: Bool, bigEndian: Bool) throws {
        let bytes = SyntheticELF(is64: is64, bigEndian: bigEndian).build()
        let elf = try ELFFile(bytes: bytes, source: "synthetic")
        #expect(elf.fileClass == (is64 ? .elf64 : .elf32))
        #expect(elf.byteOrder == (bigEndian ? .bigEndian : .littleEndian))
        #expect(elf.type == .executable)
        let table = try elf.symbols()
        #expect(table.fileNames == ["x.c", "y.c"])
        let helpers = table.symbols(named: "helper")
        #expect(helpers.map(\.file) == ["x.c", "y.c"])
        #expect(helpers.map(\.value) == [SyntheticELF.textAddress, SyntheticELF.textAddress + 16])
        #expect(helpers.map(\.size) == [16, 8])
        #expect(helpers.allSatisfy { $0.sectionName == ".text" })
        let main = try #require(table.symbols(named: "main").first)
        #expect(main.binding == .global && main.file == nil && main.type == .function)
    }

    @Test func extendedSectionIndex() throws {
        let elf = try ELFFile(bytes: SyntheticELF(is64: true, bigEndian: false, useExtendedIndex: true).build(),
                              source: "synthetic")
        let helpers = try elf.symbols().symbols(named: "helper")
        #expect(helpers.map(\.sectionIndex) == [1, 1])
        #expect(helpers.map(\.sectionName) == [".text", ".text"])
    }

    // MARK: Lying headers

    @Test func rejectsWhatIsNotELF() {
        for (bytes, fragment) in [([UInt8](), "too short"), (Array("hello world".utf8), "not an ELF file"),
                                  ([0x7F, 0x45, 0x4C, 0x46, 3, 1, 1, 0], "EI_CLASS"),
                                  ([0x7F, 0x45, 0x4C, 0x46, 2, 7, 1, 0], "EI_DATA"),
                                  ([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0, 0, 0], "shorter than the 64-byte ELF header")] {
            expectMalformedELF(bytes, containing: fragment)
        }
    }

    @Test func lyingHeaderFields() throws {
        let original = SyntheticELF(is64: true, bigEndian: false).build()
        let elf = try ELFFile(bytes: original, source: "synthetic")
        let table = readUInt64(original, at: 40)
        let symtab = try #require(elf.section(named: ".symtab"))
        let symtabHeader = Int(table) + symtab.index * 64

        var bytes = original
        write(&bytes, at: 40, UInt64(original.count + 100), size: 8)           // e_shoff past EOF
        expectMalformedELF(bytes, containing: "e_shoff")

        bytes = original
        write(&bytes, at: 60, 0xFFFF, size: 2)                                  // e_shnum huge
        expectMalformedELF(bytes, containing: "sections")

        bytes = original
        write(&bytes, at: 58, 12, size: 2)                                      // e_shentsize too small
        expectMalformedELF(bytes, containing: "e_shentsize")

        bytes = original
        write(&bytes, at: 62, 200, size: 2)                                     // e_shstrndx out of range
        expectMalformedELF(bytes, containing: "e_shstrndx")

        bytes = original
        write(&bytes, at: symtabHeader + 24, UInt64(1) << 40, size: 8)          // .symtab offset past EOF
        expectMalformedELF(bytes, containing: "runs past the end of the file", symbols: true)

        bytes = original
        write(&bytes, at: symtabHeader + 32, UInt64(1) << 62, size: 8)          // .symtab size past EOF
        expectMalformedELF(bytes, containing: "runs past the end of the file", symbols: true)

        bytes = original
        write(&bytes, at: symtabHeader + 40, 999, size: 4)                      // sh_link out of range
        expectMalformedELF(bytes, containing: "sh_link is 999", symbols: true)

        bytes = original
        write(&bytes, at: symtabHeader, 0xFFFF_FF00, size: 4)                   // sh_name out of range
        expectMalformedELF(bytes, containing: "sh_name")

        bytes = original
        write(&bytes, at: Int(symtab.offset) + 24, 0x7FFF_FFFF, size: 4)        // st_name out of range
        expectMalformedELF(bytes, containing: "st_name", symbols: true)
    }

    @Test(.enabled(if: CFixtures.variantsOrEmpty.contains { $0.name == "rel-gz" }, "needs the rel-gz fixture"))
    func lyingCompressionHeader() throws {
        let variant = try #require(CFixtures.variantsOrEmpty.first { $0.name == "rel-gz" })
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: variant.path)))
        let elf = try ELFFile(bytes: original, source: variant.name)
        let info = try #require(elf.section(named: ".debug_info"))
        try #require(info.isCompressed)
        let realSize = readUInt64(original, at: Int(info.offset) + 8)
        let cases: [(UInt64, UInt32, KallsymsError.Code, String)] = [
            (UInt64(1) << 40, 1, .malformedELF, "more than zlib can produce"),
            (realSize + 100, 1, .compression, "inflates to \(realSize) bytes"),
            (realSize - 1, 1, .compression, "inflates to more than"),
            (realSize, 2, .compression, "zstd"),
            (realSize, 9, .malformedELF, "unknown compression type"),
        ]
        for (size, kind, code, fragment) in cases {
            var bytes = original
            write(&bytes, at: Int(info.offset), UInt64(kind), size: 4)
            write(&bytes, at: Int(info.offset) + 8, size, size: 8)
            let lying = try ELFFile(bytes: bytes, source: variant.name)
            #expect {
                _ = try lying.contents(of: try #require(lying.section(named: ".debug_info")))
            } throws: { error in
                guard let error = error as? KallsymsError else { return false }
                return error.code == code && error.message.contains(fragment) && error.message.contains(".debug_info")
            }
        }
        // A limit below the real size is refused before inflating.
        let limited = try ELFFile(bytes: original, source: variant.name, inflateLimit: Int(realSize) - 1)
        #expect(throws: KallsymsError.self) { _ = try limited.contents(of: info) }
    }

    // MARK: Fuzzing

    @Test(.enabled(if: Libceph.isAvailable, "libceph test data is missing"))
    func truncatedModuleNeverCrashes() throws {
        let bytes = try #require(Libceph.bytes)
        let elf = try ELFFile(bytes: bytes, source: "libceph.ko")
        // Cut inside the header, the section table and every section's start.
        var cuts = Set([0, 1, 4, 5, 16, 40, 63, 64, bytes.count - 1, bytes.count - 64 * 30])
        for section in elf.sections where section.size > 0 {
            cuts.insert(Int(section.offset) + 1)
            cuts.insert(Int(section.offset + section.size / 2))
        }
        var generator = SeededGenerator(seed: 0x6B61_6C6C)
        for _ in 0..<40 { cuts.insert(Int.random(in: 0..<bytes.count, using: &generator)) }
        var failures = 0
        for cut in cuts.sorted() where cut < bytes.count {
            if let error = exerciseELFAndDWARF(Array(bytes[..<cut]), name: "cut-\(cut)") {
                failures += 1
                #expect(error.code == .malformedELF || error.code == .malformedDWARF || error.code == .compression,
                        "cut at \(cut): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
        // The section header table is at the end: every cut loses it.
        #expect(failures == cuts.filter { $0 < bytes.count }.count)
    }

    @Test(.enabled(if: Libceph.isAvailable, "libceph test data is missing"))
    func corruptedModuleNeverCrashes() throws {
        let original = try #require(Libceph.bytes)
        let elf = try ELFFile(bytes: original, source: "libceph.ko")
        // Flip bytes where readers look: headers, symbols, relocations, debug sections.
        var regions: [Range<Int>] = [0..<64, Int(readUInt64(original, at: 40))..<original.count]
        for name in [".symtab", ".strtab", ".debug_aranges", ".debug_abbrev", ".debug_rnglists", ".rela.debug_info",
                     ".rela.debug_aranges", ".debug_line_str"] {
            if let section = elf.section(named: name) {
                regions.append(Int(section.offset)..<Int(section.offset + min(section.size, 4096)))
            }
        }
        // The top of each of the first units of .debug_info.
        if let info = elf.section(named: ".debug_info") {
            for unit in try DWARFCompileUnits(elf).units().prefix(8) {
                let start = Int(info.offset) + unit.offset
                regions.append(start..<start + 48)
            }
        }
        var generator = SeededGenerator(seed: 42)
        var thrown = 0
        for iteration in 0..<120 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let region = regions.randomElement(using: &generator)!
                bytes[Int.random(in: region, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
            }
            if let error = exerciseELFAndDWARF(bytes, name: "flip-\(iteration)") {
                thrown += 1
                #expect(error.code != .io, "\(error)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(thrown > 0)
    }

    @Test(arguments: CFixtures.variantsOrEmpty.filter(\.hasDebugInfo))
    func corruptedFixturesNeverCrash(_ variant: CFixtures.Variant) throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: variant.path)))
        var generator = SeededGenerator(seed: UInt64(variant.name.utf8.reduce(7) { $0 &* 31 &+ Int($1) }) & 0xFFFF)
        for iteration in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = exerciseELFAndDWARF(bytes, name: "\(variant.name)-\(iteration)")
        }
        for cut in stride(from: 0, to: original.count, by: max(1, original.count / 150)) {
            #expect(exerciseELFAndDWARF(Array(original[..<cut]), name: "\(variant.name)-cut-\(cut)") != nil)
        }
    }
}

// MARK: Helpers

/// Checks every entry of `ours` against `readelf -sW` on the same file,
/// including the file attribution, which is recomputed from readelf's listing.
func expectSymbolsMatchReadelf(_ ours: ELFSymbolTable, path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let readelf = try #require(ExternalTool.readelf)
    let result = try ExternalTool.run(readelf, ["-sW", path])
    try #require(result.status == 0, "readelf failed: \(result.error)")
    let theirs = ReadelfSymbol.parse(result.output, table: ours.sectionName)
    #expect(theirs.count == ours.symbols.count, sourceLocation: sourceLocation)
    var currentFile: String?
    var mismatches = 0
    for (symbol, oracle) in zip(ours.symbols, theirs) {
        var file: String?
        if oracle.binding == "LOCAL" {
            if oracle.type == "FILE" { currentFile = oracle.name.isEmpty ? nil : oracle.name }
            file = currentFile
        }
        let section: String
        switch symbol.sectionIndex {
        case ELFSpecialSection.undefined: section = "UND"
        case ELFSpecialSection.absolute: section = "ABS"
        case ELFSpecialSection.common: section = "COM"
        default: section = String(symbol.sectionIndex)
        }
        // readelf shows a section symbol by its section's name.
        let name = symbol.type == .section && symbol.name.isEmpty ? symbol.sectionName ?? "" : symbol.name
        let same = symbol.index == oracle.index && symbol.value == oracle.value && symbol.size == oracle.size
            && symbol.type.description == oracle.type && symbol.binding.description == oracle.binding
            && section == oracle.section && name == oracle.name && symbol.file == file
        if !same {
            mismatches += 1
            if mismatches <= 5 {
                Issue.record("symbol \(symbol.index): ours \(symbol), readelf \(oracle), file \(file ?? "-")",
                             sourceLocation: sourceLocation)
            }
        }
    }
    #expect(mismatches == 0, sourceLocation: sourceLocation)
}

/// Expects `ELFFile(bytes:)` (or, with `symbols`, reading its symbols) to
/// throw `.malformedELF` with `fragment` in the message.
func expectMalformedELF(_ bytes: [UInt8], containing fragment: String, symbols: Bool = false,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let elf = try ELFFile(bytes: bytes, source: "test.o")
        if symbols { _ = try elf.symbols() }
        Issue.record("no error; expected one about \(fragment)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == .malformedELF, sourceLocation: sourceLocation)
        #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        #expect(error.source == "test.o", sourceLocation: sourceLocation)
    }
}

func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
    (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
}

func write(_ bytes: inout [UInt8], at offset: Int, _ value: UInt64, size: Int) {
    for i in 0..<size { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
}
