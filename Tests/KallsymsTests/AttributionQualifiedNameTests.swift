import Foundation
import Testing
@testable import Kallsyms

typealias Candidate = QualifiedName.Candidate

/// Debian 6.1.0-53's `init_once` functions.
enum InitOnce {
    /// The eight in vmlinux, at their System.map addresses.
    static let vmlinux: [Candidate] = zip(Debian61.initOnceFiles, Debian61.initOnceAddresses).map {
        Candidate(name: "init_once", canonicalFile: $0, address: $1)
    }

    /// All eleven of the KASLR boot (kallsyms-6.1.0-53-cloud-amd64-kaslr-modules.txt),
    /// modules included, in the order that file lists them.
    static let kaslrBoot: [Candidate] = zip(Debian61.initOnceFiles, Debian61.initOnceAddresses).map {
        Candidate(name: "init_once", canonicalFile: $0, address: $1 + 0x25c0_0000)
    } + [
        Candidate(name: "init_once", module: "nfs", canonicalFile: "fs/nfs/inode.c", address: 0xffff_ffff_c095_df00),
        Candidate(name: "init_once", module: "sunrpc", canonicalFile: "net/sunrpc/rpc_pipe.c", address: 0xffff_ffff_c08b_7ab0),
        Candidate(name: "init_once", module: "btrfs", canonicalFile: "fs/btrfs/inode.c", address: 0xffff_ffff_c070_3aa0),
    ]
}

@Suite("Attribution: qualified names")
struct AttributionQualifiedNameTests {
    // MARK: Parsing and printing

    @Test(arguments: [
        ("init_once", nil, "init_once", nil, nil),
        ("ext4:init_once", "ext4", "init_once", nil, nil),
        ("init_once@fs/inode.c", nil, "init_once", "fs/inode.c", nil),
        ("init_once@inode.c", nil, "init_once", "inode.c", nil),
        ("nfs:init_once@inode.c", "nfs", "init_once", "inode.c", nil),
        ("cpumask_weight.constprop.0@cn23xx_vf_device.c#2", nil, "cpumask_weight.constprop.0", "cn23xx_vf_device.c", 2),
        ("ceph_ino_compare#6", nil, "ceph_ino_compare", nil, 6),
        ("ceph:ceph_ino_compare#1", "ceph", "ceph_ino_compare", nil, 1),
        ("__func__.0", nil, "__func__.0", nil, nil),
        ("x86_pmu_enable.cold", nil, "x86_pmu_enable.cold", nil, nil),
        ("$x", nil, "$x", nil, nil),
        ("init_once@fs_inode_c_1203", nil, "init_once", "fs_inode_c_1203", nil),
        ("init_once@/build/reproducible-path/linux-6.1.187/fs/inode.c", nil, "init_once",
         "/build/reproducible-path/linux-6.1.187/fs/inode.c", nil),
        ("inode.c|init_once", nil, "inode.c|init_once", nil, nil),
        ("__builtin__ftrace:ftrace_stub", "__builtin__ftrace", "ftrace_stub", nil, nil),
    ] as [(String, String?, String, String?, Int?)])
    func parsesAndPrintsBack(text: String, module: String?, name: String, path: String?, ordinal: Int?) throws {
        let parsed = try QualifiedName(parsing: text)
        #expect(parsed == QualifiedName(module: module, name: name, path: path, ordinal: ordinal))
        #expect(parsed.description == text)
        #expect(try QualifiedName(parsing: parsed.description) == parsed)
    }

    @Test func literalNameKeepsTheSuffix() throws {
        #expect(try QualifiedName(parsing: "init_once@fs_inode_c_1203#1").literalName == "init_once@fs_inode_c_1203")
        #expect(try QualifiedName(parsing: "nfs:init_once").literalName == "init_once")
    }

    @Test(arguments: [
        ("", 1, "the symbol name is empty"),
        ("init once", 5, "whitespace"),
        ("init_once\t", 10, "whitespace"),
        (":init_once", 1, "module name before \":\" is empty"),
        ("ext4:", 6, "the symbol name is empty"),
        ("ext4:@inode.c", 6, "the symbol name is empty"),
        ("a:b:c", 4, "only one \":\""),
        ("fs/ext4:init_once", 3, "cannot contain \"/\""),
        ("init_once@", 10, "path after \"@\" is empty"),
        ("@inode.c", 1, "the symbol name is empty"),
        ("init_once@fs/inode.c:1203", 21, "leave out line numbers"),
        ("ext4:init_once@fs/ext4/super.c:1441", 31, "leave out line numbers"),
        ("init_once#0", 11, "a number from 1"),
        ("init_once#", 11, "a number from 1"),
        ("init_once#a", 11, "a number from 1"),
        ("init_once#-1", 11, "a number from 1"),
        ("init_once#1234567890", 11, "a number from 1"),
        ("init#once#2", 5, "\"#\" may appear only once"),
        ("#2", 1, "the symbol name is empty"),
    ] as [(String, Int, String)])
    func rejectsMalformedQueries(text: String, column: Int, message: String) {
        do throws(KallsymsError) {
            _ = try QualifiedName(parsing: text, source: "--symbol")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .malformedQuery)
            #expect(error.source == "--symbol")
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.message.contains(message), "\(text): \(error.message)")
            #expect(error.hint?.contains("module:name") == true)
        }
    }

    // MARK: Resolving Debian 6.1's init_once

    @Test func initOnceAtInodeCMatchesThreeFilesInVmlinux() throws {
        let query = try QualifiedName(parsing: "init_once@inode.c")
        let found = query.matchingIndices(in: InitOnce.vmlinux).map { InitOnce.vmlinux[$0].canonicalFile }
        #expect(found == ["fs/inode.c", "fs/proc/inode.c", "fs/hugetlbfs/inode.c"])

        guard case .ambiguous(let matches) = query.resolution(in: InitOnce.vmlinux) else {
            Issue.record("expected an ambiguity"); return
        }
        #expect(matches.map(\.index) == [0, 1, 3])
        #expect(matches.map(\.uniqueName.description)
                == ["init_once@fs/inode.c", "init_once@proc/inode.c", "init_once@hugetlbfs/inode.c"])
    }

    @Test func initOnceAtFsInodeCIsExactlyOne() throws {
        let query = try QualifiedName(parsing: "init_once@fs/inode.c")
        #expect(query.resolution(in: InitOnce.vmlinux) == .unique(0))
        #expect(try query.resolve(in: InitOnce.vmlinux) == 0)
        #expect(try QualifiedName(parsing: "init_once@fs/inode.c").resolve(in: InitOnce.kaslrBoot) == 0)
        #expect(try QualifiedName(parsing: "init_once@/build/reproducible-path/linux-6.1.187/fs/inode.c")
            .resolve(in: InitOnce.vmlinux) == 0)
        #expect(try QualifiedName(parsing: "init_once@mqueue.c").resolve(in: InitOnce.vmlinux) == 4)
    }

    @Test func modulesDisambiguate() throws {
        let candidates = InitOnce.kaslrBoot
        #expect(try QualifiedName(parsing: "nfs:init_once").resolve(in: candidates) == 8)
        #expect(try QualifiedName(parsing: "btrfs:init_once").resolve(in: candidates) == 10)
        #expect(try QualifiedName(parsing: "init_once@inode.c").matchingIndices(in: candidates) == [0, 1, 3, 10, 8])
        #expect(try QualifiedName(parsing: "nfs:init_once@inode.c").resolve(in: candidates) == 8)
        #expect(try QualifiedName(parsing: "xfs:init_once").resolution(in: candidates) == .notFound)

        // As kallmodsyms would annotate it: ext4 is built in, but still a module.
        var annotated = InitOnce.vmlinux
        annotated[2] = Candidate(name: "init_once", module: "ext4", canonicalFile: "fs/ext4/super.c",
                                 address: annotated[2].address)
        #expect(try QualifiedName(parsing: "ext4:init_once").resolve(in: annotated) == 2)
        #expect(QualifiedName.uniqueNames(for: annotated)[2].description == "ext4:init_once")
    }

    @Test func uniqueNamesOfDebianInitOnce() throws {
        #expect(QualifiedName.uniqueNames(for: InitOnce.vmlinux).map(\.description) == [
            "init_once@fs/inode.c", "init_once@proc/inode.c", "init_once@ext4/super.c",
            "init_once@hugetlbfs/inode.c", "init_once@mqueue.c", "init_once@bdev.c",
            "init_once@dax/super.c", "init_once@socket.c",
        ])
        let boot = QualifiedName.uniqueNames(for: InitOnce.kaslrBoot).map(\.description)
        // A module name is shorter than any file that would do.
        #expect(boot.suffix(3) == ["nfs:init_once", "sunrpc:init_once", "btrfs:init_once"])
        #expect(Array(boot.prefix(8)) == QualifiedName.uniqueNames(for: InitOnce.vmlinux).map(\.description))
        try expectRoundTrip(InitOnce.kaslrBoot)
    }

    // MARK: Messages

    @Test func ambiguityListsEveryMatch() throws {
        let query = try QualifiedName(parsing: "init_once@inode.c")
        let error = #expect(throws: KallsymsError.self) { try query.resolve(in: InitOnce.vmlinux, source: "resolve") }
        #expect(error?.code == .ambiguousSymbol)
        #expect(error?.source == "resolve")
        #expect(error?.message == """
            "init_once@inode.c" matches 3 symbols:
              ffffffff8136dad0  init_once@fs/inode.c
              ffffffff813e74f0  init_once@proc/inode.c
              ffffffff81486610  init_once@hugetlbfs/inode.c
            """)
        #expect(error?.hint?.contains("name@dir/file.c") == true)
        #expect(error?.description.hasPrefix("resolve: error: \"init_once@inode.c\" matches 3 symbols:") == true)
    }

    @Test func notFoundListsTheSymbolsOfThatName() throws {
        let wrongFile = #expect(throws: KallsymsError.self) {
            try QualifiedName(parsing: "init_once@fs/nodes.c").resolve(in: InitOnce.vmlinux)
        }
        #expect(wrongFile?.code == .symbolNotFound)
        #expect(wrongFile?.message.hasPrefix("\"init_once@fs/nodes.c\" matches none of the 8 symbols named \"init_once\":\n  ffffffff8136dad0  init_once@fs/inode.c\n") == true)
        #expect(wrongFile?.message.split(separator: "\n").count == 9)

        let noSuchName = #expect(throws: KallsymsError.self) {
            try QualifiedName(parsing: "init_onec").resolve(in: InitOnce.vmlinux)
        }
        #expect(noSuchName?.code == .symbolNotFound)
        #expect(noSuchName?.message == "no symbol is named \"init_onec\"")

        let pastTheEnd = #expect(throws: KallsymsError.self) {
            try QualifiedName(parsing: "init_once@inode.c#4").resolve(in: InitOnce.vmlinux)
        }
        #expect(pastTheEnd?.code == .symbolNotFound)
        #expect(pastTheEnd?.message == """
            "init_once@inode.c#4" asks for match 4, but "init_once@inode.c" matches only 3:
              ffffffff8136dad0  init_once@fs/inode.c
              ffffffff813e74f0  init_once@proc/inode.c
              ffffffff81486610  init_once@hugetlbfs/inode.c
            """)
        #expect(pastTheEnd?.hint == "use one of the names above, or an ordinal from 1 to 3")
    }

    // MARK: Ordinals

    @Test func ordinalsCountInAddressOrder() throws {
        // Given in the file's order (modules newest first), not by address.
        let candidates = InitOnce.kaslrBoot
        #expect(try QualifiedName(parsing: "init_once@inode.c#1").resolve(in: candidates) == 0)
        #expect(try QualifiedName(parsing: "init_once@inode.c#4").resolve(in: candidates) == 10)  // btrfs, lowest module address
        #expect(try QualifiedName(parsing: "init_once@inode.c#5").resolve(in: candidates) == 8)
        #expect(try QualifiedName(parsing: "init_once#9").resolve(in: candidates) == 10)
        #expect(try QualifiedName(parsing: "init_once#11").resolve(in: candidates) == 8)
        #expect(try QualifiedName(parsing: "init_once#12").resolution(in: candidates) == .notFound)
    }

    /// Six out-of-line copies of a static inline from fs/ceph/super.h, all in
    /// [ceph] (their addresses in the KASLR boot), attributed to the header.
    @Test func headerInlinesNeedOrdinals() throws {
        let addresses: [UInt64] = [0xffff_ffff_c05e_c400, 0xffff_ffff_c060_2940, 0xffff_ffff_c060_3a40,
                                   0xffff_ffff_c060_e060, 0xffff_ffff_c061_2cd0, 0xffff_ffff_c061_3cb0]
        let inlines = addresses.reversed().map {
            Candidate(name: "ceph_ino_compare", module: "ceph", canonicalFile: "fs/ceph/super.h", address: $0)
        }
        let names = QualifiedName.uniqueNames(for: inlines).map(\.description)
        #expect(names == (1...6).reversed().map { "ceph_ino_compare#\($0)" })
        try expectRoundTrip(inlines)

        // With a same-named symbol elsewhere, the ordinal follows the
        // shortest form that selects exactly the colliding ones.
        let mixed = inlines + [Candidate(name: "ceph_ino_compare", module: "ceph", canonicalFile: "fs/ceph/inode.c",
                                         address: 0xffff_ffff_c05e_0000)]
        let mixedNames = QualifiedName.uniqueNames(for: mixed).map(\.description)
        #expect(mixedNames.prefix(6) == ArraySlice((1...6).reversed().map { "ceph_ino_compare@super.h#\($0)" }))
        #expect(mixedNames.last == "ceph_ino_compare@inode.c")
        try expectRoundTrip(mixed)

        // Bare STT_FILE names: two different core.c in one module collide.
        let bare = [
            Candidate(name: "probe", module: "mlx5_core", canonicalFile: "core.c", address: 0x2000),
            Candidate(name: "probe", module: "mlx5_core", canonicalFile: "core.c", address: 0x1000),
            Candidate(name: "probe", module: "mlx5_core", canonicalFile: "main.c", address: 0x3000),
            Candidate(name: "probe", module: "xfs", canonicalFile: "core.c", address: 0x4000),
        ]
        #expect(QualifiedName.uniqueNames(for: bare).map(\.description)
                == ["mlx5_core:probe@core.c#2", "mlx5_core:probe@core.c#1", "probe@main.c", "xfs:probe"])
        try expectRoundTrip(bare)
    }

    @Test func symbolsWithoutFileOrModuleGetOrdinals() throws {
        let candidates = [
            Candidate(name: "__func__.0", address: 0x30), Candidate(name: "__func__.0", address: 0x10),
            Candidate(name: "__func__.0", module: "xfs", address: 0x20), Candidate(name: "single", address: 0x40),
        ]
        #expect(QualifiedName.uniqueNames(for: candidates).map(\.description)
                == ["__func__.0#3", "__func__.0#1", "xfs:__func__.0", "single"])
        try expectRoundTrip(candidates)
    }

    // MARK: kas_alias names

    @Test func kasAliasNamesResolveAsNamesFirst() throws {
        // The v4 patch's example: each alias sits at its symbol's address.
        let candidates = [
            Candidate(name: "gic_mask_irq", canonicalFile: "drivers/irqchip/irq-gic.c", address: 0xffff_d156_71e5_05ac),
            Candidate(name: "gic_mask_irq@drivers_irqchip_irq_gic_c_167", canonicalFile: "drivers/irqchip/irq-gic.c",
                      address: 0xffff_d156_71e5_05ac),
            Candidate(name: "gic_mask_irq", canonicalFile: "drivers/irqchip/irq-gic-v3.c", address: 0xffff_d156_71e5_32a4),
            Candidate(name: "gic_mask_irq@drivers_irqchip_irq_gic_v3_c_407", canonicalFile: "drivers/irqchip/irq-gic-v3.c",
                      address: 0xffff_d156_71e5_32a4),
        ]
        #expect(try QualifiedName(parsing: "gic_mask_irq@drivers_irqchip_irq_gic_v3_c_407").resolve(in: candidates) == 3)
        #expect(try QualifiedName(parsing: "gic_mask_irq@irq-gic-v3.c").resolve(in: candidates) == 2)
        #expect(QualifiedName.uniqueNames(for: candidates).map(\.description) == [
            "gic_mask_irq@irq-gic.c", "gic_mask_irq@drivers_irqchip_irq_gic_c_167",
            "gic_mask_irq@irq-gic-v3.c", "gic_mask_irq@drivers_irqchip_irq_gic_v3_c_407",
        ])
        try expectRoundTrip(candidates)

        // Without the alias symbols (another machine's kallsyms), the suffix
        // still finds the file by mangling.
        let plain = [candidates[0], candidates[2]]
        #expect(try QualifiedName(parsing: "gic_mask_irq@drivers_irqchip_irq_gic_v3_c_407").resolve(in: plain) == 1)
        #expect(try QualifiedName(parsing: "init_once@fs_inode_c_1203").resolve(in: InitOnce.vmlinux) == 0)
        #expect(try QualifiedName(parsing: "init_once@fs_hugetlbfs_inode_c_1256").resolve(in: InitOnce.vmlinux) == 3)
        // Exact mangled matches win over ones that only end the same.
        let loose = InitOnce.vmlinux + [Candidate(name: "init_once", canonicalFile: "inode.c", address: 1)]
        #expect(try QualifiedName(parsing: "init_once@fs_inode_c_1203").resolve(in: loose) == 0)
    }

    @Test func filePipeNameQueries() throws {
        #expect(try QualifiedName(parsing: "fs/inode.c|init_once").resolve(in: InitOnce.vmlinux) == 0)
        #expect(try QualifiedName(parsing: "inode.c|init_once").matchingIndices(in: InitOnce.vmlinux) == [0, 1, 3])
    }

    // MARK: Real symbol tables

    /// Every symbol of Debian 6.1's KASLR boot (modules from the annotation,
    /// no files) gets a unique name that resolves back to it.
    @Test(arguments: ["kallsyms-6.1.0-53-cloud-amd64-kaslr-modules.txt.gz", "kallsyms-6.18.44-x86_64.txt.gz"])
    func everyRealSymbolRoundTrips(file: String) throws {
        let path = TestData.path(file)
        guard FileManager.default.fileExists(atPath: path) else { return }
        let bytes = try InputBytes.read(path: path, limit: 64 << 20)
        var candidates: [Candidate] = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 2)
            guard fields.count == 3, let address = UInt64(String(decoding: fields[0], as: UTF8.self), radix: 16) else { continue }
            let rest = fields[2].split(separator: UInt8(ascii: "\t"), maxSplits: 1)
            let module = rest.count > 1 ? AnnotationParser.loadableModule(Array(rest[1])) : nil
            candidates.append(Candidate(name: String(decoding: rest[0], as: UTF8.self), module: module, address: address))
        }
        #expect(candidates.count > 120_000)
        let names = QualifiedName.uniqueNames(for: candidates)
        var groups: [String: [Int]] = [:]
        for index in candidates.indices { groups[candidates[index].name, default: []].append(index) }
        var qualified = 0
        for (_, group) in groups where group.count > 1 {
            let subset = group.map { candidates[$0] }
            for (position, index) in group.enumerated() {
                let query = try QualifiedName(parsing: names[index].description)
                #expect(query == names[index])
                #expect(query.matchingIndices(in: subset) == [position], "\(names[index])")
                qualified += 1
            }
        }
        #expect(qualified > 1000)
        #expect(names.allSatisfy { $0.path == nil })
    }

    /// libceph's functions with files from its DWARF: `build_request` and
    /// `handle_reply` (each in two files) get `@file` names.
    @Test(.enabled(if: Libceph.isAvailable, "libceph test data is missing"))
    func libcephFunctionsWithDWARFFiles() throws {
        let elf = try ELFFile(path: ELFTestPaths.libceph)
        let ranges = try DWARFCompileUnits(elf).ranges()
        var candidates: [Candidate] = []
        for symbol in try elf.symbols().symbols where symbol.type == .function && symbol.isInSection {
            let range = DWARFAddressRange.range(containing: symbol.value, sectionIndex: Int(symbol.sectionIndex), in: ranges)
            let file = range.flatMap { range in range.unitName.map { SourcePath.canonical(unitName: $0, compDir: range.compDir) } }
            candidates.append(Candidate(name: symbol.name, module: "libceph", canonicalFile: file,
                                        address: UInt64(symbol.sectionIndex) << 32 | symbol.value))
        }
        let names = QualifiedName.uniqueNames(for: candidates)
        let byName = Dictionary(grouping: candidates.indices, by: { candidates[$0].name })
        #expect(Set(byName["handle_reply"]!.map { names[$0].description })
                == ["handle_reply@osd_client.c", "handle_reply@auth_none.c"])
        #expect(Set(byName["build_request"]!.map { names[$0].description })
                == ["build_request@auth.c", "build_request@auth_none.c"])
        #expect(try QualifiedName(parsing: "libceph:handle_reply@net/ceph/auth_none.c").resolve(in: candidates)
                == byName["handle_reply"]!.first { candidates[$0].canonicalFile == "net/ceph/auth_none.c" })
        try expectRoundTrip(candidates)
    }

    // MARK: Helpers

    /// Each candidate's unique name, printed and parsed again, picks it and only it.
    func expectRoundTrip(_ candidates: [Candidate], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (index, name) in QualifiedName.uniqueNames(for: candidates).enumerated() {
            let parsed = try QualifiedName(parsing: name.description)
            #expect(parsed == name, sourceLocation: sourceLocation)
            #expect(parsed.matchingIndices(in: candidates) == [index], "\(name)", sourceLocation: sourceLocation)
            #expect(parsed.resolution(in: candidates) == .unique(index), sourceLocation: sourceLocation)
        }
    }

    /// kallmodsyms names object files, not sources: `name@core.c` must still
    /// find the static `foo` compiled into `{amd/core.o}`.
    @Test func kallmodsymsObjectFilesAnswerSourceQueries() throws {
        let index = try makeIndex(goodPrefix + """
            ffffffff81000100 t foo\t{amd/core.o}
            ffffffff81000200 t foo\t{intel/core.o}
            ffffffff81000300 t foo\t[snd] {sound/core/init.o}
            ffffffff81000400 T _etext

            """)
        let amd = try index.symbol(qualifiedName: "foo@amd/core.c")
        #expect(amd.address == 0xffff_ffff_8100_0100)
        #expect(amd.file == "amd/core.o")
        #expect(try index.symbol(qualifiedName: "foo@x86/events/intel/core.c").address == 0xffff_ffff_8100_0200)
        #expect(try index.symbol(qualifiedName: "foo@init.c").address == 0xffff_ffff_8100_0300)
        #expect(try index.symbol(qualifiedName: "snd:foo@core/init.c").address == 0xffff_ffff_8100_0300)
        #expect(try index.symbol(qualifiedName: "amd/core.c|foo") == amd)
        #expect(try index.symbol(qualifiedName: "foo@amd/core.o") == amd)
        do {
            _ = try index.symbol(qualifiedName: "foo@core.c")
            Issue.record("foo@core.c picked one of two")
        } catch {
            #expect(error.code == .ambiguousSymbol)
        }
        #expect(throws: KallsymsError.self) { try index.symbol(qualifiedName: "foo@score.c") }
        // Every symbol's own unique name still resolves back to it.
        for symbol in index.symbols(named: "foo") {
            #expect(try index.symbol(qualifiedName: symbol.qualifiedName) == symbol, "\(symbol.qualifiedName)")
        }
    }
}
