import Foundation
import Testing
@testable import Kallsyms

@Suite("Attribution: kallmodsyms annotations")
struct AttributionAnnotationTests {
    // Annotations as the kallmodsyms v10 cover letter shows them, and as
    // /proc/kallsyms prints loaded modules.
    @Test(arguments: [
        ("[xfs]", ["xfs"], nil),
        ("[__builtin__ftrace]", ["__builtin__ftrace"], nil),
        ("[rapl]", ["rapl"], nil),
        ("{core.o}", [], "core.o"),
        ("[liquidio] [liquidio_vf]", ["liquidio", "liquidio_vf"], nil),
        ("[liquidio] [liquidio_vf] {cn23xx_vf_device.o}", ["liquidio", "liquidio_vf"], "cn23xx_vf_device.o"),
        ("[ceph] {fs/ceph/inode.o}", ["ceph"], "fs/ceph/inode.o"),
        ("", [], nil),
        ("  [xfs]\r", ["xfs"], nil),
        ("[liquidio]\t[liquidio_vf]  {cn23xx_vf_device.o} ", ["liquidio", "liquidio_vf"], "cn23xx_vf_device.o"),
    ] as [(String, [String], String?)])
    func parses(text: String, modules: [String], objectFile: String?) throws {
        let annotation = try KallmodsymsAnnotation(parsing: Array(text.utf8))
        #expect(annotation.modules == modules)
        #expect(annotation.objectFile == objectFile)
        // Round trip through the printed form.
        #expect(try KallmodsymsAnnotation(parsing: Array(annotation.description.utf8)) == annotation)
        // The existing lenient reader agrees on well-formed input.
        let trimmed = Array(text.utf8).split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }).joined(separator: [0x20])
        let items = AnnotationParser.items(Array(trimmed))
        #expect(items.filter { !$0.isObject }.map(\.name) == modules)
        #expect(items.first(where: \.isObject)?.name == objectFile)
    }

    @Test func printsLikeKallmodsyms() {
        let annotation = KallmodsymsAnnotation(modules: ["liquidio", "liquidio_vf"], objectFile: "cn23xx_vf_device.o")
        #expect(annotation.description == "[liquidio] [liquidio_vf] {cn23xx_vf_device.o}")
        #expect(KallmodsymsAnnotation().description == "")
    }

    @Test(arguments: [
        ("[xfs", 1, "never closed"),
        ("xfs]", 1, "expected \"[\" or \"{\""),
        ("[]", 1, "empty"),
        ("{}", 1, "empty"),
        ("[a]{b.o}", 4, "expected a space after"),
        ("[a] {b.o} {c.o}", 11, "a second object file {c.o}"),
        ("[a b]", 3, "whitespace"),
        ("[a[b]]", 3, "unexpected \"[\" inside"),
        ("[a} ", 3, "unexpected \"}\" inside"),
        ("[a] x", 5, "expected \"[\" or \"{\""),
    ] as [(String, Int, String)])
    func rejectsMalformedAnnotations(text: String, column: Int, message: String) {
        do throws(KallsymsError) {
            _ = try KallmodsymsAnnotation(parsing: Array(text.utf8), source: "/proc/kallmodsyms", line: 12)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .malformedModule)
            #expect(error.source == "/proc/kallmodsyms")
            #expect(error.line == 12)
            #expect(error.column == column, "\(error)")
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.description.hasPrefix("/proc/kallmodsyms:12:\(column): error:"))
        }
    }

    @Test(arguments: [
        ("{core.o}", "arch/x86/events/amd/core.c", true),
        ("{core.o}", "arch/x86/events/amd/score.c", false),
        ("{amd/core.o}", "arch/x86/events/amd/core.c", true),
        ("{amd/core.o}", "arch/x86/events/intel/core.c", false),
        ("{cn23xx_vf_device.o}", "drivers/net/ethernet/cavium/liquidio/cn23xx_vf_device.c", true),
        ("{entry_64.o}", "arch/x86/entry/entry_64.S", true),
        ("{core.o}", "core.c", true),
        ("{core.o}", "core", true),
        ("{fs/ceph/inode.o}", "fs/ceph/inode.c", true),
        ("{fs/ceph/inode.o}", "fs/inode.c", false),
        // Queries name trailing parts too: shorter than the object's path fits it.
        ("{amd/core.o}", "core.c", true),
        ("{amd/core.o}", "intel/core.c", false),
        ("{fs/ceph/inode.o}", "ceph/inode.c", true),
        ("{.config.o}", ".config", true),
        ("{core.o}", "core.o", false),
    ] as [(String, String, Bool)])
    func objectFilesMatchTheirSources(text: String, path: String, expected: Bool) throws {
        let annotation = try KallmodsymsAnnotation(parsing: Array(text.utf8))
        let object = try #require(annotation.objectFile)
        #expect(SourcePath.Pattern(path).matchesObject(SourcePath.canonical(object)) == expected, "\(text) ~ \(path)")
    }

    /// Every annotation of a real /proc/kallsyms parses, and names the module
    /// the existing reader finds.
    @Test(arguments: ["kallsyms-6.1.0-53-cloud-amd64-kaslr-modules.txt.gz", "kallsyms-6.18.44-x86_64.txt.gz"])
    func realAnnotationsParse(file: String) throws {
        let path = TestData.path(file)
        guard FileManager.default.fileExists(atPath: path) else { return }
        let bytes = try InputBytes.read(path: path, limit: 64 << 20)
        var annotated = 0
        var lineNumber = 0
        var modules: Set<String> = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            lineNumber += 1
            guard let tab = line.firstIndex(of: UInt8(ascii: "\t")) else { continue }
            let text = Array(line[(tab + 1)...])
            let annotation = try KallmodsymsAnnotation(parsing: text, source: file, line: lineNumber)
            #expect(annotation.modules.count == 1 && annotation.objectFile == nil)
            #expect(annotation.modules.first == AnnotationParser.loadableModule(text))
            modules.formUnion(annotation.modules)
            annotated += 1
        }
        if file.contains("6.1.0") {
            #expect(annotated == 35_557)
            #expect(modules.isSuperset(of: ["xfs", "btrfs", "libceph", "ceph", "nfs", "sunrpc"]))
        } else {
            #expect(modules == ["__builtin__ftrace"])
        }
    }
}
