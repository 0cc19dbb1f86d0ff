#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One thread's share of the parse: the lines of a range of the text, into
/// columns of its own, with its own annotation table.
struct ParseRun {
    let addresses: UnsafeMutablePointer<UInt64>
    let typeCodes: UnsafeMutablePointer<UInt8>
    let nameStarts: UnsafeMutablePointer<UInt32>
    let nameLengths: UnsafeMutablePointer<UInt16>
    let annotationColumn: UnsafeMutablePointer<UInt16>
    let prefixedNames: UnsafeMutablePointer<UInt8>
    /// Pair counts of every `sampleMask + 1`th accepted name but `__pfx_` ones.
    let pairCounts = NamePairCounts()
    let sampleMask: Int
    var count = 0
    /// Raw annotation text by id; id 0 is "none".
    var annotations: [[UInt8]] = [[]]
    var annotationIDs: [[UInt8]: UInt16] = [:]
    var diagnostics: [KallsymsError] = []
    /// The first bad line, in strict mode.
    var error: KallsymsError?
    /// Hex digits of the first symbol's address.
    var addressWidth = 16
    /// The OR of all name bytes.
    var highBits: UInt64 = 0
    /// Nonzero when some name has a `|`.
    var barBits: UInt64 = 0
    /// The section markers among this run's symbols.
    var markers = KernelMarkers()
    /// How many accepted names begin with `__pfx_`.
    var paddingNames = 0

    /// The id of annotation `key`, added to the table if new; nil when the
    /// table is full (ids are 16-bit, 0 meaning none).
    mutating func intern(_ key: [UInt8]) -> UInt16? {
        if let known = annotationIDs[key] { return known }
        guard annotations.count < Int(UInt16.max) else { return nil }
        let id = UInt16(annotations.count)
        annotations.append(key)
        annotationIDs[key] = id
        return id
    }

    /// Counts the pairs of accepted name number `accepted`, when it is a
    /// sampled one; the caller passes no `__pfx_` names.
    @inline(__always)
    func sample(_ name: UnsafePointer<UInt8>, count length: Int, accepted: Int) {
        guard accepted & sampleMask == 0 else { return }
        pairCounts.add(name, count: length)
    }

    static func tooManyAnnotations(source: String, line: Int?) -> KallsymsError {
        KallsymsError(code: .malformedModule, source: source, line: line,
                      message: "more than 65534 distinct module annotations",
                      hint: "this is not a kernel symbol table a running kernel produces")
    }

    /// Room for `capacity` lines: the most the range can hold (13 bytes a
    /// line at the least); untouched pages of the over-allocation cost nothing.
    /// Names are sampled for ``pairCounts`` every `samplingStep` (a power of two) lines.
    init(capacity: Int, samplingStep: Int) {
        sampleMask = samplingStep - 1
        addresses = .allocate(capacity: capacity)
        typeCodes = .allocate(capacity: capacity)
        nameStarts = .allocate(capacity: capacity)
        nameLengths = .allocate(capacity: capacity)
        annotationColumn = .allocate(capacity: capacity)
        prefixedNames = .allocate(capacity: capacity)
    }

    func deallocate() {
        addresses.deallocate()
        typeCodes.deallocate()
        nameStarts.deallocate()
        nameLengths.deallocate()
        annotationColumn.deallocate()
        prefixedNames.deallocate()
        pairCounts.deallocate()
    }

    /// Parses the lines in `range`, which starts at a line start and ends
    /// after a newline (or at the end of the text). Line numbers count from 1
    /// at the range's start. In strict mode the first bad line stops the run
    /// and is kept in ``error``.
    mutating func run(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, source: String, lenient: Bool) {
        let end = range.upperBound
        let base = bytes.baseAddress!
        let hex = SymbolTableParser.hexTable
        let types = SymbolTableParser.typeCodeTable
        var lastAnnotation: (start: Int, length: Int, id: UInt16) = (0, 0, 0)
        // Zero bytes are never hex digits, so the first address fills this.
        var upperDigits: (digits: UInt64, value: UInt64) = (0, 0)
        var lineStart = range.lowerBound
        // The running state in locals, stored back once. As stored properties
        // of `self` (which the column stores might alias, as far as the
        // compiler knows) the name scan ORed into memory every 8 bytes, a
        // chain through memory that took a quarter of the parse's time by
        // perf's samples, and every line reloaded the column pointers.
        var count = self.count
        var paddingNames = self.paddingNames
        var highBits = self.highBits
        var barBits = self.barBits
        let (addresses, typeCodes, nameStarts, nameLengths, annotationColumn, prefixedNames)
            = (self.addresses, self.typeCodes, self.nameStarts, self.nameLengths, self.annotationColumn,
               self.prefixedNames)
        // The last accepted line's name when it begins with `__pfx_` (else a
        // length of -1), to compare with the next line's while both are in cache.
        var padding = (start: 0, length: -1)
        /// Records accepted line `count` (both paths take lines through
        /// here): its columns; whether its name begins with `__pfx_`, and
        /// whether it names the previous line's padding; its byte pairs when
        /// it is sampled; and whether it is a section marker.
        @inline(__always)
        func accept(address: UInt64, typeCode: UInt8, nameStart: Int, nameLength: Int, annotation: UInt16) {
            let name = base + nameStart
            if nameLength == padding.length &- 6
                && NameCodec.equalBytes(base + padding.start + 6, name, count: nameLength) {
                prefixedNames[count &- 1] = ParsedTable.NamePrefix.paddingOfNext
            }
            let prefixed = IndexStorage.hasPrefixName(UnsafeRawBufferPointer(start: name, count: nameLength))
            prefixedNames[count] = prefixed ? ParsedTable.NamePrefix.padding : ParsedTable.NamePrefix.none
            padding = prefixed ? (nameStart, nameLength) : (0, -1)
            paddingNames &+= prefixed ? 1 : 0
            if !prefixed { sample(name, count: nameLength, accepted: count) }
            if KernelMarkers.mayBeMarker(first: name.pointee, count: nameLength) {
                markers.note(name, count: nameLength, address: address)
            }
            addresses[count] = address
            typeCodes[count] = typeCode
            nameStarts[count] = UInt32(truncatingIfNeeded: nameStart)
            nameLengths[count] = UInt16(truncatingIfNeeded: nameLength)
            annotationColumn[count] = annotation
            count &+= 1
        }
        defer {
            self.count = count
            self.paddingNames = paddingNames
            self.highBits = highBits
            self.barBits = barBits
        }
        var lineNumber = 0
        while lineStart < end {
            lineNumber &+= 1
            // Fast path: a well-formed 64-bit line without a module column, the
            // shape of all of vmlinux. It finds the line's end from the name's
            // terminator, so it needs no separate newline search.
            if lineStart &+ 20 <= end, base[lineStart &+ 16] == UInt8(ascii: " "),
               base[lineStart &+ 18] == UInt8(ascii: " "),
               let address = SymbolTableParser.decodeHex16(base + lineStart, cache: &upperDigits) {
                let typeCode = types[Int(base[lineStart &+ 17])]
                let nameStart = lineStart &+ 19
                let stop = SymbolTableParser.firstNonNameByte(base, from: nameStart, to: end, highBits: &highBits,
                                                                  barBits: &barBits)
                let nameLength = stop &- nameStart
                var next = -1
                if stop == end {
                    next = end
                } else if base[stop] == UInt8(ascii: "\n") {
                    next = stop &+ 1
                } else if base[stop] == UInt8(ascii: "\r") && (stop &+ 1 == end || base[stop &+ 1] == UInt8(ascii: "\n")) {
                    next = min(stop &+ 2, end)
                }
                if next >= 0 && typeCode != 0xFF && nameLength > 0 && nameLength <= SymbolTableParser.maximumNameLength {
                    accept(address: address, typeCode: typeCode, nameStart: nameStart, nameLength: nameLength,
                           annotation: 0)
                    lineStart = next
                    continue
                }
            }
            let lineEnd = min(SymbolTableParser.findNewline(bytes, from: lineStart), end)
            var contentEnd = lineEnd
            if contentEnd > lineStart && bytes[contentEnd &- 1] == UInt8(ascii: "\r") { contentEnd &-= 1 }
            defer { lineStart = lineEnd &+ 1 }
            if contentEnd == lineStart { continue }  // blank line

            switch SymbolTableParser.parseLine(bytes, start: lineStart, end: contentEnd, hex: hex, types: types) {
            case .success(let line):
                var annotationID: UInt16 = 0
                if line.annotationLength > 0 {
                    if line.annotationLength == lastAnnotation.length,
                       memcmp(base + line.annotationStart, base + lastAnnotation.start, line.annotationLength) == 0 {
                        annotationID = lastAnnotation.id
                    } else {
                        let key = Array(bytes[line.annotationStart..<line.annotationStart + line.annotationLength])
                        guard let id = intern(key) else {
                            error = ParseRun.tooManyAnnotations(source: source, line: lineNumber)
                            return
                        }
                        annotationID = id
                        lastAnnotation = (line.annotationStart, line.annotationLength, annotationID)
                    }
                }
                if count == 0 { addressWidth = line.nameStart &- lineStart &- 3 }
                highBits |= line.nameHighBits
                barBits |= line.nameBarBits
                accept(address: line.address, typeCode: line.typeCode, nameStart: line.nameStart,
                       nameLength: line.nameLength, annotation: annotationID)
            case .failure(let problem):
                let problemError = problem.error(bytes, lineStart: lineStart, lineEnd: contentEnd,
                                                 line: lineNumber, source: source)
                guard lenient else {
                    error = problemError
                    return
                }
                diagnostics.append(problemError)
            }
        }
    }
}
