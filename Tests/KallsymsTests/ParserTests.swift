import Foundation
import Testing
@testable import Kallsyms
#if canImport(Glibc)
import Glibc
#endif

/// Builds an index from text, strictly unless told otherwise.
func makeIndex(_ text: String, lenient: Bool = false, source: String = "<memory>") throws(KallsymsError) -> SymbolIndex {
    try SymbolIndex(bytes: Array(text.utf8), sourceName: source, options: .init(lenient: lenient))
}

/// The error building an index from `bytes` throws, or nil when it builds.
func buildError(_ bytes: [UInt8], lenient: Bool = false, source: String = "<memory>",
                options: SymbolIndex.Options? = nil) -> KallsymsError? {
    do {
        _ = try SymbolIndex(bytes: bytes, sourceName: source, options: options ?? .init(lenient: lenient))
        return nil
    } catch {
        return error
    }
}

func buildError(_ text: String, lenient: Bool = false, source: String = "<memory>") -> KallsymsError? {
    buildError(Array(text.utf8), lenient: lenient, source: source)
}

extension String {
    /// Four hex digits, zero-padded.
    fileprivate var leftPadded: String { String(repeating: "0", count: max(0, 4 - count)) + self }
}

/// Five good lines to put before a line under test, so that it is line 6 and
/// the input is long enough not to look binary because of one control byte.
let goodPrefix = """
    ffffffff81000000 T _stext
    ffffffff81000000 T _text
    ffffffff81000010 T first_function
    ffffffff81000040 t second_function
    ffffffff81000080 W third_function

    """

// MARK: - Lines

@Suite("Parser: lines")
struct ParserLineTests {
    @Test("every nm type letter is accepted", arguments: Array("AaBbCcDdGgiINnpRrSsTtUuVvWw-?"))
    func everyTypeLetter(_ letter: Character) throws {
        let index = try makeIndex(goodPrefix + "ffffffff81000100 \(letter) symbol_under_test\n")
        #expect(index.count == 6)
        let symbol = try #require(index.symbols(named: "symbol_under_test").first)
        #expect(symbol.type.letter == letter)
        #expect(symbol.type == SymbolType(letter))
        #expect(symbol.description == "ffffffff81000100 \(letter) symbol_under_test")
    }

    @Test("an unknown type letter is an error naming line and column", arguments: ["X", "Z", "1", "x", "e", "!", "~", "TT", "Tt"])
    func unknownTypeLetter(_ letter: String) throws {
        let error = try #require(buildError(goodPrefix + "ffffffff81000100 \(letter) foo\n"))
        #expect(error.code == .unknownType)
        #expect(error.line == 6)
        #expect(error.column == 18)
        #expect(error.text?.contains(letter) == true)
        #expect(error.hint != nil)
    }

    @Test("8-digit (32-bit) addresses")
    func eightDigitAddresses() throws {
        let index = try makeIndex("c1000000 T _stext\nc1000000 T _text\nc1000010 T foo\nc1000030 t bar\nc1000040 T _etext\n")
        #expect(index.count == 5)
        #expect(index.symbols(named: "foo").first?.address == 0xc100_0010)
        #expect(index.symbols(named: "foo").first?.description == "c1000010 T foo")
        #expect(index.symbol(containing: 0xc100_0004)?.description == "_stext+0x4/0x10")
        #expect(index.symbol(containing: 0xc100_0031)?.description == "bar+0x1/0x10")
        #expect(index.symbol(containing: 0xc100_0040) == nil)
    }

    @Test("16-digit (64-bit) addresses")
    func sixteenDigitAddresses() throws {
        let index = try makeIndex(goodPrefix)
        #expect(index.count == 5)
        #expect(index.symbols(named: "second_function").first?.address == 0xffff_ffff_8100_0040)
        #expect(index.symbol(containing: 0xffff_ffff_8100_0041)?.description == "second_function+0x1/0x40")
    }

    @Test("other address widths are invalid", arguments: [1, 4, 7, 9, 12, 15, 17, 20])
    func otherWidths(_ width: Int) throws {
        let error = try #require(buildError(goodPrefix + String(repeating: "f", count: width) + " T foo\n"))
        #expect(error.code == .invalidAddress)
        #expect(error.line == 6)
        #expect(error.column == 1)
    }

    @Test("a non-hex address is invalid and named in the error",
          arguments: ["zz81000000000000", "ffffffff8100000g", "0xffffffff810000", "ffffffff_1000000", "-fffffff81000000"])
    func nonHexAddress(_ address: String) throws {
        let error = try #require(buildError(goodPrefix + address + " T foo\n"))
        #expect(error.code == .invalidAddress)
        #expect(error.line == 6)
        #expect(error.text?.contains(address) == true)
        #expect(error.message.contains(address))
    }

    @Test("names up to 512 bytes (KSYM_NAME_LEN) are accepted", arguments: [1, 127, 128, 255, 511, 512])
    func longNames(_ length: Int) throws {
        let name = String((0..<length).map { Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
        let index = try makeIndex(goodPrefix + "ffffffff81000100 t \(name)\n")
        let symbol = try #require(index.symbols(named: name).first)
        #expect(symbol.name == name)
        #expect(index.symbol(containing: 0xffff_ffff_8100_0100)?.name == name)
    }

    @Test("names over 512 bytes are rejected", arguments: [513, 1000, 5000])
    func tooLongNames(_ length: Int) throws {
        let error = try #require(buildError(goodPrefix + "ffffffff81000100 t " + String(repeating: "n", count: length) + "\n"))
        #expect(error.code == .nameTooLong)
        #expect(error.line == 6)
        #expect(error.column == 20)
    }

    @Test("names with any printable bytes, UTF-8 included, are found by name")
    func unusualNames() throws {
        let names = ["café_init", "__func__.0", ".LC0", "$x", "foo.cold", "name@plt", "a", "__pfx_", "ümlaut€"]
        let text = goodPrefix + names.enumerated().map { "ffffffff8100\(String(0x200 + $0.offset * 0x10, radix: 16).leftPadded) t \($0.element)" }
            .joined(separator: "\n") + "\n"
        let index = try makeIndex(text)
        for name in names {
            let matches = index.symbols(named: name)
            #expect(matches.count == 1, "\(name)")
            #expect(matches.first?.name == name)
        }
    }

    @Test("16 hex digits decode to the value String(radix:) prints, in either case; any other byte is refused")
    func hexDigitsAgreeWithStrings() {
        var random = SplitMix64(seed: 0x4E7)
        var mismatches = 0
        var cache: (digits: UInt64, value: UInt64) = (0, 0)
        for trial in 0..<50_000 {
            // Runs of shared upper digits, as kernel tables have, and random ones.
            let value = trial % 3 == 0 ? random.next() : 0xffff_ffff_0000_0000 | random.next() >> 32
            let digits = ParserInputTests.hex16(value)
            var text = Array((trial % 5 == 0 ? digits.uppercased() : digits).utf8)
            var expected: UInt64? = value
            if trial % 7 == 0 {
                // One byte that is no hex digit, often next to one: refused.
                text[Int(random.next() % 16)] = Array("gG/:@`~ \u{7F}x".utf8)[Int(random.next() % 10)]
                expected = nil
            }
            let decoded = text.withUnsafeBufferPointer { SymbolTableParser.decodeHex16($0.baseAddress!, cache: &cache) }
            if decoded != expected {
                mismatches += 1
                if mismatches <= 5 { Issue.record("\(String(decoding: text, as: UTF8.self)): \(String(describing: decoded))") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("the name scan stops where a byte-by-byte scan does, and sees the same high bytes and bars")
    func nameScanAgreesWithBytes() {
        // Name bytes, with the two kinds the scan must notice wherever they
        // fall (past 16 bytes too, in the vector loop), and every kind of stop.
        let nameBytes: [UInt8] = Array("abc_xyz09.$".utf8) + [0x80, 0xC3, 0xA9, 0xFF, UInt8(ascii: "|")]
        let stops: [UInt8] = [0x00, 0x09, 0x0A, 0x0D, 0x20, 0x7F]
        var random = SplitMix64(seed: 0x5CA7)
        var mismatches = 0
        for trial in 0..<20_000 {
            let count = 1 + Int(random.next() % 60)
            var bytes = (0..<count).map { _ in nameBytes[Int(random.next() % UInt64(nameBytes.count))] }
            // Mostly ASCII names, as kernels have: then a single high byte or bar matters.
            if trial % 2 == 0 { bytes = bytes.map { $0 >= 0x80 || $0 == UInt8(ascii: "|") ? UInt8(ascii: "q") : $0 } }
            if trial % 4 == 0 { bytes[Int(random.next() % UInt64(count))] = trial % 8 == 0 ? 0xC3 : UInt8(ascii: "|") }
            if random.next() % 4 != 0 { bytes[Int(random.next() % UInt64(count))] = stops[Int(random.next() % 6)] }
            // The scan may start anywhere and must not look past `end`.
            let start = min(Int(random.next() % 3), count)
            let end = start + Int(random.next() % UInt64(count - start + 1))
            var expectedStop = start
            while expectedStop < end && SymbolTableParser.isNameByte(bytes[expectedStop]) { expectedStop += 1 }
            let name = bytes[start..<expectedStop]
            var highBits: UInt64 = 0
            var barBits: UInt64 = 0
            let stop = bytes.withUnsafeBufferPointer {
                SymbolTableParser.firstNonNameByte($0.baseAddress!, from: start, to: end,
                                                   highBits: &highBits, barBits: &barBits)
            }
            let agrees = stop == expectedStop
                && (highBits & 0x8080_8080_8080_8080 != 0) == name.contains { $0 >= 0x80 }
                && (barBits != 0) == name.contains(UInt8(ascii: "|"))
            if !agrees {
                mismatches += 1
                if mismatches <= 5 { Issue.record("bytes \(bytes), from \(start) to \(end): stop \(stop), expected \(expectedStop)") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("CRLF line ends read like LF")
    func crlf() throws {
        let lf = goodPrefix + "ffffffffc0a01000 t foo_init\t[foo]\nffffffffc0a01010 t foo_exit\t[foo]\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let plain = try makeIndex(lf)
        let windows = try makeIndex(crlf)
        #expect(windows.count == plain.count)
        #expect(windows.symbolsByAddress.map(\.description) == plain.symbolsByAddress.map(\.description))
        #expect(windows.symbols(named: "foo_exit").first?.module?.name == "foo")
        #expect(windows.symbols(named: "first_function").count == 1)
        #expect(windows.symbol(containing: 0xffff_ffff_c0a0_1004)?.description == "foo_init+0x4/0x10 [foo]")
    }

    @Test("module lines: ADDRESS t name<TAB>[module]")
    func moduleLines() throws {
        let index = try makeIndex(goodPrefix + """
            ffffffffc0a01000 t foo_init\t[foo]
            ffffffffc0a01010 t foo_exit\t[foo]
            ffffffffc0b00000 T bar_main\t[bar]
            ffffffffc0b00020 t init_once\t[bar]

            """)
        #expect(index.count == 9)
        let fooInit = try #require(index.symbols(named: "foo_init").first)
        #expect(fooInit.module == Module(name: "foo"))
        #expect(fooInit.module?.kind == .loadable)
        #expect(fooInit.module?.isPseudoModule == false)
        #expect(fooInit.description == "ffffffffc0a01000 t foo_init\t[foo]")
        #expect(index.symbol(containing: 0xffff_ffff_c0a0_1004)?.description == "foo_init+0x4/0x10 [foo]")
        // Without /proc/modules a module's last symbol has no known size.
        #expect(index.symbol(containing: 0xffff_ffff_c0a0_1010)?.description == "foo_exit+0x0/0x0 [foo]")
        #expect(index.symbol(containing: 0xffff_ffff_c0a0_1011) == nil)
        #expect(index.symbols(named: "foo_exit").first?.size == nil)
        #expect(index.symbols(named: "bar_main", inModule: "bar").count == 1)
        #expect(index.symbols(named: "bar_main", inModule: "foo").isEmpty)
        #expect(index.symbols(named: "first_function", inModule: "vmlinux").count == 1)
        #expect(index.modules.map(\.name) == ["foo", "bar"])

        // With /proc/modules it reaches the module's end.
        let layout = try ModuleLayout(procModules: Array("""
            bar 8192 0 - Live 0xffffffffc0b00000
            foo 4096 1 bar, Live 0xffffffffc0a01000

            """.utf8))
        let laidOut = try SymbolIndex(bytes: Array((goodPrefix + "ffffffffc0a01000 t foo_init\t[foo]\nffffffffc0a01010 t foo_exit\t[foo]\n").utf8),
                                      options: .init(moduleLayout: layout))
        #expect(laidOut.symbol(containing: 0xffff_ffff_c0a0_1fff)?.description == "foo_exit+0xfef/0xff0 [foo]")
        #expect(laidOut.symbol(containing: 0xffff_ffff_c0a0_2000) == nil)
    }

    @Test("pseudo-modules; bpf gets no module suffix; a zero offset prints 0x0")
    func pseudoModules() throws {
        let index = try makeIndex(goodPrefix + """
            ffffffffc0000000 t bpf_prog_6deef7357e7b4530_sd_fw_ingress\t[bpf]
            ffffffffc0000100 t bpf_prog_2\t[bpf]
            ffffffffc0201000 t ftrace_trampoline\t[__builtin__ftrace]
            ffffffffc0300000 t kprobe_insn_page\t[__builtin__kprobes]

            """)
        #expect(index.symbol(containing: 0xffff_ffff_c000_0010)?.description == "bpf_prog_6deef7357e7b4530_sd_fw_ingress+0x10/0x100")
        #expect(index.symbol(containing: 0xffff_ffff_c000_0000)?.description == "bpf_prog_6deef7357e7b4530_sd_fw_ingress+0x0/0x100")
        #expect(index.symbols(named: "bpf_prog_2").first?.module?.kind == .bpf)
        #expect(index.symbols(named: "ftrace_trampoline").first?.module?.kind == .ftrace)
        #expect(index.symbols(named: "kprobe_insn_page").first?.module?.kind == .kprobes)
        #expect(index.symbol(containing: 0xffff_ffff_c020_1000)?.description == "ftrace_trampoline+0x0/0x0 [__builtin__ftrace]")
        #expect(index.modules.allSatisfy { $0.isPseudoModule })
    }

    @Test("kallmodsyms annotations name built-in modules and object files", arguments: [
        ("[a] [b]", ["a", "b"], nil), ("{obj.o}", [], "obj.o"), ("[mod] {obj.o}", ["mod"], "obj.o"),
        ("{obj.o} [mod]", ["mod"], "obj.o"), ("[a] [b] [c]", ["a", "b", "c"], nil), ("[ext4]", ["ext4"], nil),
    ] as [(String, [String], String?)])
    func kallmodsymsAnnotations(_ annotation: String, _ modules: [String], _ file: String?) throws {
        // Inside the kernel image (between _stext and _etext), an annotation is
        // built-in code: no loadable module, and %pS prints none.
        let index = try makeIndex(goodPrefix + "ffffffff81000100 t annotated\t\(annotation)\nffffffff81000200 t after\n"
                                  + "ffffffff81000300 T _etext\n")
        let symbol = try #require(index.symbols(named: "annotated").first)
        #expect(symbol.module == nil)
        #expect(symbol.builtinModules == modules)
        #expect(symbol.file == file)
        #expect(index.symbol(containing: symbol.address)?.description.contains("[") == false)
        if let first = modules.first {
            #expect(try index.symbol(qualifiedName: "\(first):annotated") == symbol)
        }
    }

    @Test("malformed module annotations", arguments: [
        "[mod", "mod]", "[]", "{}", "[a]  [b]", "[a] ", "[a][b]", "", "[a b]", "[a]x", " [a]", "[a\t]", "[a] junk", "[[a]]",
    ])
    func malformedAnnotations(_ annotation: String) throws {
        let error = try #require(buildError(goodPrefix + "ffffffffc0a01000 t foo_init\t\(annotation)\n"))
        #expect(error.code == .malformedModule)
        #expect(error.line == 6)
        #expect(error.column != nil)
    }

    @Test("lines without the ADDRESS TYPE NAME shape", arguments: [
        "ffffffff81000100 T", "ffffffff81000100 T ", "ffffffff81000100 T foo bar", "ffffffff81000100 T foo ",
        "ffffffff81000100", "ffffffff81000100\tT foo", "ffffffff81000100 T  foo", "ffffffff81000100 T fo\u{01}o",
        "ffffffff81000100 T foo\u{7f}",
    ])
    func malformedLines(_ line: String) throws {
        let error = try #require(buildError(goodPrefix + line + "\n"))
        #expect(error.code == .malformedLine)
        #expect(error.line == 6)
        #expect(error.column != nil)
    }

    @Test("empty and whitespace-only input", arguments: ["", " ", "\n", "\n\n\n", " \t\r\n \n", "\r\n"])
    func emptyInput(_ text: String) throws {
        let strict = try #require(buildError(text))
        #expect(strict.code == .emptyInput)
        #expect(buildError(text, lenient: true)?.code == .emptyInput)
    }

    @Test("blank lines between symbols are skipped and still counted")
    func blankLines() throws {
        let index = try makeIndex("\n" + goodPrefix + "\nffffffff81000100 t later\n")
        #expect(index.count == 6)
        let error = try #require(buildError("\n\nffffffff81000000 T _stext\n\nbad line\n"))
        #expect(error.line == 5)
    }

    @Test("binary data: NUL bytes and ELF headers")
    func binaryData() throws {
        var withNUL = Array(goodPrefix.utf8)
        withNUL.insert(0, at: 40)
        #expect(buildError(withNUL)?.code == .binaryData)
        #expect(buildError(withNUL, lenient: true)?.code == .binaryData)
        let elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 56)
        #expect(buildError(elf)?.code == .binaryData)
        #expect(buildError(elf + Array(goodPrefix.utf8), lenient: true)?.code == .binaryData)
        var random = SplitMix64(seed: 7)
        let noise = (0..<4096).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        #expect(buildError(noise)?.code == .binaryData)
        let controls = [UInt8](repeating: 0x01, count: 10) + Array(goodPrefix.utf8)
        #expect(buildError(controls)?.code == .binaryData)
    }

    @Test("Debian's placeholder System.map")
    func debianPlaceholder() throws {
        do {
            _ = try SymbolIndex(contentsOf: TestData.path(TestData.debianStubFile))
            Issue.record("the stub was accepted")
        } catch {
            #expect(error.code == .debianPlaceholder)
            #expect(error.line == 1)
            #expect(error.source == TestData.path(TestData.debianStubFile))
            #expect(error.hint?.contains("dbg") == true)
        }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestData.path(TestData.debianStubFile))))
        #expect(buildError(bytes, lenient: true)?.code == .debianPlaceholder)
    }

    @Test("all-zero addresses: kptr_restrict hid them")
    func hiddenAddresses() throws {
        let hidden = "0000000000000000 T _stext\n0000000000000000 t foo\n0000000000000000 D bar\t[mod]\n"
        let error = try #require(buildError(hidden))
        #expect(error.code == .addressesHidden)
        #expect(error.hint?.contains("kptr_restrict") == true)
        #expect(buildError(hidden, lenient: true)?.code == .addressesHidden)
        #expect(buildError("00000000 T _stext\n00000000 t foo\n")?.code == .addressesHidden)
    }

    @Test("some zero addresses are fine: per-cpu symbols")
    func someZeroAddresses() throws {
        let index = try makeIndex("0000000000000000 A fixed_percpu_data\n0000000000000000 D __per_cpu_start\n" + goodPrefix)
        #expect(index.count == 7)
        let perCPU = try #require(index.symbols(named: "fixed_percpu_data").first)
        #expect(perCPU.isAbsolute)
        #expect(!perCPU.isSymbolizable)
        #expect(perCPU.address == 0)
        #expect(index.symbol(containing: 0) == nil)
        #expect(index.symbol(containing: 0x10) == nil)
    }

    @Test("lenient mode skips bad lines and reports them; strict mode stops at the first")
    func lenientMode() throws {
        let lines = [
            "ffffffff81000000 T _stext",                 // 1
            "ffffffff81000010 T good_one",               // 2
            "ffffffff81000020 X bad_type",               // 3
            "ffffffff81000030 T good_two",               // 4
            "zzzzzzzz81000040 T bad_address",            // 5
            "",                                          // 6 (blank)
            "ffffffff81000050 T good_three",             // 7
            "ffffffff81000060 T bad name",               // 8
            "ffffffffc0000000 t bad_module\t[mod",       // 9
            "ffffffff81000070 T " + String(repeating: "x", count: 600),  // 10
            "ffffffff81000080 T good_four",              // 11
        ]
        let text = lines.joined(separator: "\n") + "\n"
        let index = try makeIndex(text, lenient: true)
        #expect(index.count == 5)
        #expect(index.diagnostics.map(\.line) == [3, 5, 8, 9, 10])
        #expect(index.diagnostics.map(\.code) == [.unknownType, .invalidAddress, .malformedLine, .malformedModule, .nameTooLong])
        #expect(index.diagnostics.allSatisfy { $0.source == "<memory>" })
        #expect(index.symbols(named: "good_four").count == 1)
        #expect(index.symbols(named: "bad_type").isEmpty)
        let strict = try #require(buildError(text))
        #expect(strict == index.diagnostics.first)

        // Lenient, but nothing at all is usable.
        let allBad = try #require(buildError("garbage\nmore garbage\n", lenient: true))
        #expect(allBad.code == .emptyInput)
        #expect(allBad.message.contains("2 bad lines"))
    }

    @Test("errors read like compiler diagnostics: source:line:column: error: message")
    func errorDescription() throws {
        let error = try #require(buildError("ffffffff81000000 T _stext\nffffffff81000010 Q foo\n", source: "System.map"))
        #expect(error.source == "System.map")
        #expect(error.description.hasPrefix("System.map:2:18: error: \(error.message)"))
        #expect(error.description.contains("\n  hint: "))
        let empty = try #require(buildError("", source: "empty.txt"))
        #expect(empty.description.hasPrefix("empty.txt: error: "))
        let custom = KallsymsError(code: .io, source: "f", line: 3, column: nil, message: "m", hint: nil)
        #expect(custom.description == "f:3: error: m")
        #expect(KallsymsError.Code.malformedLine.description == "malformed line")
    }

    @Test("aliases: vmlinux prefers strong, non-marker, fewer underscores, then file order", arguments: [
        (["W weak_alias", "T __start_foo", "T __real_name", "T _one", "t zero"], "zero"),
        (["t zero", "T _one", "W weak_alias"], "zero"),
        (["W weak_first", "T __strong"], "__strong"),
        (["T __start_section", "T ___three"], "___three"),
        (["T __section_end", "T __x_start", "T __end_marker", "T __ab"], "__ab"),
        (["T __pfx", "T _y"], "_y"),          // too short to be a marker: underscores decide
        (["T __a_end", "T __b"], "__a_end"),  // "__a_end" has 7 bytes: not a marker, file order decides
        (["T same_a", "T same_b"], "same_a"),
        (["w weak_lower", "V weak_object"], "weak_object"),  // only W/w count as weak in compare_symbols
    ] as [([String], String)])
    func aliasPreference(_ aliases: [String], _ expected: String) throws {
        let lines = aliases.map { "ffffffff81000100 " + $0 }.joined(separator: "\n")
        let text = goodPrefix + lines + "\nffffffff81000200 T next_function\nffffffff81000300 T _etext\n"
        let index = try makeIndex(text)
        #expect(index.symbol(containing: 0xffff_ffff_8100_0104)?.description == "\(expected)+0x4/0x100")
        #expect(ReferenceModel(text: Array(text.utf8)).lookup(0xffff_ffff_8100_0104)?.description == "\(expected)+0x4/0x100")
        // Iteration gives the preferred alias first.
        #expect(index.symbolsByAddress.first { $0.address == 0xffff_ffff_8100_0100 }?.name == expected)
    }

    @Test("aliases in a module: the first in file order wins")
    func moduleAliases() throws {
        let index = try makeIndex(goodPrefix + """
            ffffffffc0a01010 t __second\t[foo]
            ffffffffc0a01000 W weak_first\t[foo]
            ffffffffc0a01000 t __start_marker\t[foo]
            ffffffffc0a01000 t plain\t[foo]

            """)
        #expect(index.symbol(containing: 0xffff_ffff_c0a0_1001)?.description == "weak_first+0x1/0x10 [foo]")
    }
}

// MARK: - Input: files, descriptors, gzip, limits

@Suite("Parser: input sources, gzip and limits")
struct ParserInputTests {
    static let table = goodPrefix + """
        ffffffff81000100 t more_one
        ffffffff81000200 t more_two
        ffffffffc0a01000 t foo_init\t[foo]

        """

    /// A table of `count` symbols, a few hundred kilobytes for large counts.
    static func bigTable(_ count: Int) -> [UInt8] {
        var text = "ffffffff81000000 T _stext\n"
        for index in 1..<count {
            text += hex16(0xffff_ffff_8100_0000 + UInt64(index) * 0x40) + " t function_number_\(index)\n"
        }
        return Array(text.utf8)
    }

    static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    @Test("gzip in memory is recognised by its magic bytes")
    func gzipInMemory() throws {
        let compressed = try TestData.gzip(Array(Self.table.utf8))
        #expect(compressed.starts(with: [0x1F, 0x8B]))
        let index = try SymbolIndex(bytes: compressed)
        #expect(index.count == 8)
        #expect(index.symbols(named: "foo_init").first?.module?.name == "foo")
    }

    @Test("gzip from a path, with and without a .gz name")
    func gzipFromPath() throws {
        let compressed = try TestData.gzip(Array(Self.table.utf8))
        for suffix in [".gz", ".txt", ""] {
            let path = try TestData.temporaryFile(compressed, suffix: suffix)
            defer { TestData.remove(path) }
            let index = try SymbolIndex(contentsOf: path)
            #expect(index.count == 8)
            #expect(index.sourceName == path)
        }
    }

    @Test("a .gz name on data that is not gzip is an error")
    func falseGzipName() throws {
        let path = try TestData.temporaryFile(Array(Self.table.utf8), suffix: ".gz")
        defer { TestData.remove(path) }
        do {
            _ = try SymbolIndex(contentsOf: path)
            Issue.record("a plain file named .gz was accepted")
        } catch {
            #expect(error.code == .compression)
            #expect(error.source == path)
        }
        #expect(buildError(Array(Self.table.utf8), source: "table.gz")?.code == .compression)
    }

    @Test("truncated or corrupt gzip is an error", arguments: [2, 10, 30, -8, -1])
    func truncatedGzip(_ cut: Int) throws {
        let compressed = try TestData.gzip(Self.bigTable(3000))
        let kept = cut > 0 ? Array(compressed.prefix(cut)) : Array(compressed.dropLast(-cut))
        #expect(buildError(kept)?.code == .compression)
        let path = try TestData.temporaryFile(kept, suffix: ".gz")
        defer { TestData.remove(path) }
        #expect(throws: KallsymsError.self) { _ = try SymbolIndex(contentsOf: path) }
        do { _ = try SymbolIndex(contentsOf: path) } catch { #expect(error.code == .compression) }
    }

    @Test("corrupt gzip data is an error")
    func corruptGzip() throws {
        var compressed = try TestData.gzip(Self.bigTable(3000))
        compressed[compressed.count / 2] ^= 0xFF
        #expect(buildError(compressed)?.code == .compression)
        var badCRC = try TestData.gzip(Self.bigTable(100))
        badCRC[badCRC.count - 6] ^= 0x01  // inside the CRC32 trailer
        #expect(buildError(badCRC)?.code == .compression)
    }

    @Test("concatenated gzip members are read one after the other")
    func concatenatedGzip() throws {
        let first = try TestData.gzip(Array(goodPrefix.utf8))
        let second = try TestData.gzip(Array("ffffffff81000100 t more_one\nffffffffc0a01000 t foo_init\t[foo]\n".utf8))
        let index = try SymbolIndex(bytes: first + second)
        #expect(index.count == 7)
        let path = try TestData.temporaryFile(first + second + [0, 0, 0, 0], suffix: ".gz")
        defer { TestData.remove(path) }
        #expect(try SymbolIndex(contentsOf: path).count == 7)
        // Something that is not gzip after the end is not silently dropped.
        #expect(buildError(first + Array("trailing garbage".utf8))?.code == .compression)
    }

    @Test("maximumInputSize is enforced for plain input in memory and for gzip")
    func sizeLimitInMemoryAndGzip() throws {
        let text = Self.bigTable(200)
        #expect(buildError(text, options: .init(maximumInputSize: 1000))?.code == .inputTooLarge)
        #expect(buildError(text, options: .init(maximumInputSize: text.count)) == nil)
        #expect(buildError(text, options: .init(maximumInputSize: text.count - 1))?.code == .inputTooLarge)
        let compressed = try TestData.gzip(text)
        #expect(buildError(compressed, options: .init(maximumInputSize: 1000))?.code == .inputTooLarge)
        #expect(buildError(compressed, options: .init(maximumInputSize: text.count)) == nil)
        let path = try TestData.temporaryFile(compressed, suffix: ".gz")
        defer { TestData.remove(path) }
        do {
            _ = try SymbolIndex(contentsOf: path, options: .init(maximumInputSize: 1000))
            Issue.record("a gzip file larger than the limit was accepted")
        } catch {
            #expect(error.code == .inputTooLarge)
        }
    }

    @Test("maximumInputSize is enforced for a large plain file")
    func sizeLimitLargeFile() throws {
        let text = Self.bigTable(12_000)  // about 470 KB
        let path = try TestData.temporaryFile(text, suffix: ".txt")
        defer { TestData.remove(path) }
        #expect(try SymbolIndex(contentsOf: path).count == 12_000)
        do {
            _ = try SymbolIndex(contentsOf: path, options: .init(maximumInputSize: 300_000))
            Issue.record("a file larger than the limit was accepted")
        } catch {
            #expect(error.code == .inputTooLarge)
        }
    }

    @Test("maximumInputSize is enforced for a small plain file")
    func sizeLimitSmallFile() throws {
        let text = Self.bigTable(200)  // about 7 KB, less than one read chunk
        let path = try TestData.temporaryFile(text, suffix: ".txt")
        defer { TestData.remove(path) }
        do throws(KallsymsError) {
            _ = try SymbolIndex(contentsOf: path, options: .init(maximumInputSize: 1000))
            Issue.record("a \(text.count)-byte file was accepted with a limit of 1000 bytes")
        } catch {
            #expect(error.code == .inputTooLarge)
        }
        let (fromPipe, _) = try Self.indexFromPipe(text, options: .init(maximumInputSize: 1000))
        #expect(throws: KallsymsError.self, "a pipe delivering \(text.count) bytes with a limit of 1000") { try fromPipe.get() }
    }

    /// Writes `bytes` into a pipe from another thread and indexes the read end.
    static func indexFromPipe(_ bytes: [UInt8], sourceName: String = "<stdin>",
                              options: SymbolIndex.Options = .init()) throws -> (Result<SymbolIndex, KallsymsError>, stillOpen: Bool) {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw TestData.ToolFailure(description: "pipe failed") }
        let (readEnd, writeEnd) = (descriptors[0], descriptors[1])
        let writer = Thread {
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = write(writeEnd, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 { if errno == EINTR { continue } else { break } }
                    offset += written
                }
            }
            close(writeEnd)
        }
        writer.start()
        let result = Result { () throws(KallsymsError) -> SymbolIndex in
            try SymbolIndex(fileDescriptor: readEnd, sourceName: sourceName, options: options)
        }
        // Drain what a failed read left behind, so the writer can finish.
        var sink = [UInt8](repeating: 0, count: 1 << 16)
        while read(readEnd, &sink, sink.count) > 0 {}
        let stillOpen = fcntl(readEnd, F_GETFD) != -1
        close(readEnd)
        return (result, stillOpen)
    }

    @Test("reading from a pipe: plain text and gzip, larger than the pipe's buffer")
    func pipeDescriptor() throws {
        let text = Self.bigTable(10_000)
        let (plain, stillOpen) = try Self.indexFromPipe(text)
        #expect(try plain.get().count == 10_000)
        #expect(try plain.get().sourceName == "<stdin>")
        #expect(stillOpen, "the library closed a descriptor it does not own")
        let (compressed, _) = try Self.indexFromPipe(try TestData.gzip(text), sourceName: "pipe")
        #expect(try compressed.get().count == 10_000)
        let (limited, _) = try Self.indexFromPipe(text, options: .init(maximumInputSize: 200_000))
        #expect(throws: KallsymsError.self) { try limited.get() }
        let (empty, _) = try Self.indexFromPipe([])
        #expect(throws: KallsymsError.self) { try empty.get() }
    }

    @Test("reading /proc/kallsyms, which stat says is empty")
    func procKallsyms() throws {
        let path = "/proc/kallsyms"
        guard FileManager.default.isReadableFile(atPath: path) else { return }
        do {
            let index = try SymbolIndex(contentsOf: path)
            #expect(index.count > 0)
            #expect(index.diagnostics.isEmpty)
        } catch {
            #expect(error.code == .addressesHidden)
            #expect(error.hint != nil)
        }
    }

    @Test("I/O errors name the path")
    func ioErrors() throws {
        let missing = NSTemporaryDirectory() + "/kallsyms-tests-no-such-file"
        do {
            _ = try SymbolIndex(contentsOf: missing)
            Issue.record("a missing file was read")
        } catch {
            #expect(error.code == .io)
            #expect(error.source == missing)
            #expect(error.hint != nil)
        }
        do {
            _ = try SymbolIndex(contentsOf: NSTemporaryDirectory())
            Issue.record("a directory was read")
        } catch {
            #expect(error.code == .io)
        }
    }
}

// MARK: - Synthetic tables against the reference

/// Random tables (fixed seeds) with every feature the rules care about,
/// checked exhaustively against the reference model.
@Suite("Parser: synthetic tables against the reference model")
struct ParserSyntheticTests {
    enum Shape: CaseIterable {
        /// _stext, _etext, _sinittext, _einittext, section markers outside text.
        case textOnly
        /// _stext, _etext and _end with data symbols.
        case wholeImage
        /// No markers at all.
        case unbounded
    }

    struct Table {
        var text: String
        var layout: String
    }

    /// A random table: per-cpu symbols, vmlinux with aliases and __pfx_ pairs,
    /// modules listed out of address order, sometimes a bpf pseudo-module.
    static func randomTable(seed: UInt64, shape: Shape) -> Table {
        var random = SplitMix64(seed: seed)
        func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        var lines: [String] = []
        var serial = 0
        func name(_ base: String) -> String {
            serial += 1
            let prefix = pick(["", "", "", "_", "__", "___"])
            return chance(5) ? pick(["init_once", "dup_name", "cleanup"]) : "\(prefix)\(base)_\(serial)"
        }
        func line(_ address: UInt64, _ type: Character, _ name: String, _ module: String? = nil) -> String {
            ParserInputTests.hex16(address) + " \(type) \(name)" + (module.map { "\t[\($0)]" } ?? "")
        }
        if chance(70) {
            for offset in stride(from: UInt64(0), to: 0x3000, by: 0x800) {
                lines.append(line(offset, shape == .unbounded ? "A" : pick(["A", "D"]), name("percpu")))
            }
        }
        var address: UInt64 = 0xffff_ffff_8100_0000
        lines.append(line(address, "T", "_stext"))
        if shape != .unbounded { lines.append(line(address, "T", "_text")) }
        func textRun(_ count: Int) {
            for _ in 0..<count {
                address += UInt64(1 + random.next() % 0x80) * (chance(3) && shape == .unbounded ? 0x1_0000 : 1)
                if chance(25) {
                    // A __pfx_ padding symbol 16 bytes before its function (sometimes 32: not folded).
                    let type: Character = pick(["T", "t"])
                    let function = name("fn")
                    let distance: UInt64 = chance(90) ? 16 : 32
                    lines.append(line(address, chance(95) ? type : "W", "__pfx_" + function))
                    address += distance
                    lines.append(line(address, type, function))
                } else if chance(15) {
                    for _ in 0..<(2 + random.next() % 3) {
                        let marker = chance(30) ? pick(["__start_", "__stop_", "__end_"]) + "sec\(serial)" : name("alias")
                        lines.append(line(address, pick(["T", "t", "W", "w"]), marker))
                    }
                } else {
                    lines.append(line(address, pick(["T", "t", "t", "W"]), name("fn")))
                }
            }
        }
        textRun(60)
        switch shape {
        case .textOnly:
            address += 0x20
            lines.append(line(address, "T", "_etext"))
            address += 0x1000
            for _ in 0..<6 {
                lines.append(line(address, pick(["D", "R"]), pick(["__start_", "__stop_"]) + "section_\(serial)"))
                serial += 1
                address += UInt64(random.next() % 0x200)
            }
            address += 0x1000
            lines.append(line(address, "T", "_sinittext"))
            textRun(20)
            address += 0x10
            lines.append(line(address, "T", "_einittext"))
            address += 0x100
            lines.append(line(address, "D", "__start_late_markers"))
        case .wholeImage:
            address += 0x20
            lines.append(line(address, "T", "_etext"))
            for _ in 0..<30 {
                address += UInt64(1 + random.next() % 0x800)
                if chance(10) { lines.append(line(address, pick(["D", "d"]), name("alias_data"))) }
                lines.append(line(address, pick(["D", "d", "B", "b", "R", "r", "A"]), name("data")))
            }
            address += 0x40
            lines.append(line(address, "B", "_end"))
            lines.append(line(address, "B", "__brk_limit"))
            address += 0x1000
            lines.append(line(address, "D", "__init_scratch_begin"))
        case .unbounded:
            break
        }
        // Modules, each in its own area, listed out of address order.
        var layout: [String] = []
        var moduleBase: UInt64 = 0xffff_ffff_c000_0000
        for moduleNumber in 0..<Int(random.next() % 4) {
            let module = chance(15) ? "bpf" : "mod\(moduleNumber)"
            var moduleLines: [String] = []
            var offset: UInt64 = 0
            for _ in 0..<(3 + random.next() % 40) {
                if chance(10) {
                    moduleLines.append(line(moduleBase + offset, pick(["t", "T", "W"]), name("modalias"), module))
                } else {
                    offset += UInt64(1 + random.next() % 0x100)
                }
                moduleLines.append(line(moduleBase + offset, pick(["t", "T", "d", "b", "r"]), chance(10) ? ".LC0" : name("mod"), module))
            }
            if chance(30) { moduleLines.append(line(0x34000, "a", name("percpu_mod"), module)) }
            // Symbol-table order, not address order.
            for index in moduleLines.indices.reversed() {
                let other = Int(random.next() % UInt64(index + 1))
                moduleLines.swapAt(index, other)
            }
            lines += moduleLines
            if module != "bpf" {
                layout.append("\(module) \(offset + 0x100 + random.next() % 0x1000) 0 - Live 0x\(String(moduleBase, radix: 16))")
            }
            moduleBase += 0x10_0000
        }
        return Table(text: lines.joined(separator: "\n") + "\n", layout: layout.joined(separator: "\n") + "\n")
    }

    static let cases: [(seed: UInt64, shape: Shape)] = (0..<36).map { (UInt64($0) &* 0x9E37_79B9 &+ 11, Shape.allCases[$0 % 3]) }

    @Test("random tables: every address near every symbol agrees with the reference",
          arguments: 0..<36)
    func randomTables(_ number: Int) throws {
        let (seed, shape) = Self.cases[number]
        let table = Self.randomTable(seed: seed, shape: shape)
        let useLayout = number % 2 == 0
        let layoutBytes = Array(table.layout.utf8)
        let layout = useLayout ? try ModuleLayout(procModules: layoutBytes) : nil
        let index = try SymbolIndex(bytes: Array(table.text.utf8), options: .init(moduleLayout: layout))
        let reference = ReferenceModel(text: Array(table.text.utf8),
                                       moduleLayout: useLayout ? ReferenceModel.parseProcModules(layoutBytes) : [:])
        #expect(index.count == reference.symbols.count)
        switch shape {
        case .textOnly: #expect(index.kernelCoverage == .textOnly)
        case .wholeImage: #expect(index.kernelCoverage == .wholeImage)
        case .unbounded: #expect(index.kernelCoverage == .unbounded)
        }
        #expect("\(reference.coverage)" == "\(index.kernelCoverage)")

        var addresses: Set<UInt64> = [0, 1, .max]
        for symbol in reference.symbols {
            for delta: UInt64 in [0, 1, 2, 15, 16, 17] {
                addresses.insert(symbol.address &+ delta)
                addresses.insert(symbol.address &- delta)
            }
        }
        var random = SplitMix64(seed: seed ^ 0xABCDEF)
        for _ in 0..<200 { addresses.insert(0xffff_ffff_8100_0000 &+ random.next() % 0x4100_0000) }
        var mismatches = 0
        for address in addresses.sorted() {
            let expected = reference.lookup(address)
            let actual = index.symbol(containing: address).map(ReferenceAnswer.init)
            if actual != expected {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("seed \(seed) \(shape): 0x\(String(address, radix: 16)) → \(String(describing: actual)), reference \(String(describing: expected))\n\(table.text)")
                }
            }
        }
        #expect(mismatches == 0)

        // Names, iteration and symbolizability.
        #expect(index.symbolsByAddress.map(\.referenceKey).sorted() == reference.symbols.map(\.key).sorted())
        let all = Array(index.symbolsByAddress)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.address <= $1.address })
        for (position, symbol) in reference.symbols.enumerated() {
            let matches = index.symbols(named: symbol.name)
            let keys = matches.map(\.referenceKey)
            #expect(keys.contains(symbol.key), "symbols(named: \(symbol.name))")
            let match = matches.first { $0.referenceKey == symbol.key }
            #expect(match?.isSymbolizable == reference.isSymbolizable(position), "\(symbol.key)")
            #expect(match?.isAbsolute == reference.isAbsolute[position], "\(symbol.key)")
        }
        let duplicates = index.duplicateNames()
        #expect(Set(duplicates.map(\.name)) == Set(reference.duplicateNames().keys))
    }

    @Test("a gap over 64 MiB inside vmlinux does not change sizes (kernel: next symbol)")
    func largeGapUnbounded() throws {
        let text = """
            ffffffff81000000 T _stext
            ffffffff81000100 T before_gap
            ffffffff89000000 T after_gap
            ffffffff89000100 T last_one

            """
        let index = try makeIndex(text)
        let reference = ReferenceModel(text: Array(text.utf8))
        #expect(reference.lookup(0xffff_ffff_8100_0200)?.description == "before_gap+0x100/0x7ffff00")
        #expect(index.symbol(containing: 0xffff_ffff_8100_0200)?.description == "before_gap+0x100/0x7ffff00")
        #expect(index.symbols(named: "before_gap").first?.size == 0x7ff_ff00)
    }

    @Test("a gap over 64 MiB inside [_stext, _end) does not stretch a symbol to _end")
    func largeGapWholeImage() throws {
        let text = """
            ffffffff81000000 T _stext
            ffffffff81000100 T before_gap
            ffffffff81000200 T _etext
            ffffffff81001000 D big_buffer
            ffffffff89000000 D after_gap
            ffffffff89000100 B _end

            """
        let index = try makeIndex(text)
        let reference = ReferenceModel(text: Array(text.utf8))
        #expect(reference.lookup(0xffff_ffff_8100_2000)?.description == "big_buffer+0x1000/0x7fff000")
        #expect(index.symbol(containing: 0xffff_ffff_8100_2000)?.description == "big_buffer+0x1000/0x7fff000")
        #expect(index.symbols(named: "big_buffer").first?.size == 0x7ff_f000)
        #expect(index.symbol(containing: 0xffff_ffff_8900_0010)?.description == "after_gap+0x10/0x100")
    }
}

@Suite("Parser: large inputs parsed in two halves")
struct ParserSplitTests {
    /// 40,000 lines, about 1.4 MB: over the size the parser splits at.
    static let lineCount = 40_000
    static var lines: [String] {
        (0..<lineCount).map { index in
            ParserInputTests.hex16(0xffff_ffff_8100_0000 + UInt64(index) * 0x40) + " t function_number_\(index)"
        }
    }

    @Test("an error in the second half names its true line")
    func errorLineInSecondHalf() throws {
        var lines = Self.lines
        lines[37_123] = "ffffffff8xyz0000 t broken"
        let text = Array((lines.joined(separator: "\n") + "\n").utf8)
        #expect(text.count >= 1 << 20)
        let error = try #require(buildError(text))
        #expect(error.code == .invalidAddress)
        #expect(error.line == 37_124)
        // Lenient: both halves' diagnostics, with true line numbers, in file order.
        lines[5] = "not a line"
        let lenient = try SymbolIndex(bytes: Array((lines.joined(separator: "\n") + "\n").utf8),
                                      options: .init(lenient: true))
        #expect(lenient.diagnostics.map(\.line) == [6, 37_124])
        #expect(lenient.count == Self.lineCount - 2)
    }

    @Test("module annotations in both halves keep one module table")
    func annotationsAcrossHalves() throws {
        var lines = Self.lines
        for index in stride(from: 0, to: Self.lineCount, by: 1000) {
            lines[index] = ParserInputTests.hex16(0xffff_ffff_c000_0000 + UInt64(index) * 0x40)
                + " t module_function_\(index)\t[\(index % 3000 == 0 ? "alpha" : "beta")]"
        }
        let index = try SymbolIndex(bytes: Array((lines.joined(separator: "\n") + "\n").utf8))
        #expect(Set(index.modules.map(\.name)) == ["alpha", "beta"])
        #expect(index.symbols(named: "module_function_38000").first?.module?.name == "beta")
        #expect(index.symbols(named: "module_function_1000").first?.module?.name == "beta")
        #expect(index.symbols(named: "module_function_3000").first?.module?.name == "alpha")
        #expect(index.symbols(named: "module_function_36000").first?.module?.name == "alpha")
        #expect(index.count == Self.lineCount)
    }
}
