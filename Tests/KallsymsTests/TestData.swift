import Foundation
import Testing
@testable import Kallsyms

/// Where the real kernel symbol tables live, and small helpers to read,
/// compress and stage test input.
///
/// The package root is found by walking up from this file to the directory
/// that holds `Package.swift`; the data is in `<root>/../shared/data`.
enum TestData {
    static let packageRoot: String = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.path
            }
            directory = directory.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath
    }()

    static let dataDirectory: String =
        URL(fileURLWithPath: packageRoot).appendingPathComponent("../shared/data").standardized.path

    static func path(_ file: String) -> String { dataDirectory + "/" + file }

    static let modulesFile = "modules-6.1.0-53-cloud-amd64-kaslr.txt.gz"
    static let debianStubFile = "System.map-6.1.0-53-cloud-amd64.stub"

    // MARK: - Processes and files

    struct ToolFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a program and returns its standard output (standard error is discarded).
    static func run(_ executable: String, _ arguments: [String]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read before waiting: the output is larger than a pipe's buffer.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolFailure(description: "\(executable) \(arguments) exited with \(process.terminationStatus)")
        }
        return [UInt8](data)
    }

    /// Decompresses a gzip file with the system's `gzip`, independently of the library.
    static func gunzip(path: String) throws -> [UInt8] {
        try run("/bin/gzip", ["-dc", path])
    }

    /// Compresses bytes with the system's `gzip`.
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let file = try temporaryFile(bytes, suffix: ".txt")
        defer { remove(file) }
        return try run("/bin/gzip", ["-9nc", file])
    }

    /// Writes bytes to a fresh temporary file; the caller removes it.
    static func temporaryFile(_ bytes: [UInt8], suffix: String = "") throws -> String {
        let path = NSTemporaryDirectory() + "/kallsyms-tests-\(UUID().uuidString)\(suffix)"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw ToolFailure(description: "cannot create \(path)")
        }
        return path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The lines of a text, without their line ends, blank lines kept.
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if result.last?.isEmpty == true { result.removeLast() }
        return result
    }

    /// The first `vmlinuxLines` lines and the first `moduleLines` module lines of a table.
    static func slice(of text: [UInt8], vmlinuxLines: Int, moduleLines: Int) -> [UInt8] {
        let all = lines(text)
        let firstModule = all.firstIndex { $0.contains(UInt8(ascii: "\t")) } ?? all.count
        return join(all.prefix(min(vmlinuxLines, firstModule)) + all[firstModule...].prefix(moduleLines))
    }

    static func join(_ lines: some Sequence<ArraySlice<UInt8>>) -> [UInt8] {
        var result: [UInt8] = []
        for line in lines {
            result.append(contentsOf: line)
            result.append(UInt8(ascii: "\n"))
        }
        return result
    }
}

/// A small, fast, fixed-seed pseudo-random generator (SplitMix64), so every
/// run samples the same addresses and applies the same mutations.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `range`, with 64-bit ranges handled.
    mutating func address(in range: Range<UInt64>) -> UInt64 {
        precondition(!range.isEmpty)
        return range.lowerBound &+ next() % (range.upperBound &- range.lowerBound)
    }
}

// MARK: - The real tables

/// The three real symbol tables of `../shared/data`, with what the README says about them.
enum RealTable: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case kallsyms618 = "kallsyms-6.18.44-x86_64.txt.gz"
    case kallsyms61Modules = "kallsyms-6.1.0-53-cloud-amd64-kaslr-modules.txt.gz"
    case systemMap61 = "System.map-6.1.0-53-cloud-amd64.gz"

    var testDescription: String { rawValue }
    var path: String { TestData.path(rawValue) }

    /// Line count, from the README.
    var expectedLines: Int {
        switch self {
        case .kallsyms618: return 122_133
        case .kallsyms61Modules: return 122_813
        case .systemMap61: return 87_270
        }
    }

    /// Text-only for 6.18 (no CONFIG_KALLSYMS_ALL), the whole image for the 6.1 tables.
    var expectedCoverage: KernelCoverage {
        self == .kallsyms618 ? .textOnly : .wholeImage
    }

    /// Names held by more than one symbol, where the README states it.
    var expectedDuplicateNames: Int? {
        switch self {
        case .kallsyms618: return 621
        case .kallsyms61Modules: return 1_442
        case .systemMap61: return nil
        }
    }

    /// Loads (once per test process) the text, the index and the reference model.
    func load() throws -> LoadedTable {
        switch self {
        case .kallsyms618: return try RealTable.loaded618.get()
        case .kallsyms61Modules: return try RealTable.loaded61.get()
        case .systemMap61: return try RealTable.loadedMap.get()
        }
    }

    /// The 6.1 KASLR dump's modules (and its first 2,000 vmlinux lines)
    /// indexed with `/proc/modules` of the same boot.
    static func loadWithModuleLayout() throws -> LoadedTable { try loaded61WithLayout.get() }

    private static let loaded618 = Result { try LoadedTable(.kallsyms618, withModuleLayout: false) }
    private static let loaded61 = Result { try LoadedTable(.kallsyms61Modules, withModuleLayout: false) }
    private static let loadedMap = Result { try LoadedTable(.systemMap61, withModuleLayout: false) }
    private static let loaded61WithLayout = Result { try LoadedTable(.kallsyms61Modules, withModuleLayout: true) }

    /// `/proc/modules` of the 6.1 boot, decompressed by the system's gzip.
    static let procModulesText = Result { try TestData.gunzip(path: TestData.path(TestData.modulesFile)) }
}

/// Hands the reference model back from the thread that built it.
private final class ReferenceBox: @unchecked Sendable {
    var model: ReferenceModel?
}

/// One real table, read both ways: by the library and by the reference model.
final class LoadedTable: Sendable {
    let table: RealTable
    /// The decompressed text (by the system's gzip, not the library).
    let text: [UInt8]
    let index: SymbolIndex
    let reference: ReferenceModel

    init(_ table: RealTable, withModuleLayout: Bool) throws {
        self.table = table
        if withModuleLayout {
            // The modules and the start of vmlinux: enough for module lookups,
            // and a third of the time to index in a debug build.
            let base = try table.load()
            text = TestData.slice(of: base.text, vmlinuxLines: 2_000, moduleLines: .max)
            let layoutText = try RealTable.procModulesText.get()
            let layout = try ModuleLayout(procModules: layoutText)
            index = try SymbolIndex(bytes: text, sourceName: "kaslr-modules-slice", options: .init(moduleLayout: layout))
            reference = ReferenceModel(symbols: ReferenceModel.parse(text),
                                       moduleLayout: ReferenceModel.parseProcModules(layoutText))
        } else {
            let text = try TestData.gunzip(path: table.path)
            self.text = text
            // The reference reads the text on another thread while the library
            // indexes the file: each takes seconds in a debug build.
            let box = ReferenceBox()
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                box.model = ReferenceModel(symbols: ReferenceModel.parse(text))
                done.signal()
            }
            let built = Result { () throws(KallsymsError) -> SymbolIndex in try SymbolIndex(contentsOf: table.path) }
            done.wait()
            index = try built.get()
            reference = box.model!
        }
    }
}

// MARK: - Comparing the library with the reference

extension ReferenceAnswer {
    /// The library's answer in the reference's terms.
    init(_ match: SymbolOffset) {
        self.init(name: match.symbol.name, address: match.symbol.address, size: match.symbol.size,
                  offset: match.offset, module: match.symbol.module?.name)
    }
}

extension Symbol {
    /// Address, type, name and module: the same as ``ReferenceSymbol/key``.
    var referenceKey: String {
        String(address, radix: 16) + " " + String(type.letter) + " " + name + (module.map { "\t[\($0.name)]" } ?? "")
    }
}
