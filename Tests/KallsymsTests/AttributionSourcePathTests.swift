import Foundation
import Testing
@testable import Kallsyms

/// The source files of Debian 6.1's eight vmlinux `init_once` functions, in
/// address order (System.map-6.1.0-53-cloud-amd64; the files follow from the
/// neighbouring symbols: `inode_init_once`, `proc_evict_inode`, `ext4_*`,
/// `hugetlbfs_*`, `mqueue_*`, `bdev_*`, `dax_*`, `sock_*`).
enum Debian61 {
    static let initOnceFiles = [
        "fs/inode.c", "fs/proc/inode.c", "fs/ext4/super.c", "fs/hugetlbfs/inode.c",
        "ipc/mqueue.c", "block/bdev.c", "drivers/dax/super.c", "net/socket.c",
    ]
    static let initOnceAddresses: [UInt64] = [
        0xffff_ffff_8136_dad0, 0xffff_ffff_813e_74f0, 0xffff_ffff_8145_e6e0, 0xffff_ffff_8148_6610,
        0xffff_ffff_8149_be60, 0xffff_ffff_8153_6250, 0xffff_ffff_8171_69f0, 0xffff_ffff_8177_bd80,
    ]
    /// Debian's reproducible build root for this kernel.
    static let root = "/build/reproducible-path/linux-6.1.187"
    /// Its out-of-tree build directory (`O=`).
    static let objtree = "/build/reproducible-path/linux-6.1.187/debian/build/build_amd64_none_cloud-amd64"
}

@Suite("Attribution: source paths")
struct AttributionSourcePathTests {
    // MARK: Normalizing

    @Test(arguments: [
        ("fs//inode.c", "fs/inode.c"),
        ("./fs/./inode.c", "fs/inode.c"),
        ("fs/proc/../inode.c", "fs/inode.c"),
        ("fs/inode.c/", "fs/inode.c"),
        ("../fs/inode.c", "fs/inode.c"),
        ("../../../../fs/inode.c", "fs/inode.c"),
        ("a/../../b.c", "b.c"),
        ("/a/../../b.c", "/b.c"),
        ("//build///linux/./fs/inode.c", "/build/linux/fs/inode.c"),
        ("/", "/"),
        ("", ""),
        (".", ""),
    ])
    func normalizesLexically(input: String, expected: String) {
        #expect(SourcePath.normalize(input) == expected)
    }

    // MARK: DWARF names

    @Test func debianOutOfTreeBuildFromTheRealModule() {
        // DW_AT_name and DW_AT_comp_dir as libceph.ko (Debian 6.1.0-53) holds them.
        #expect(SourcePath.canonical(unitName: "net/ceph/ceph_common.c",
                                     compDir: "debian/build/build_amd64_none_cloud-amd64") == "net/ceph/ceph_common.c")
        #expect(SourcePath.canonical(unitName: "net/ceph/crush/mapper.c",
                                     compDir: "debian/build/build_amd64_none_cloud-amd64") == "net/ceph/crush/mapper.c")
    }

    @Test(arguments: [
        // In-tree build: absolute name under the comp_dir.
        ("/build/reproducible-path/linux-6.1.187/fs/inode.c", Debian61.root),
        // In-tree build: relative name.
        ("fs/inode.c", Debian61.root),
        ("./fs/inode.c", Debian61.root),
        // Out-of-tree build: the name climbs from the object tree to the source tree.
        ("../../../../fs/inode.c", Debian61.objtree),
        ("../../../fs/inode.c", Debian61.objtree),
        // Out-of-tree build with an absolute source tree.
        ("/build/reproducible-path/linux-6.1.187/fs/inode.c", Debian61.objtree),
        // A name relative to the file's own directory.
        ("inode.c", "/build/reproducible-path/linux-6.1.187/fs"),
        ("../inode.c", "/build/reproducible-path/linux-6.1.187/fs/proc"),
    ])
    func dwarfSpellingsOfOneFileAgree(name: String, compDir: String) {
        #expect(SourcePath.canonical(unitName: name, compDir: compDir) == "fs/inode.c")
    }

    @Test func compDirDecidesWhatNamesAloneCannot() {
        // `lib` in the checkout path is a top-level name; only comp_dir (or a
        // source root) tells that the tree starts below it.
        let name = "/home/me/lib/kbuild/fs/inode.c"
        #expect(SourcePath.canonical(name) == "lib/kbuild/fs/inode.c")
        #expect(SourcePath.canonical(unitName: name, compDir: "/home/me/lib/kbuild") == "fs/inode.c")
        #expect(SourcePath.canonical(name, sourceRoot: "/home/me/lib/kbuild/") == "fs/inode.c")
        #expect(SourcePath.canonical(unitName: name, compDir: "/tmp/out", sourceRoot: "/home/me/lib/kbuild") == "fs/inode.c")
        #expect(SourcePath.canonical(unitName: "../kbuild/fs/inode.c", compDir: "/home/me/lib/out",
                                     sourceRoot: "/home/me/lib/kbuild") == "fs/inode.c")
    }

    @Test func dwarfNamesWithoutATree() {
        #expect(SourcePath.canonical(unitName: "inode.c", compDir: "debian/build/build_amd64_none_cloud-amd64") == "inode.c")
        #expect(SourcePath.canonical(unitName: "<built-in>", compDir: Debian61.root) == "<built-in>")
        #expect(SourcePath.canonical(unitName: "/tmp/cc8Hq2xA.c", compDir: "/tmp") == "/tmp/cc8Hq2xA.c")
        #expect(SourcePath.canonical(unitName: "inode.c", compDir: nil) == "inode.c")
        // Generated files of an out-of-tree build live in the object tree, tree-relative.
        #expect(SourcePath.canonical(unitName: "net/ceph/libceph.mod.c", compDir: Debian61.objtree)
                == "net/ceph/libceph.mod.c")
        #expect(SourcePath.canonical(unitName: "\(Debian61.objtree)/net/ceph/libceph.mod.c", compDir: Debian61.objtree)
                == "net/ceph/libceph.mod.c")
    }

    // MARK: Other sources

    @Test(arguments: [
        // STT_FILE names: bare, stay bare.
        ("inode.c", "inode.c"),
        ("libceph.mod.c", "libceph.mod.c"),
        ("entry_64.S", "entry_64.S"),
        (".tmp_vmlinux.kallsyms1.S", ".tmp_vmlinux.kallsyms1.S"),
        ("<built-in>", "<built-in>"),
        // Already tree-relative.
        ("fs/inode.c", "fs/inode.c"),
        ("fs/.tmp_inode.c", "fs/.tmp_inode.c"),
        ("arch/x86/mm/init.c", "arch/x86/mm/init.c"),
        // Relative paths are never searched for a root: this `mm` is arch/x86's.
        ("x86/mm/init.c", "x86/mm/init.c"),
        ("proc/inode.c", "proc/inode.c"),
        // Absolute: a `linux…` directory followed by a top-level one is the root.
        ("/build/reproducible-path/linux-6.1.187/fs/inode.c", "fs/inode.c"),
        ("/build/linux/drivers/net/fs/foo.c", "drivers/net/fs/foo.c"),
        ("/build/linux-6.1.187/include/linux/net/intel/iidc.h", "include/linux/net/intel/iidc.h"),
        ("/usr/src/linux-headers-6.1.0-53-common/include/linux/fs.h", "include/linux/fs.h"),
        ("/usr/src/linux-source-6.1/usr/include/linux/fs.h", "usr/include/linux/fs.h"),
        ("/home/me/linux/linux-6.1/kernel/sched/core.c", "kernel/sched/core.c"),
        ("/srv/linux.git/tools/lib/bpf/libbpf.c", "tools/lib/bpf/libbpf.c"),
        // Absolute, no such directory: the leftmost top-level directory past /usr/src, /var/lib…
        ("/usr/src/kernels/6.1.0-53.el9.x86_64/fs/inode.c", "fs/inode.c"),
        ("/usr/src/kernels/6.1.0-53.el9.x86_64/usr/gen_init_cpio.c", "usr/gen_init_cpio.c"),
        ("/var/lib/sbuild/build/kernel/mm/slub.c", "mm/slub.c"),
        // …where a checkout directory named like a leaf top-level one is skipped.
        ("/home/me/kernel/fs/inode.c", "fs/inode.c"),
        ("/home/me/kernel/kernel/sched/core.c", "kernel/sched/core.c"),
        ("/work/net/drivers/net/virtio_net.c", "drivers/net/virtio_net.c"),
        ("/home/me/kernel/fs/crypto/keyring.c", "fs/crypto/keyring.c"),
        // Nothing tree-like: stays absolute.
        ("/tmp/foo.c", "/tmp/foo.c"),
        ("/build/linux-6.1.187/fs", "/build/linux-6.1.187/fs"),
    ])
    func canonicalizes(input: String, expected: String) {
        #expect(SourcePath.canonical(input) == expected, "\(input)")
    }

    @Test func explicitRootComesFirst() {
        #expect(SourcePath.canonical("/src/tree/lib/k/fs/inode.c", sourceRoot: "/src/tree/lib/k") == "fs/inode.c")
        #expect(SourcePath.canonical("/src/tree/lib/k/fs/inode.c", sourceRoot: "/src/tree/lib/k/") == "fs/inode.c")
        // A root the path is not under is ignored.
        #expect(SourcePath.canonical("/build/linux/fs/inode.c", sourceRoot: "/elsewhere") == "fs/inode.c")
        // The root itself is not a file.
        #expect(SourcePath.canonical("/src/tree", sourceRoot: "/src/tree") == "/src/tree")
    }

    @Test func canonicalIsIdempotent() {
        var generator = SeededGenerator(seed: 0x5eed_0001)
        let pieces = ["fs", "linux", "linux-6.1", "usr", "src", "build", "..", ".", "", "kernel", "mm", "x86",
                      "inode.c", "lib", "a", "tools", "net", "drivers"]
        for _ in 0..<5000 {
            let count = Int.random(in: 1...7, using: &generator)
            var path = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined(separator: "/")
            if Bool.random(using: &generator) { path = "/" + path }
            let once = SourcePath.canonical(path)
            #expect(SourcePath.canonical(once) == once, "\(path) → \(once)")
            #expect(!once.split(separator: "/").contains { $0 == "." || $0 == ".." }, "\(path)")
        }
    }

    /// Generated trees under realistic build roots: every spelling of a file
    /// (absolute, in-tree relative, out-of-tree `../`) gives its tree-relative path.
    @Test func everySpellingUnderRealisticRootsGivesTheTreePath() {
        var generator = SeededGenerator(seed: 0x5eed_0002)
        let roots = [
            Debian61.root,
            "/usr/src/linux-headers-6.1.0-53-common",
            "/home/builder/kernel",
            "/var/lib/sbuild/build/linux-6.1.187",
            "/tmp/linux",
            "/usr/src/kernels/6.1.0-53.el9.x86_64",
            "/build/linux-stable",
        ]
        // Subdirectory names that are not top-level directory names.
        let inner = ["ceph", "proc", "ext4", "x86", "core", "sched", "intel", "ethernet", "crush", "amd", "events"]
        let files = ["inode.c", "super.c", "core.c", "entry_64.S", "rpc_pipe.c", "mapper.c"]
        let tops = SourcePath.topLevelDirectories.map(String.init).sorted()
        for _ in 0..<3000 {
            let root = roots.randomElement(using: &generator)!
            let depth = Int.random(in: 0...3, using: &generator)
            let tree = ([tops.randomElement(using: &generator)!]
                + (0..<depth).map { _ in inner.randomElement(using: &generator)! }
                + [files.randomElement(using: &generator)!]).joined(separator: "/")
            #expect(SourcePath.canonical("\(root)/\(tree)") == tree, "\(root)/\(tree)")
            #expect(SourcePath.canonical(unitName: "\(root)/\(tree)", compDir: root) == tree)
            #expect(SourcePath.canonical(unitName: tree, compDir: root) == tree)
            #expect(SourcePath.canonical(unitName: "../../\(tree)", compDir: "\(root)/debian/build") == tree)
            #expect(SourcePath.canonical(unitName: "\(root)/\(tree)", compDir: "/tmp/objtree") == tree)
        }
    }

    // MARK: Matching

    @Test func debianInitOnceFilesMatchByWholeTrailingComponents() {
        let files = Debian61.initOnceFiles
        #expect(files.filter { SourcePath.matches($0, pattern: "inode.c") }
                == ["fs/inode.c", "fs/proc/inode.c", "fs/hugetlbfs/inode.c"])
        #expect(files.filter { SourcePath.matches($0, pattern: "fs/inode.c") } == ["fs/inode.c"])
        #expect(files.filter { SourcePath.matches($0, pattern: "proc/inode.c") } == ["fs/proc/inode.c"])
        #expect(files.filter { SourcePath.matches($0, pattern: "super.c") } == ["fs/ext4/super.c", "drivers/dax/super.c"])
        #expect(files.filter { SourcePath.matches($0, pattern: "./fs//inode.c") } == ["fs/inode.c"])
        #expect(files.filter { SourcePath.matches($0, pattern: "\(Debian61.root)/fs/inode.c") } == ["fs/inode.c"])
        #expect(files.filter { SourcePath.matches($0, pattern: "fs") }.isEmpty)
    }

    @Test(arguments: [
        ("fs/inode.c", "fs/inode.c", true),
        ("xfs/inode.c", "fs/inode.c", false),
        ("fs/xfs/inode.c", "fs/inode.c", false),
        ("fs/proc/inode.c", "fs/inode.c", false),
        ("fs/nfs/inode.c", "nfs/inode.c", true),
        ("fs/nfs/inode.c", "s/inode.c", false),
        ("fs/nfs/inode.c", "fs/nfs/inode.c", true),
        ("fs/nfs/inode.c", "linux/fs/nfs/inode.c", false),
        ("net/ceph/ceph_hash.c", "hash.c", false),
        ("net/ceph/crush/hash.c", "hash.c", true),
        // Bare STT_FILE names match a bare pattern, not a longer one.
        ("inode.c", "inode.c", true),
        ("inode.c", "fs/inode.c", false),
        // Paths left absolute match by their tail, or whole.
        ("/tmp/foo.c", "foo.c", true),
        ("/tmp/foo.c", "tmp/foo.c", true),
        ("/tmp/foo.c", "/tmp/foo.c", true),
        ("/tmp/foo.c", "/foo.c", false),
        // An absolute pattern names one file.
        ("fs/inode.c", "/build/linux/fs/inode.c", true),
        ("tools/fs/inode.c", "/build/linux/fs/inode.c", false),
        ("fs/inode.c", "", false),
        ("fs/inode.c", "/", false),
        ("fs/inode.c", "./", false),
    ])
    func matches(path: String, pattern: String, expected: Bool) {
        #expect(SourcePath.matches(path, pattern: pattern) == expected, "\(pattern) ~ \(path)")
    }

    @Test func absolutePatternsUseTheSourceRoot() {
        let pattern = SourcePath.Pattern("/home/me/lib/kbuild/fs/inode.c", sourceRoot: "/home/me/lib/kbuild")
        #expect(pattern.matches("fs/inode.c"))
        #expect(!pattern.matches("tools/fs/inode.c"))
        #expect(pattern.description == "fs/inode.c")
        #expect(!SourcePath.Pattern("/home/me/lib/kbuild/fs/inode.c").matches("fs/inode.c"))
        #expect(SourcePath.Pattern("/").isEmpty && !SourcePath.Pattern("inode.c").isEmpty)
    }

    // MARK: The real module

    /// Every DWARF unit of libceph becomes `net/ceph/…`, and every local
    /// function's `STT_FILE` name matches the unit its address falls in.
    @Test(.enabled(if: Libceph.isAvailable, "libceph test data is missing"))
    func libcephDWARFAndSymbolFilesAgree() throws {
        let elf = try ELFFile(path: ELFTestPaths.libceph)
        let units = try DWARFCompileUnits(elf).units()
        let canonicalUnits = units.map { SourcePath.canonical(unitName: $0.name ?? "", compDir: $0.compDir) }
        #expect(canonicalUnits.count == 28)
        #expect(canonicalUnits.allSatisfy { $0.hasPrefix("net/ceph/") }, "\(canonicalUnits)")
        #expect(canonicalUnits == units.map { $0.name ?? "" })
        #expect(canonicalUnits.contains("net/ceph/crush/hash.c"))

        let ranges = try DWARFCompileUnits(elf).ranges()
        var checked = 0
        for symbol in try elf.symbols().symbols where symbol.type == .function && symbol.isInSection {
            guard let file = symbol.file,
                  let range = DWARFAddressRange.range(containing: symbol.value, sectionIndex: Int(symbol.sectionIndex), in: ranges),
                  let unitName = range.unitName else { continue }
            let unit = SourcePath.canonical(unitName: unitName, compDir: range.compDir)
            let pattern = SourcePath.canonical(file)
            #expect(pattern == file, "STT_FILE names are bare: \(file)")
            #expect(SourcePath.matches(unit, pattern: pattern), "\(symbol.name): \(file) vs \(unit)")
            checked += 1
        }
        #expect(checked > 300)
    }
}
