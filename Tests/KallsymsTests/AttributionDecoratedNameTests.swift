import Foundation
import Testing
@testable import Kallsyms

@Suite("Attribution: names that carry a file")
struct AttributionDecoratedNameTests {
    // MARK: kas_alias

    /// The example of the kas_alias v4 patch (2023): two gic_mask_irq, each
    /// with its alias at the same address.
    @Test func kasAliasPatchExample() throws {
        let v2 = try #require(DecoratedSymbolName.decode("gic_mask_irq@drivers_irqchip_irq_gic_c_167"))
        let v3 = try #require(DecoratedSymbolName.decode("gic_mask_irq@drivers_irqchip_irq_gic_v3_c_407"))
        #expect(v3.baseName == "gic_mask_irq")
        #expect(v3.fileHint == .kasAlias(mangled: "drivers_irqchip_irq_gic_v3_c_407"))
        #expect(v3.mangledPath == "drivers_irqchip_irq_gic_v3_c")
        #expect(v3.line == 407)
        #expect(v2.line == 167)

        #expect(v3.matchesMangled(canonicalPath: "drivers/irqchip/irq-gic-v3.c"))
        #expect(!v3.matchesMangled(canonicalPath: "drivers/irqchip/irq-gic.c"))
        #expect(v2.matchesMangled(canonicalPath: "drivers/irqchip/irq-gic.c"))
        #expect(!v2.matchesMangled(canonicalPath: "drivers/irqchip/irq-gic-v3.c"))
        #expect(v3.matches(canonicalPath: "drivers/irqchip/irq-gic-v3.c"))
    }

    @Test func initOnceAliasPicksFsInodeC() throws {
        let alias = try #require(DecoratedSymbolName.decode("init_once@fs_inode_c_1203"))
        #expect(Debian61.initOnceFiles.filter { alias.matchesMangled(canonicalPath: $0) } == ["fs/inode.c"])
        #expect(Debian61.initOnceFiles.filter { alias.mangledMatchIsExact(canonicalPath: $0) } == ["fs/inode.c"])
        let proc = try #require(DecoratedSymbolName.decode("init_once@fs_proc_inode_c_92"))
        #expect(Debian61.initOnceFiles.filter { proc.matchesMangled(canonicalPath: $0) } == ["fs/proc/inode.c"])
    }

    @Test func unstrippedPrefixesMatchAtAnUnderscore() throws {
        // kas_alias could not strip the root (an out-of-tree build): the
        // canonical path is what the alias ends with.
        let alias = try #require(DecoratedSymbolName.decode(
            "init_once@build_reproducible_path_linux_6_1_187_fs_inode_c_1203"))
        #expect(alias.matchesMangled(canonicalPath: "fs/inode.c"))
        #expect(!alias.mangledMatchIsExact(canonicalPath: "fs/inode.c"))
        #expect(!alias.matchesMangled(canonicalPath: "fs/proc/inode.c"))
        // A bare STT_FILE name matches loosely only.
        let short = try #require(DecoratedSymbolName.decode("init_once@fs_inode_c_1203"))
        #expect(short.matchesMangled(canonicalPath: "inode.c"))
        #expect(!short.mangledMatchIsExact(canonicalPath: "inode.c"))
    }

    @Test(arguments: [
        ("schedule@kernel_sched_core_c_6587__discriminator_2_", "kernel_sched_core_c", 6587),
        ("init_once@fs_inode_c__", "fs_inode_c", nil),
        ("x@a_c_1", "a_c", 1),
        ("name_show@drivers_base_core_c_2404", "drivers_base_core_c", 2404),
    ] as [(String, String, Int?)])
    func decodesLineForms(name: String, path: String, line: Int?) throws {
        let decoded = try #require(DecoratedSymbolName.decode(name))
        #expect(decoded.mangledPath == path)
        #expect(decoded.line == line)
    }

    @Test(arguments: [
        "init_once", "init_once@", "@fs_inode_c_1203", "init_once@fs/inode.c", "init_once@inode",
        "init_once@1203", "init_once@_1203", "x@fs_inode_c", "x@fs-inode_c_1", "__func__.0", "x@__",
    ])
    func plainNamesAreNotDecorated(name: String) {
        #expect(DecoratedSymbolName.decode(name) == nil, "\(name)")
    }

    @Test func manglesLikeKasAlias() {
        #expect(DecoratedSymbolName.mangle("drivers/irqchip/irq-gic-v3.c:407") == "drivers_irqchip_irq_gic_v3_c_407")
        #expect(DecoratedSymbolName.mangle("fs/inode.c:1203 (discriminator 2)") == "fs_inode_c_1203__discriminator_2_")
        #expect(DecoratedSymbolName.kasAliasSuffix(canonicalPath: "fs/inode.c", line: 1203) == "fs_inode_c_1203")
        #expect(DecoratedSymbolName.mangle("drivers/net/wireless/ath/ath9k/init.c") == "drivers_net_wireless_ath_ath9k_init_c")
        #expect(DecoratedSymbolName.mangle("café+x") == "café_x")
    }

    // MARK: file|name

    @Test func filePipeName() throws {
        let bare = try #require(DecoratedSymbolName.decode("inode.c|init_once"))
        #expect(bare.baseName == "init_once")
        #expect(bare.fileHint == .path("inode.c"))
        #expect(bare.mangledPath == nil && bare.line == nil)
        #expect(Debian61.initOnceFiles.filter { bare.matches(canonicalPath: $0) }
                == ["fs/inode.c", "fs/proc/inode.c", "fs/hugetlbfs/inode.c"])
        let full = try #require(DecoratedSymbolName.decode("fs/inode.c|init_once"))
        #expect(Debian61.initOnceFiles.filter { full.matches(canonicalPath: $0) } == ["fs/inode.c"])
        #expect(!full.matchesMangled(canonicalPath: "fs/inode.c"))

        #expect(DecoratedSymbolName.decode("|init_once") == nil)
        #expect(DecoratedSymbolName.decode("inode.c|") == nil)
        #expect(DecoratedSymbolName.decode("a|b|c") == nil)
    }
}
