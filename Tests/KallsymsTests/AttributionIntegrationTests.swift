import Foundation
import Testing
@testable import Kallsyms

/// Source files and qualified names on real files: the libceph module of the
/// Debian 6.1 KASLR boot, and executables the C compiler builds here.
@Suite("Attribution: files, modules and qualified names on real files")
struct AttributionIntegrationTests {
    static let kaslrDump = TestData.path("kallsyms-6.1.0-53-cloud-amd64-kaslr-modules.txt.gz")
    static let libceph = ELFTestPaths.libceph
    static let moduleSections = TestData.path("module-sections-6.1.0-53-cloud-amd64-kaslr.txt.gz")

    static let attributed: SymbolIndex? = try? SymbolIndex(
        contentsOf: kaslrDump, options: .init(elfFiles: [libceph]))

    @Test("build_request and handle_reply are each in two libceph files")
    func libcephDuplicates() throws {
        let index = try #require(Self.attributed)
        let builds = index.symbols(named: "build_request", inModule: "libceph")
        #expect(builds.count == 2)
        #expect(Set(builds.compactMap(\.file)) == ["net/ceph/auth.c", "net/ceph/auth_none.c"])
        let replies = index.symbols(named: "handle_reply", inModule: "libceph")
        #expect(Set(replies.compactMap(\.file)) == ["net/ceph/osd_client.c", "net/ceph/auth_none.c"])
    }

    @Test("qualified names resolve to exact addresses, and ambiguity lists the candidates")
    func qualifiedNames() throws {
        let index = try #require(Self.attributed)
        let none = try index.symbol(qualifiedName: "build_request@auth_none.c")
        #expect(none.file == "net/ceph/auth_none.c")
        #expect(none.module?.name == "libceph")
        let reply = try index.symbol(qualifiedName: "libceph:handle_reply@net/ceph/osd_client.c")
        #expect(reply.file == "net/ceph/osd_client.c")
        // The `file|name` spelling some tools print picks the same symbols.
        #expect(try index.symbol(qualifiedName: "auth_none.c|build_request") == none)
        #expect(try index.symbol(qualifiedName: "libceph:net/ceph/osd_client.c|handle_reply") == reply)
        #expect(try index.symbol(qualifiedName: "net/ceph/auth.c|build_request").file == "net/ceph/auth.c")
        #expect(throws: KallsymsError.self) { try index.symbol(qualifiedName: "messenger.c|build_request") }
        // Whole trailing components: "client.c" is not "osd_client.c".
        #expect(throws: KallsymsError.self) { try index.symbol(qualifiedName: "handle_reply@client.c") }
        do {
            _ = try index.symbol(qualifiedName: "build_request")
            Issue.record("an ambiguous name resolved")
        } catch {
            #expect(error.code == .ambiguousSymbol)
            #expect(error.message.contains("build_request@auth.c"))
            #expect(error.message.contains("build_request@auth_none.c"))
        }
        // Modules tell apart what files cannot (no DWARF for vmlinux here).
        #expect(try index.symbol(qualifiedName: "nfs:init_once").module?.name == "nfs")
        #expect(throws: KallsymsError.self) { try index.symbol(qualifiedName: "vmlinux:init_once") }
    }

    @Test("every libceph symbol's unique qualified name resolves back to it")
    func uniqueNamesRoundTrip() throws {
        let index = try #require(Self.attributed)
        var checked = 0
        for symbol in index.symbolsByAddress where symbol.module?.name == "libceph" && !symbol.isAbsolute {
            let name = symbol.qualifiedName
            #expect(try index.symbol(qualifiedName: name) == symbol, "\(name)")
            checked += 1
        }
        #expect(checked > 1500)
    }

    @Test("section load addresses the attribution derives agree with /sys/module/libceph/sections")
    func sectionsAgreeWithTheKernel() throws {
        // An independent oracle: every attributed .text symbol must sit at the
        // kernel's own load address of .text plus its offset in the .ko.
        let sections = try TestData.gunzip(path: Self.moduleSections)
        var textBase: UInt64?
        for line in String(decoding: sections, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, fields[0] == "libceph", fields[1] == ".text" {
                textBase = UInt64(fields[2].dropFirst(2), radix: 16)
            }
        }
        let base = try #require(textBase)
        let elf = try ELFFile(path: Self.libceph)
        let table = try elf.symbols()
        let index = try #require(Self.attributed)
        var compared = 0
        for symbol in table.symbols where symbol.sectionName == ".text" && symbol.type == .function && symbol.file != nil {
            let matches = index.symbols(named: symbol.name, inModule: "libceph").filter { $0.address == base + symbol.value }
            #expect(matches.count == 1, "\(symbol.name)")
            if let match = matches.first {
                #expect(match.file?.hasSuffix(symbol.file!) == true, "\(symbol.name): \(match.file ?? "nil") vs \(symbol.file!)")
                compared += 1
            }
        }
        // libceph's .text holds 255 local functions; the other locals sit in .init.text and .exit.text.
        #expect(compared > 200)
    }

    @Test("a .ko of a module that is not in the table is a clear error")
    func moduleNotLoaded() throws {
        let sixEighteen = TestData.path("kallsyms-6.18.44-x86_64.txt.gz")
        do {
            _ = try SymbolIndex(contentsOf: sixEighteen, options: .init(elfFiles: [Self.libceph]))
            Issue.record("attributing a module that is not loaded succeeded")
        } catch {
            #expect(error.code == .malformedELF)
            #expect(error.message.contains("libceph"))
        }
    }

    // MARK: - C fixtures

    /// `nm -n` of a fixture executable: the System.map a kernel build writes.
    static func systemMap(of path: String, slide: UInt64 = 0) throws -> [UInt8] {
        let nm = try #require(ExternalTool.path("nm"))
        let result = try ExternalTool.run(nm, ["-n", path])
        try #require(result.status == 0)
        var lines: [String] = []
        for line in result.output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let address = UInt64(fields[0], radix: 16) else { continue }
            let shifted = String(address &+ slide, radix: 16)
            lines.append(String(repeating: "0", count: 16 - shifted.count) + shifted + " \(fields[1]) \(fields[2])")
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    static var executables: [CFixtures.Variant] {
        CFixtures.variantsOrEmpty.filter { !$0.isRelocatable && !$0.is32Bit }
    }

    @Test("two static helpers in two files get their files, with and without DWARF and KASLR",
          .enabled(if: ExternalTool.path("nm") != nil && !executables.isEmpty),
          arguments: executables)
    func fixtureHelpers(_ variant: CFixtures.Variant) throws {
        for slide: UInt64 in [0, 0x2_0000_0000] {
            let index = try SymbolIndex(bytes: Self.systemMap(of: variant.path, slide: slide),
                                        sourceName: variant.name, options: .init(elfFiles: [variant.path]))
            let helpers = index.symbols(named: "helper")
            #expect(helpers.count == 2)
            // With DWARF the path is the unit's (the fixture directory is absolute,
            // so it stays whole); without it, STT_FILE's bare "a.c".
            let files = helpers.compactMap(\.file)
            #expect(files.count == 2)
            #expect(files.contains { $0.hasSuffix("a.c") } && files.contains { $0.hasSuffix("b.c") }, "\(files)")
            let inA = try index.symbol(qualifiedName: "helper@a.c")
            let inB = try index.symbol(qualifiedName: "helper@b.c")
            #expect(inA != inB)
            // Oracle: the address addr2line puts in a.c is the one in a.c here.
            if variant.hasDebugInfo, let addr2line = ExternalTool.addr2line {
                let result = try ExternalTool.run(addr2line, ["-e", variant.path, "0x" + String(inA.address &- slide, radix: 16)])
                #expect(result.output.contains("a.c"), "\(result.output)")
            }
            for symbol in helpers { #expect(try index.symbol(qualifiedName: symbol.qualifiedName) == symbol) }
        }
    }
}

@Suite("Attribution: modules.builtin.ranges on the 6.18 snapshot")
struct BuiltinRangesIntegrationTests {
    /// A ranges file in the kernel's format, anchored on `_text`, placing
    /// `ext4` over ext4_free_inode..ext4_fill_super and a shared object in two modules.
    static let rangesText = """
        .text 00000000-00000000 = _text
        .text 007ac4a0-00801bb0 ext4
        .text 00801bb0-00801c00 ext4 jbd2
        .init.text 00000000-00000000 = _sinittext
        .init.text 0004b090-0004b100 ext4

        """

    @Test("built-in modules come from modules.builtin.ranges and qualify names")
    func builtinRanges() throws {
        let path = try TestData.temporaryFile(Array(Self.rangesText.utf8), suffix: ".ranges")
        defer { TestData.remove(path) }
        let index = try SymbolIndex(contentsOf: TestData.path(RealTable.kallsyms618.rawValue),
                                    options: .init(builtinModuleRanges: path))
        let freeInode = try #require(index.symbols(named: "ext4_free_inode").first)
        #expect(freeInode.builtinModules == ["ext4"])
        #expect(freeInode.module == nil)
        // The folded padding of ext4_fill_super (ffffffff81801bb0) starts the shared range.
        #expect(index.symbols(named: "__pfx_ext4_fill_super").first?.builtinModules == ["ext4", "jbd2"])
        #expect(try index.symbol(qualifiedName: "ext4:ext4_free_inode") == freeInode)
        // Anchored on _sinittext: ffffffff83783000 + 0x4b090 is ext4_init_fs.
        #expect(index.symbols(named: "ext4_init_fs").first?.builtinModules == ["ext4"])
        // Outside every range: always built in.
        #expect(index.symbols(named: "_stext").first?.builtinModules == [])
        // %pS stays the kernel's: built-in modules are not printed.
        #expect(index.symbol(containing: freeInode.address)?.description.contains("[") == false)
    }

    @Test("a malformed ranges file names its line")
    func malformedRanges() throws {
        let path = try TestData.temporaryFile(Array(".text 00000000-00000000 = _text\n.text zz-10 ext4\n".utf8), suffix: ".ranges")
        defer { TestData.remove(path) }
        do {
            _ = try SymbolIndex(contentsOf: TestData.path(RealTable.kallsyms618.rawValue),
                                options: .init(builtinModuleRanges: path))
            Issue.record("a malformed ranges file was accepted")
        } catch {
            #expect(error.code == .malformedAuxiliaryFile)
            #expect(error.line == 2)
        }
    }
}
