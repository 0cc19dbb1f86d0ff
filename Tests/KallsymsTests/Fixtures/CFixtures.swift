import Foundation
import Synchronization
@testable import Kallsyms

/// The shared real-data file the ELF and attribution tests read.
enum ELFTestPaths {
    static let libceph = TestData.path("libceph-6.1.0-53-cloud-amd64.ko.gz")
}

/// The system tools used as oracles, run with `Process`.
enum ExternalTool {
    /// The full path of an installed tool, or nil.
    static func path(_ name: String) -> String? {
        for directory in ["/usr/bin", "/bin", "/usr/local/bin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static let readelf = path("readelf")
    static let addr2line = path("addr2line")
    static let cc = path("gcc") ?? path("cc")
    /// Swift toolchains ship a clang; it writes the DWARF 5 forms gcc 12 does
    /// not (`strx1`, `addrx`, `rnglistx`) and no `.debug_aranges`.
    static let clang = path("clang") ?? (FileManager.default.isExecutableFile(atPath: "/opt/swift/usr/bin/clang")
        ? "/opt/swift/usr/bin/clang" : nil)

    /// Runs a tool to completion; stdout is returned, stderr is kept apart so
    /// that neither pipe can fill up and stall the child.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in directory: String? = nil)
        throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let errorFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("elf-tests-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorText = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), errorText)
    }
}

/// Test programs compiled by the system C compiler: two files that each
/// define `static int helper(int)` and `static int counter`, built as
/// executables and relocatable objects, with and without DWARF 4/5 and
/// compressed debug sections.
final class CFixtures: Sendable {
    struct Variant: Sendable, CustomStringConvertible {
        let name: String
        let path: String
        let isRelocatable: Bool
        let hasDebugInfo: Bool
        let is32Bit: Bool
        var description: String { name }
    }

    static let sources: [(String, String)] = [
        ("a.c", """
            static int counter;
            static int helper(int x) { counter++; return x * 3 + 1; }
            int fa(int x) { return helper(x) + 2; }

            """),
        ("b.c", """
            static int counter;
            static int helper(int x) { counter += 2; return x - 7; }
            int fb(int x) { return helper(x) * 2; }

            """),
        ("main.c", """
            int fa(int); int fb(int);
            int main(void) { return fa(1) + fb(2); }

            """),
    ]

    /// The directory gcc ran in: every unit's DW_AT_comp_dir.
    let directory: String
    let variants: [Variant]
    /// Why a variant could not be built, for the test log.
    let skipped: [String]

    /// Built once per test run; nil when there is no C compiler.
    static let shared: CFixtures? = try? CFixtures()

    private init() throws {
        guard let cc = ExternalTool.cc else { throw CocoaError(.fileNoSuchFile) }
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("kallsyms-elf-fixtures-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        // gcc records the real path of its working directory.
        let directory = base.resolvingSymlinksInPath().path
        self.directory = directory
        removeAtExit(directory)
        for (name, text) in CFixtures.sources {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        let files = CFixtures.sources.map(\.0)
        var variants: [Variant] = []
        var skipped: [String] = []
        typealias Recipe = (name: String, flags: [String], relocatable: Bool, debug: Bool, m32: Bool)
        var recipes: [Recipe] = [
            ("exe-nodebug", [], false, false, false),
            ("exe-dwarf5", ["-g", "-gdwarf-5"], false, true, false),
            ("exe-dwarf4", ["-g", "-gdwarf-4"], false, true, false),
            ("exe-gz", ["-g", "-gz"], false, true, false),
            ("exe-zdebug", ["-g", "-gz=zlib-gnu"], false, true, false),
            ("rel-nodebug", [], true, false, false),
            ("rel-dwarf5", ["-g", "-gdwarf-5"], true, true, false),
            ("rel-dwarf4", ["-g", "-gdwarf-4"], true, true, false),
            ("rel-gz", ["-g", "-gz"], true, true, false),
            ("rel32-dwarf5", ["-m32", "-g", "-gdwarf-5"], true, true, true),
            ("rel32-dwarf4", ["-m32", "-g", "-gdwarf-4"], true, true, true),
            ("exe32-dwarf4", ["-m32", "-g", "-gdwarf-4"], false, true, true),
        ]
        // Function sections make each unit's code discontiguous, so clang describes it with DW_AT_ranges.
        let clangRecipes: [Recipe] = [
            ("clang-exe-dwarf5", ["-g", "-gdwarf-5", "-ffunction-sections"], false, true, false),
            ("clang-exe-dwarf4", ["-g", "-gdwarf-4", "-ffunction-sections"], false, true, false),
            ("clang-exe-gz", ["-g", "-gdwarf-5", "-gz", "-ffunction-sections"], false, true, false),
            ("clang-rel-dwarf5", ["-g", "-gdwarf-5", "-ffunction-sections"], true, true, false),
            ("clang-rel-dwarf4", ["-g", "-gdwarf-4", "-ffunction-sections"], true, true, false),
        ]
        if ExternalTool.clang != nil { recipes += clangRecipes } else {
            skipped += clangRecipes.map { "\($0.name): no clang installed" }
        }
        for recipe in recipes {
            let compiler = recipe.name.hasPrefix("clang") ? ExternalTool.clang! : cc
            let output = directory + "/" + recipe.name
            var arguments = ["-O0"] + recipe.flags
            if recipe.relocatable {
                arguments += ["-r", "-nostdlib"]
            } else if recipe.m32 {
                // No 32-bit C library is needed: the program calls nothing outside itself.
                arguments += ["-nostdlib", "-static", "-e", "main"]
            }
            arguments += files + ["-o", output]
            let result = try ExternalTool.run(compiler, arguments, in: directory)
            guard result.status == 0 else {
                skipped.append("\(recipe.name): \(compiler) \(arguments.joined(separator: " ")) failed: \(result.error.prefix(200))")
                continue
            }
            variants.append(Variant(name: recipe.name, path: output, isRelocatable: recipe.relocatable,
                                    hasDebugInfo: recipe.debug, is32Bit: recipe.m32))
        }
        self.variants = variants
        self.skipped = skipped
    }

    static var variantsOrEmpty: [Variant] { shared?.variants ?? [] }
}

/// `readelf -sW`, parsed: the independent oracle for the symbol table.
struct ReadelfSymbol: Equatable {
    let index: Int
    let value: UInt64
    let size: UInt64
    let type: String
    let binding: String
    /// "UND", "ABS", "COM" or a section number.
    let section: String
    let name: String

    /// The entries of the `.symtab` (or, failing that, `.dynsym`) listing.
    static func parse(_ text: String, table: String) -> [ReadelfSymbol] {
        var result: [ReadelfSymbol] = []
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("Symbol table '") {
                inside = line.hasPrefix("Symbol table '\(table)'")
                continue
            }
            guard inside else { continue }
            let fields = line.split(separator: " ", maxSplits: 7, omittingEmptySubsequences: true)
            guard fields.count >= 7, fields[0].hasSuffix(":"), let index = Int(fields[0].dropLast()) else { continue }
            let sizeText = String(fields[2])
            let size = sizeText.hasPrefix("0x") ? UInt64(sizeText.dropFirst(2), radix: 16) : UInt64(sizeText)
            result.append(ReadelfSymbol(
                index: index, value: UInt64(fields[1], radix: 16) ?? 0, size: size ?? 0, type: String(fields[3]),
                binding: String(fields[4]), section: String(fields[6]),
                name: fields.count > 7 ? String(fields[7]) : ""))
        }
        return result
    }
}

/// Hand-built ELF files for what the machine's compiler cannot make: big
/// endian, ELF32 without -m32, `SHN_XINDEX`. A text section, two local
/// `helper` symbols after two `STT_FILE` entries, a global, and a DWARF 4
/// compile unit with `.debug_aranges`.
struct SyntheticELF {
    var is64: Bool
    var bigEndian: Bool
    /// Gives the second helper `SHN_XINDEX` and adds `.symtab_shndx`.
    var useExtendedIndex = false
    /// Makes .debug_info 64-bit DWARF (unit_length 0xffffffff).
    var dwarf64 = false

    static let textAddress: UInt64 = 0x40_1000

    private func put(_ value: UInt64, size: Int, into bytes: inout [UInt8]) {
        for i in 0..<size {
            let shift = bigEndian ? (size - 1 - i) * 8 : i * 8
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    func build() -> [UInt8] {
        let word = is64 ? 8 : 4
        // String tables.
        let strtab: [UInt8] = Array("\0x.c\0helper\0y.c\0main\0".utf8)
        let debugStr: [UInt8] = Array("x.c\0".utf8)
        var shstrtab: [UInt8] = [0]
        func addName(_ name: String) -> UInt32 {
            let offset = UInt32(shstrtab.count)
            shstrtab += Array(name.utf8) + [0]
            return offset
        }
        let text = [UInt8](repeating: 0x90, count: 32)

        // Symbols: null, FILE x.c, helper (0x0), FILE y.c, helper (0x10), main (global).
        struct Sym { var name: UInt32; var value: UInt64; var size: UInt64; var info: UInt8; var shndx: UInt16 }
        let textIndex: UInt16 = 1
        let symbols = [
            Sym(name: 0, value: 0, size: 0, info: 0, shndx: 0),
            Sym(name: 1, value: 0, size: 0, info: 0x04, shndx: 0xFFF1),
            Sym(name: 5, value: SyntheticELF.textAddress, size: 16, info: 0x02, shndx: textIndex),
            Sym(name: 12, value: 0, size: 0, info: 0x04, shndx: 0xFFF1),
            Sym(name: 5, value: SyntheticELF.textAddress + 16, size: 8, info: 0x02,
                shndx: useExtendedIndex ? 0xFFFF : textIndex),
            Sym(name: 16, value: SyntheticELF.textAddress + 24, size: 8, info: 0x12, shndx: textIndex),
        ]
        var symtab: [UInt8] = []
        for s in symbols {
            if is64 {
                put(UInt64(s.name), size: 4, into: &symtab)
                symtab.append(s.info); symtab.append(0)
                put(UInt64(s.shndx), size: 2, into: &symtab)
                put(s.value, size: 8, into: &symtab)
                put(s.size, size: 8, into: &symtab)
            } else {
                put(UInt64(s.name), size: 4, into: &symtab)
                put(s.value, size: 4, into: &symtab)
                put(s.size, size: 4, into: &symtab)
                symtab.append(s.info); symtab.append(0)
                put(UInt64(s.shndx), size: 2, into: &symtab)
            }
        }
        var shndx: [UInt8] = []
        for s in symbols { put(s.shndx == 0xFFFF ? UInt64(textIndex) : 0, size: 4, into: &shndx) }

        // DWARF 4: one compile unit with name (strp), comp_dir (string), low_pc (addr), high_pc (data4).
        let abbrev: [UInt8] = [1, 0x11, 0, 0x03, 0x0E, 0x1B, 0x08, 0x11, 0x01, 0x12, 0x06, 0, 0, 0]
        var unit: [UInt8] = []
        let offsetSize = dwarf64 ? 8 : 4
        put(4, size: 2, into: &unit)                        // version
        put(0, size: offsetSize, into: &unit)               // debug_abbrev_offset
        unit.append(UInt8(word))                            // address_size
        unit.append(1)                                      // abbreviation code
        put(0, size: offsetSize, into: &unit)               // DW_AT_name: .debug_str + 0
        unit += Array("/src/synthetic\0".utf8)              // DW_AT_comp_dir
        put(SyntheticELF.textAddress, size: word, into: &unit)  // DW_AT_low_pc
        put(32, size: 4, into: &unit)                       // DW_AT_high_pc (length)
        unit.append(0)
        var info: [UInt8] = []
        if dwarf64 {
            put(0xFFFF_FFFF, size: 4, into: &info)
            put(UInt64(unit.count), size: 8, into: &info)
        } else {
            put(UInt64(unit.count), size: 4, into: &info)
        }
        info += unit

        var aranges: [UInt8] = []
        var set: [UInt8] = []
        put(2, size: 2, into: &set)
        put(0, size: offsetSize, into: &set)
        set.append(UInt8(word)); set.append(0)
        let headerLength = (dwarf64 ? 12 : 4) + set.count
        let padding = (2 * word - headerLength % (2 * word)) % (2 * word)
        set += [UInt8](repeating: 0, count: padding)
        put(SyntheticELF.textAddress, size: word, into: &set); put(32, size: word, into: &set)
        put(0, size: word, into: &set); put(0, size: word, into: &set)
        if dwarf64 { put(0xFFFF_FFFF, size: 4, into: &aranges); put(UInt64(set.count), size: 8, into: &aranges) }
        else { put(UInt64(set.count), size: 4, into: &aranges) }
        aranges += set

        // Layout: header, then each section's bytes, then the section header table.
        struct Section { var name: UInt32; var type: UInt32; var flags: UInt64; var address: UInt64; var data: [UInt8]; var link: UInt32; var info: UInt32; var entrySize: UInt64 }
        var sections: [Section] = [Section(name: 0, type: 0, flags: 0, address: 0, data: [], link: 0, info: 0, entrySize: 0)]
        sections.append(Section(name: addName(".text"), type: 1, flags: 6, address: SyntheticELF.textAddress, data: text, link: 0, info: 0, entrySize: 0))
        let symtabIndex = UInt32(sections.count)
        sections.append(Section(name: addName(".symtab"), type: 2, flags: 0, address: 0, data: symtab, link: symtabIndex + 1, info: 5, entrySize: UInt64(is64 ? 24 : 16)))
        sections.append(Section(name: addName(".strtab"), type: 3, flags: 0, address: 0, data: strtab, link: 0, info: 0, entrySize: 0))
        if useExtendedIndex {
            sections.append(Section(name: addName(".symtab_shndx"), type: 18, flags: 0, address: 0, data: shndx, link: symtabIndex, info: 0, entrySize: 4))
        }
        sections.append(Section(name: addName(".debug_abbrev"), type: 1, flags: 0, address: 0, data: abbrev, link: 0, info: 0, entrySize: 0))
        sections.append(Section(name: addName(".debug_info"), type: 1, flags: 0, address: 0, data: info, link: 0, info: 0, entrySize: 0))
        sections.append(Section(name: addName(".debug_str"), type: 1, flags: 0x30, address: 0, data: debugStr, link: 0, info: 0, entrySize: 1))
        sections.append(Section(name: addName(".debug_aranges"), type: 1, flags: 0, address: 0, data: aranges, link: 0, info: 0, entrySize: 0))
        let shstrndx = sections.count
        let shstrName = addName(".shstrtab")
        sections.append(Section(name: shstrName, type: 3, flags: 0, address: 0, data: shstrtab, link: 0, info: 0, entrySize: 0))

        let headerSize = is64 ? 64 : 52
        var body: [UInt8] = []
        var offsets: [UInt64] = []
        for section in sections {
            while (headerSize + body.count) % 8 != 0 { body.append(0) }
            offsets.append(section.data.isEmpty ? 0 : UInt64(headerSize + body.count))
            body += section.data
        }
        while (headerSize + body.count) % 8 != 0 { body.append(0) }
        let sectionTable = UInt64(headerSize + body.count)

        var file: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, is64 ? 2 : 1, bigEndian ? 2 : 1, 1, 0]
        file += [UInt8](repeating: 0, count: 8)
        put(2, size: 2, into: &file)                         // e_type: EXEC
        put(is64 ? 62 : 3, size: 2, into: &file)             // e_machine
        put(1, size: 4, into: &file)                         // e_version
        put(SyntheticELF.textAddress, size: word, into: &file)  // e_entry
        put(0, size: word, into: &file)                      // e_phoff
        put(sectionTable, size: word, into: &file)           // e_shoff
        put(0, size: 4, into: &file)                         // e_flags
        put(UInt64(headerSize), size: 2, into: &file)
        put(0, size: 2, into: &file); put(0, size: 2, into: &file)
        put(UInt64(is64 ? 64 : 40), size: 2, into: &file)
        put(UInt64(sections.count), size: 2, into: &file)
        put(UInt64(shstrndx), size: 2, into: &file)
        file += body
        for (section, offset) in zip(sections, offsets) {
            put(UInt64(section.name), size: 4, into: &file)
            put(UInt64(section.type), size: 4, into: &file)
            put(section.flags, size: word, into: &file)
            put(section.address, size: word, into: &file)
            put(offset, size: word, into: &file)
            put(UInt64(section.data.count), size: word, into: &file)
            put(UInt64(section.link), size: 4, into: &file)
            put(UInt64(section.info), size: 4, into: &file)
            put(1, size: word, into: &file)
            put(section.entrySize, size: word, into: &file)
        }
        return file
    }
}

/// Paths that the test process deletes when it exits: the shared fixtures
/// live as long as the run, and no test owns them.
private let temporaryPaths = Mutex<[String]>([])

/// Deletes `path` (a file or a whole directory) when the test process exits.
func removeAtExit(_ path: String) {
    let first = temporaryPaths.withLock { paths in
        paths.append(path)
        return paths.count == 1
    }
    if first {
        atexit {
            for path in temporaryPaths.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}

/// A small deterministic generator (SplitMix64), so fuzz cases repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
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

/// Runs everything a caller would do with a file: header, sections, symbols,
/// DWARF units. Returns the error when one is thrown; any other failure
/// (a crash, a hang) fails the whole test run.
func exerciseELFAndDWARF(_ bytes: [UInt8], name: String) -> KallsymsError? {
    do {
        let elf = try ELFFile(bytes: bytes, source: name, inflateLimit: 64 << 20)
        for section in elf.sections { _ = try? elf.contents(of: section) }
        _ = try elf.symbols()
        if DWARFCompileUnits.hasDebugInfo(elf) {
            let units = try DWARFCompileUnits(elf)
            _ = try units.ranges()
            _ = try units.units(useAddressRangeTable: false)
        }
        return nil
    } catch {
        return error
    }
}
