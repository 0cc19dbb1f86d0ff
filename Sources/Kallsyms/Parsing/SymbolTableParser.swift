import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads `/proc/kallsyms` and `System.map` text in one pass over its bytes.
///
/// Accepted lines are `ADDRESS TYPE NAME` and `ADDRESS TYPE NAME<TAB>ANNOTATION`,
/// where ADDRESS has 8 or 16 hex digits, TYPE is an `nm` letter, NAME has
/// 1 to 512 bytes (the kernel's `KSYM_NAME_LEN`) and ANNOTATION is `[module]`,
/// or the kallmodsyms forms `[mod1] [mod2]` and `{object.o}`. A line may end
/// in CRLF. Blank lines carry nothing and are passed over.
///
/// No String, regex or Scanner is made per line: the parser walks the bytes
/// with lookup tables and records names as ranges into the buffer.
enum SymbolTableParser {
    /// The kernel's KSYM_NAME_LEN: /proc/kallsyms never prints a longer name.
    static let maximumNameLength = 512

    /// Parses `bytes`, which must stay valid for as long as the returned table is used.
    ///
    /// Inputs over 1 MiB are split at a line boundary near the middle and the
    /// halves parsed on two threads, each into its own columns, then joined.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, source: String, lenient: Bool) throws(KallsymsError) -> ParsedTable {
        try rejectWholeInputProblems(bytes, source: source)
        var split = bytes.count
        if bytes.count >= 1 << 20 {
            split = findNewline(bytes, from: bytes.count / 2) + 1
            if split >= bytes.count { split = bytes.count }
        }
        // The first run has room for every line of the input: the table adopts
        // its columns and the second run's lines are appended, not both copied.
        let step = NamePairCounts.samplingStep(byteCount: bytes.count)
        var runs = [ParseRun(capacity: bytes.count / 13 + 1, samplingStep: step)]
        if split < bytes.count { runs.append(ParseRun(capacity: (bytes.count - split) / 13 + 1, samplingStep: step)) }
        var firstRunAdopted = false
        defer { for (position, run) in runs.enumerated() where position > 0 || !firstRunAdopted { run.deallocate() } }
        let ranges = [0..<split, split..<bytes.count]
        runs.withUnsafeMutableBufferPointer { runs in
            let shared = SharedRuns(runs: runs.baseAddress!, bytes: bytes)
            if runs.count > 1 {
                DispatchQueue.concurrentPerform(iterations: 2) { part in
                    shared.runs[part].run(shared.bytes, range: ranges[part], source: source, lenient: lenient)
                }
            } else {
                shared.runs[0].run(bytes, range: ranges[0], source: source, lenient: lenient)
            }
        }
        // The second half counted its lines from 1; errors there need the first half's lines added.
        // Counted only when needed: a newline search over half the text.
        let needsLines = runs.count > 1 && (runs[1].error != nil || !runs[1].diagnostics.isEmpty)
        let linesBefore = needsLines ? countLines(bytes, upTo: split) : 0
        if let error = runs[0].error { throw error }
        if runs.count > 1, let error = runs[1].error { throw error.shifted(by: linesBefore) }

        let count = runs.reduce(0) { $0 + $1.count }
        let first = runs[0]
        var table = ParsedTable(
            source: source, text: bytes,
            addresses: Column(adopting: first.addresses, count: count),
            typeCodes: Column(adopting: first.typeCodes, count: count),
            nameStarts: Column(adopting: first.nameStarts, count: count),
            nameLengths: Column(adopting: first.nameLengths, count: count),
            annotationIDs: Column(adopting: first.annotationColumn, count: count),
            prefixedNames: Column(adopting: first.prefixedNames, count: count),
            namePairCounts: first.pairCounts)
        firstRunAdopted = true
        var finished = false
        defer { if !finished { table.deallocate() } }
        table.diagnostics = first.diagnostics
        if runs.count > 1 {
            let run = runs[1]
            let offset = first.count
            (first.addresses + offset).initialize(from: run.addresses, count: run.count)
            (first.typeCodes + offset).initialize(from: run.typeCodes, count: run.count)
            (first.nameStarts + offset).initialize(from: run.nameStarts, count: run.count)
            (first.nameLengths + offset).initialize(from: run.nameLengths, count: run.count)
            (first.prefixedNames + offset).initialize(from: run.prefixedNames, count: run.count)
            first.pairCounts.merge(run.pairCounts)
            // Renumber the second half's annotations into the first's table.
            var renumbered: [UInt16] = [0]
            for annotation in run.annotations.dropFirst() {
                guard let id = runs[0].intern(annotation) else {
                    throw ParseRun.tooManyAnnotations(source: source, line: nil)
                }
                renumbered.append(id)
            }
            if renumbered.indices.allSatisfy({ renumbered[$0] == $0 }) {
                // The usual case (the first half has no module lines, or the
                // same ones in the same order): the ids carry over as they are.
                (first.annotationColumn + offset).initialize(from: run.annotationColumn, count: run.count)
            } else {
                renumbered.withUnsafeBufferPointer { renumbered in
                    for index in 0..<run.count {
                        first.annotationColumn[offset + index] = renumbered[Int(run.annotationColumn[index])]
                    }
                }
            }
            table.diagnostics += run.diagnostics.map { $0.shifted(by: linesBefore) }
        }
        table.annotations = runs[0].annotations
        table.addressWidth = runs.first(where: { $0.count > 0 })?.addressWidth ?? 16
        table.namesHaveHighBytes = runs.contains { $0.highBits & 0x8080_8080_8080_8080 != 0 }
        table.namesMayBeDecorated = runs.contains { $0.barBits != 0 }
        table.paddingNames = runs.reduce(0) { $0 + $1.paddingNames }
        table.markers = runs.dropFirst().reduce(runs[0].markers) { $0.filled(from: $1.markers) }

        guard table.count > 0 else {
            if let first = table.diagnostics.first {
                throw KallsymsError(
                    code: .emptyInput, source: source,
                    message: "no line could be read as a symbol (\(table.diagnostics.count) bad lines; the first: \(first.message), line \(first.line ?? 0))",
                    hint: "this does not look like /proc/kallsyms or System.map")
            }
            throw emptyInputError(source)
        }
        if table.addresses.buffer.allSatisfy({ $0 == 0 }) {
            throw KallsymsError(
                code: .addressesHidden, source: source,
                message: "all \(table.count) addresses are zero: the kernel hid them (kptr_restrict)",
                hint: "read /proc/kallsyms as root, or run 'sysctl kernel.kptr_restrict=0' (or 1 and keep root) first; tools given CAP_SYSLOG also see real addresses")
        }
        finished = true
        return table
    }

    /// The number of newlines before `end`.
    static func countLines(_ bytes: UnsafeBufferPointer<UInt8>, upTo end: Int) -> Int {
        var lines = 0
        var position = 0
        while position < end {
            let next = findNewline(bytes, from: position)
            if next >= end { break }
            lines += 1
            position = next + 1
        }
        return lines
    }

    /// The runs the two threads fill, each its own.
    private struct SharedRuns: @unchecked Sendable {
        let runs: UnsafeMutablePointer<ParseRun>
        let bytes: UnsafeBufferPointer<UInt8>
    }

    // MARK: - One line

    struct Line {
        var address: UInt64
        var typeCode: UInt8
        var nameStart: Int
        var nameLength: Int
        var annotationStart: Int
        var annotationLength: Int
        /// The OR of the name's bytes: its top bit says whether a byte >= 0x80 occurs.
        var nameHighBits: UInt64
        /// Nonzero when the name has a `|`.
        var nameBarBits: UInt64
    }

    /// What was wrong with a line, found without allocating.
    struct Problem: Error {
        enum Kind { case address, missingSpace, type, emptyName, nameByte, nameTooLong, annotation }
        var kind: Kind
        var column: Int  // offset from line start
        var fieldEnd: Int

        func error(_ bytes: UnsafeBufferPointer<UInt8>, lineStart: Int, lineEnd: Int, line: Int, source: String) -> KallsymsError {
            let lineText = bytes[lineStart..<lineEnd]
            let fieldStart = min(lineStart + column, lineEnd)
            let field = bytes[fieldStart..<min(max(fieldStart, fieldEnd), lineEnd)]
            let shape = "each line must look like \"ffffffff81000000 T _stext\", optionally followed by a tab and \"[module]\""
            switch kind {
            case .address:
                return KallsymsError(code: .invalidAddress, source: source, line: line, column: column + 1,
                                     text: KallsymsError.quote(field),
                                     message: "expected an 8- or 16-digit hex address, found \(KallsymsError.quote(field))",
                                     hint: shape)
            case .missingSpace:
                return KallsymsError(code: .malformedLine, source: source, line: line, column: column + 1,
                                     text: KallsymsError.quote(lineText),
                                     message: "expected a single space at column \(column + 1) in \(KallsymsError.quote(lineText))",
                                     hint: shape)
            case .type:
                return KallsymsError(code: .unknownType, source: source, line: line, column: column + 1,
                                     text: KallsymsError.quote(field),
                                     message: "unknown symbol type \(KallsymsError.quote(field)); expected an nm type letter such as T, t, D or W",
                                     hint: "the type letters nm documents are A a B b C c D d G g i I N n p R r S s T t U u V v W w - ?")
            case .emptyName:
                return KallsymsError(code: .malformedLine, source: source, line: line, column: column + 1,
                                     text: KallsymsError.quote(lineText),
                                     message: "the symbol name is missing in \(KallsymsError.quote(lineText))",
                                     hint: shape)
            case .nameByte:
                let what = column < lineEnd - lineStart && bytes[lineStart + column] == UInt8(ascii: " ")
                    ? "a space" : "a control byte"
                return KallsymsError(code: .malformedLine, source: source, line: line, column: column + 1,
                                     text: KallsymsError.quote(lineText),
                                     message: "unexpected \(what) in the symbol name in \(KallsymsError.quote(lineText))",
                                     hint: shape)
            case .nameTooLong:
                return KallsymsError(code: .nameTooLong, source: source, line: line, column: column + 1,
                                     text: KallsymsError.quote(field),
                                     message: "the symbol name has \(fieldEnd - lineStart - column) bytes, more than the kernel's limit of \(SymbolTableParser.maximumNameLength) (KSYM_NAME_LEN)",
                                     hint: "a kernel never prints such a name; the file is probably not a kernel symbol table")
            case .annotation:
                return KallsymsError(code: .malformedModule, source: source, line: line, column: column + 1,
                                     text: KallsymsError.quote(field),
                                     message: "expected \"[module]\" after the tab, found \(KallsymsError.quote(field))",
                                     hint: "module lines look like \"ffffffffc0a01000 t foo_init<TAB>[foo]\"")
            }
        }
    }

    @inline(__always)
    static func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int,
                          hex: UnsafePointer<UInt8> = hexTable, types: UnsafePointer<UInt8> = typeCodeTable) -> Result<Line, Problem> {
        let text = bytes.baseAddress!
        // Address: 8 or 16 hex digits.
        var position = start
        var address: UInt64 = 0
        while position < end {
            let digit = hex[Int(text[position])]
            if digit == 0xFF { break }
            address = address &<< 4 | UInt64(digit)
            position &+= 1
        }
        let digits = position &- start
        guard (digits == 16 || digits == 8) && position < end && text[position] == UInt8(ascii: " ") else {
            if (digits == 16 || digits == 8) && (position >= end || !isNameByte(text[position])) {
                return .failure(Problem(kind: .missingSpace, column: position &- start, fieldEnd: position &+ 1))
            }
            var fieldEnd = position
            while fieldEnd < end && text[fieldEnd] != UInt8(ascii: " ") { fieldEnd &+= 1 }
            return .failure(Problem(kind: .address, column: 0, fieldEnd: fieldEnd))
        }
        position &+= 1

        // Type letter, then one space.
        guard position < end else {
            return .failure(Problem(kind: .type, column: position &- start, fieldEnd: position))
        }
        let typeCode = types[Int(text[position])]
        if typeCode == 0xFF || (position &+ 1 < end && text[position &+ 1] != UInt8(ascii: " ")) {
            var fieldEnd = position
            while fieldEnd < end && text[fieldEnd] != UInt8(ascii: " ") { fieldEnd &+= 1 }
            return .failure(Problem(kind: .type, column: position &- start, fieldEnd: fieldEnd))
        }
        guard position &+ 2 < end else {
            return .failure(Problem(kind: .emptyName, column: end &- start, fieldEnd: end))
        }
        position &+= 2

        // Name: up to the first byte that is a space, a control byte or DEL.
        let nameStart = position
        var highBits: UInt64 = 0
        var barBits: UInt64 = 0
        position = firstNonNameByte(text, from: position, to: end, highBits: &highBits, barBits: &barBits)
        let nameLength = position &- nameStart
        if nameLength == 0 {
            return .failure(Problem(kind: position < end && text[position] != UInt8(ascii: "\t") ? .nameByte : .emptyName,
                                    column: position &- start, fieldEnd: position &+ 1))
        }
        if nameLength > maximumNameLength {
            return .failure(Problem(kind: .nameTooLong, column: nameStart &- start, fieldEnd: position))
        }
        guard position < end else {
            return .success(Line(address: address, typeCode: typeCode, nameStart: nameStart,
                                 nameLength: nameLength, annotationStart: 0, annotationLength: 0, nameHighBits: highBits,
                                 nameBarBits: barBits))
        }
        guard text[position] == UInt8(ascii: "\t") else {
            return .failure(Problem(kind: .nameByte, column: position &- start, fieldEnd: position &+ 1))
        }
        position &+= 1

        // Annotation: "[mod]", "[mod1] [mod2]" or "{object.o}", separated by single spaces.
        let annotationStart = position
        guard validAnnotation(bytes, from: annotationStart, to: end) else {
            return .failure(Problem(kind: .annotation, column: annotationStart &- start, fieldEnd: end))
        }
        return .success(Line(address: address, typeCode: typeCode, nameStart: nameStart, nameLength: nameLength,
                             annotationStart: annotationStart, annotationLength: end &- annotationStart,
                             nameHighBits: highBits, nameBarBits: barBits))
    }

    /// Decodes 16 hex digits, or returns nil if any byte is not one.
    ///
    /// `cache` holds the last upper eight digits seen and their value: in a
    /// kernel table nearly every address starts `ffffffff`, so the upper half
    /// is decoded (and validated) only when its bytes change.
    @inline(__always)
    static func decodeHex16(_ digits: UnsafePointer<UInt8>, cache: inout (digits: UInt64, value: UInt64)) -> UInt64? {
        let raw = UnsafeRawPointer(digits)
        let high = raw.loadUnaligned(as: UInt64.self)
        if high != cache.digits {
            guard let value = decodeHex8(high) else { return nil }
            cache = (high, value)
        }
        guard let low = decodeHex8(raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) else { return nil }
        return cache.value &<< 32 | low
    }

    /// Decodes 8 ASCII hex digits held little-endian in a word (the first digit
    /// in the lowest byte, as loaded from memory), all lanes at once.
    @inline(__always)
    static func decodeHex8(_ word: UInt64) -> UInt64? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        guard word & highs == 0 else { return nil }
        // With the top bit forced on, (lane - n) keeps it exactly when lane >= n,
        // and never borrows from the next lane.
        let raised = word | highs
        let isDigit = (raised &- ones &* 0x30) & ~(raised &- ones &* 0x3A) & highs
        let lowered = word | ones &* 0x20 | highs
        let isLetter = (lowered &- ones &* 0x61) & ~(lowered &- ones &* 0x67) & highs
        guard isDigit | isLetter == highs else { return nil }
        // '0'-'9' are 0x30-0x39, letters 0x41-0x46 or 0x61-0x66: low nibble, plus 9 for letters.
        var value = (word & (ones &* 0x0F)) &+ ((word &>> 6) & ones) &* 9
        // Pack nibbles; the first digit is the most significant. Each step
        // joins neighbouring lanes (the lower one is the more significant)
        // by one shift each way and one mask: the two parts' bits never
        // overlap, so the sum carries nothing (two masks a step cost 7
        // instructions more a line).
        value = (value &<< 4 &+ value &>> 8) & 0x00FF_00FF_00FF_00FF
        value = (value &<< 8 &+ value &>> 16) & 0x0000_FFFF_0000_FFFF
        value = (value &<< 16 &+ value &>> 32) & 0x0000_0000_FFFF_FFFF
        return value
    }

    /// The first position in `from..<to` whose byte is not a name byte (or `to`).
    ///
    /// Looks at 16 bytes at a time as a vector, then at the last few as a
    /// word of 8: there a byte below 0x21 or equal to 0x7F sets its lane's
    /// top bit in `special` (the classic "has a byte less than n" trick,
    /// exact for ASCII; bytes from 0x80 are name bytes and are masked out).
    /// The name's bytes are ORed into `highBits` (a byte of 0x80 or more shows
    /// as a lane's top bit) and each `|` sets its lane's top bit in `barBits`
    /// (`file.c|name` names carry a file): two facts, kept apart.
    @inline(__always)
    static func firstNonNameByte(_ text: UnsafePointer<UInt8>, from start: Int, to end: Int,
                                 highBits: inout UInt64, barBits: inout UInt64) -> Int {
        var position = start
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // This name's facts, merged into the caller's once: ORed into them
        // word by word, they were kept in memory (the parse loop holds too
        // many values for the registers), a store-to-load chain on every word.
        var nameHighBits: UInt64 = 0
        var nameBarBits: UInt64 = 0
        // Sixteen bytes at a time first, as two words in one vector: the
        // word tricks below, two lanes an instruction. (Byte-lane compares,
        // `.<=` on `SIMD16<UInt8>`, became a loop over the lanes inside the
        // parse loop.) The facts stay in vectors until the name ends.
        let vectorOnes = SIMD2<UInt64>(repeating: ones)
        let vectorHighs = SIMD2<UInt64>(repeating: highs)
        var vectorBytes = SIMD2<UInt64>()
        var vectorBars = SIMD2<UInt64>()
        while position &+ 16 <= end {
            let words = UnsafeRawPointer(text + position).loadUnaligned(as: SIMD2<UInt64>.self)
            let below = (words &- vectorOnes &* 0x21) & ~words & vectorHighs
            let del = words ^ vectorOnes &* 0x7F
            let bar = words ^ vectorOnes &* 0x7C
            let special = below | (del &- vectorOnes) & ~del & vectorHighs
            let isBar = (bar &- vectorOnes) & ~bar & vectorHighs
            if special[0] | special[1] != 0 {
                // The first word with a stop holds the name's end; the second
                // counts only when the first has none.
                let first = special[0] != 0
                let word = first ? words[0] : words[1]
                let index = (first ? special[0] : special[1]).trailingZeroBitCount &>> 3
                let nameLanes = (1 &<< UInt64(index &* 8)) &- 1
                let whole = first ? 0 : words[0]
                let wholeBars = first ? 0 : isBar[0]
                highBits |= vectorBytes[0] | vectorBytes[1] | whole | word & nameLanes
                barBits |= vectorBars[0] | vectorBars[1] | wholeBars | (first ? isBar[0] : isBar[1]) & nameLanes
                return position &+ (first ? 0 : 8) &+ index
            }
            vectorBytes |= words
            vectorBars |= isBar
            position &+= 16
        }
        nameHighBits = vectorBytes[0] | vectorBytes[1]
        nameBarBits = vectorBars[0] | vectorBars[1]
        while position &+ 8 <= end {
            let word = UnsafeRawPointer(text + position).loadUnaligned(as: UInt64.self)
            let below = (word &- ones &* 0x21) & ~word & highs
            let del = word ^ (ones &* 0x7F)
            let isDel = (del &- ones) & ~del & highs
            let special = below | isDel
            let bar = word ^ (ones &* 0x7C)
            let isBar = (bar &- ones) & ~bar & highs
            if special != 0 {
                let index = special.trailingZeroBitCount &>> 3
                // Only the name's bytes (those before the stop) count.
                let nameLanes = (1 &<< UInt64(index &* 8)) &- 1
                highBits |= nameHighBits | word & nameLanes
                barBits |= nameBarBits | isBar & nameLanes
                return position &+ index
            }
            nameHighBits |= word
            nameBarBits |= isBar
            position &+= 8
        }
        highBits |= nameHighBits
        barBits |= nameBarBits
        while position < end && isNameByte(text[position]) {
            highBits |= UInt64(text[position])
            barBits |= text[position] == UInt8(ascii: "|") ? 0x80 : 0
            position &+= 1
        }
        return position
    }

    static func validAnnotation(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        var position = start
        guard position < end else { return false }
        while position < end {
            let open = bytes[position]
            let close: UInt8
            switch open {
            case UInt8(ascii: "["): close = UInt8(ascii: "]")
            case UInt8(ascii: "{"): close = UInt8(ascii: "}")
            default: return false
            }
            position += 1
            let itemStart = position
            while position < end && bytes[position] != close {
                let byte = bytes[position]
                guard isNameByte(byte), byte != UInt8(ascii: "["), byte != UInt8(ascii: "{"),
                      byte != UInt8(ascii: "]"), byte != UInt8(ascii: "}") else { return false }
                position += 1
            }
            guard position < end, position > itemStart else { return false }
            position += 1  // the closing bracket
            if position < end {
                guard bytes[position] == UInt8(ascii: " "), position + 1 < end else { return false }
                position += 1
            }
        }
        return true
    }

    /// A name byte is anything printable but space: kernel names are C
    /// identifiers plus `.`, `$` and the like, but nm may print any of them.
    @inline(__always)
    static func isNameByte(_ byte: UInt8) -> Bool { byte > 0x20 && byte != 0x7F }

    /// Hex digit values, 0xFF for other bytes. A pointer, not an array, so the
    /// line loop pays for neither bounds checks nor lazy-initialisation checks.
    nonisolated(unsafe) static let hexTable: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: 0xFF, count: 256)
        for (value, digit) in "0123456789abcdef".utf8.enumerated() { table[Int(digit)] = UInt8(value) }
        for (value, digit) in "ABCDEF".utf8.enumerated() { table[Int(digit)] = UInt8(value + 10) }
        return UnsafePointer(table)
    }()

    /// ``SymbolType`` codes by byte, 0xFF for bytes that are not type letters.
    nonisolated(unsafe) static let typeCodeTable: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for byte in 0..<256 { table[byte] = SymbolType.codeOfByte[byte] }
        return UnsafePointer(table)
    }()

    @inline(__always)
    static func findNewline(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let remaining = bytes.count - start
        guard remaining > 0, let found = memchr(bytes.baseAddress! + start, 0x0A, remaining) else { return bytes.count }
        return bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    // MARK: - The whole input

    private static func emptyInputError(_ source: String) -> KallsymsError {
        KallsymsError(code: .emptyInput, source: source, message: "the input is empty: it holds no symbols",
                      hint: "if this is /proc/kallsyms read inside a container, the kernel may hide it; pass a saved copy with --input")
    }

    /// Rejects inputs that are wrong as a whole before looking at lines, so the
    /// message says what the file is rather than what its first line lacks.
    static func rejectWholeInputProblems(_ text: UnsafeBufferPointer<UInt8>, source: String) throws(KallsymsError) {
        if text.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw emptyInputError(source)
        }
        if text.starts(with: [0x7F, 0x45, 0x4C, 0x46]) {
            throw KallsymsError(
                code: .binaryData, source: source,
                message: "this is an ELF file, not a text symbol table",
                hint: "pass ELF files (vmlinux, .ko) with --elf; give --input /proc/kallsyms or a System.map")
        }
        let head = text.prefix(4096)
        let controlBytes = head.reduce(0) { count, byte in
            count + ((byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F ? 1 : 0)
        }
        if head.contains(0) || controlBytes * 100 > head.count {
            throw KallsymsError(
                code: .binaryData, source: source,
                message: "the input is binary data, not a text symbol table",
                hint: "give /proc/kallsyms or a System.map (plain or .gz); ELF files go with --elf")
        }
        let placeholder = Array("The real System.map is in the".utf8)
        let firstLine = text.prefix(while: { $0 != 0x0A })
        if firstLine.count < 200, firstLine.firstRange(of: placeholder) != nil {
            throw KallsymsError(
                code: .debianPlaceholder, source: source, line: 1,
                text: KallsymsError.quote(firstLine),
                message: "this is Debian's placeholder System.map, which holds no symbols",
                hint: "install the matching linux-image-<version>-dbg package and use /usr/lib/debug/boot/System.map-<version>, or read /proc/kallsyms")
        }
    }
}
