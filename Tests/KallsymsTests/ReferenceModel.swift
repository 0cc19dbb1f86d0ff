/// A naive, independent model of what the kernel's `%pS` prints for an
/// address, written for clarity rather than speed: it parses the text with
/// plain String code and answers each query by scanning every symbol (only
/// the scan is written with care, since debug builds run it thousands of times).
///
/// The rules it implements (the kernel's `kallsyms_lookup` and
/// `scripts/kallsyms.c`, as the library intends to mirror them):
/// - vmlinux symbols below `_text`/`_stext` (per-cpu offsets, `A` values) are
///   absolute: never an answer. In a module, `A`/`a` symbols outside the
///   module's other symbols are absolute too.
/// - vmlinux resolves only inside its coverage: `[_stext, _etext)` and
///   `[_sinittext, _einittext)` for a text-only table (every symbol but the
///   `__start_*`/`__stop_*` markers lies in the text ranges, ends included),
///   `[_stext, _end)` otherwise. A module resolves from its lowest symbol to
///   its end from `/proc/modules`, or, without that, its last symbol only at
///   its own address.
/// - The candidate is the symbol with the greatest address at or below the
///   query. Among aliases, vmlinux prefers (scripts/kallsyms.c
///   `compare_symbols`) non-weak (`W`/`w`) names, then names that are not
///   linker-script markers, then fewer leading underscores, then file order;
///   a module takes the first in file order.
/// - The size reaches to the next higher address in the same region, and not
///   past the end of the coverage range.
struct ReferenceModel: Sendable {
    struct Placement: Sendable, Hashable {
        var base: UInt64
        var size: UInt64
    }

    enum Coverage: Sendable, Equatable {
        case textOnly, wholeImage, unbounded
    }

    struct AddressRange: Sendable {
        var start: UInt64
        var end: UInt64?
        func contains(_ address: UInt64) -> Bool {
            address >= start && (end.map { address < $0 } ?? true)
        }
    }

    let symbols: [ReferenceSymbol]
    /// 0 is vmlinux; modules are numbered in order of first appearance.
    let regionOfSymbol: [Int]
    let regionNames: [String?]
    let isAbsolute: [Bool]
    /// Per region, the address ranges that resolve.
    let ranges: [[AddressRange]]
    let coverage: Coverage
    let markers: [String: UInt64]

    // The non-absolute symbols as flat arrays, for the linear scans.
    private let scanAddress: [UInt64]
    private let scanRegion: [Int]
    private let scan: LinearScan
    /// The non-absolute symbols at each address.
    let aliasesAt: [UInt64: [Int]]
    /// Per region, the lowest and highest non-absolute address.
    private let spans: [(low: UInt64, high: UInt64)?]

    // MARK: - Parsing

    /// Parses `ADDRESS TYPE NAME[\tANNOTATION]` lines. Expects valid input.
    static func parse(_ text: [UInt8]) -> [ReferenceSymbol] {
        var result: [ReferenceSymbol] = []
        result.reserveCapacity(text.count / 30)
        var lineNumber = 0
        for rawLine in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.isEmpty { continue }
            // ADDRESS SPACE TYPE SPACE NAME [TAB ANNOTATION]
            let tab = line.firstIndex(of: UInt8(ascii: "\t")) ?? line.endIndex
            let fields = line[..<tab]
            guard let firstSpace = fields.firstIndex(of: UInt8(ascii: " ")),
                  fields.index(firstSpace, offsetBy: 2) < fields.endIndex,
                  fields[fields.index(firstSpace, offsetBy: 2)] == UInt8(ascii: " ") else {
                preconditionFailure("reference parser: bad line \(lineNumber)")
            }
            var address: UInt64 = 0
            for digit in fields[..<firstSpace] {
                let value: UInt8
                switch digit {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = digit - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = digit - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): value = digit - UInt8(ascii: "A") + 10
                default: preconditionFailure("reference parser: bad address on line \(lineNumber)")
                }
                address = address << 4 | UInt64(value)
            }
            let type = Character(Unicode.Scalar(fields[firstSpace + 1]))
            let name = String(decoding: fields[(firstSpace + 3)...], as: UTF8.self)
            precondition(!name.isEmpty && !name.contains(" "), "reference parser: bad name on line \(lineNumber)")
            var module: String?
            if tab < line.endIndex {
                for item in String(decoding: line[(tab + 1)...], as: UTF8.self).split(separator: " ")
                where item.hasPrefix("[") && item.hasSuffix("]") {
                    module = String(item.dropFirst().dropLast())
                    break
                }
            }
            result.append(ReferenceSymbol(line: lineNumber, address: address, type: type, name: name, module: module))
        }
        return result
    }

    /// Parses `/proc/modules`: `name size refs users state 0xaddress`.
    static func parseProcModules(_ text: [UInt8]) -> [String: Placement] {
        var result: [String: Placement] = [:]
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 6, let size = UInt64(fields[1]),
                  let base = UInt64(fields[5].dropFirst(2), radix: 16) else { continue }
            result[String(fields[0])] = Placement(base: base, size: size)
        }
        return result
    }

    init(text: [UInt8], moduleLayout: [String: Placement] = [:]) {
        self.init(symbols: ReferenceModel.parse(text), moduleLayout: moduleLayout)
    }

    init(symbols: [ReferenceSymbol], moduleLayout: [String: Placement] = [:]) {
        self.symbols = symbols

        // Regions.
        var names: [String?] = [nil]
        var regionByName: [String: Int] = [:]
        var regionOfSymbol: [Int] = []
        for symbol in symbols {
            guard let module = symbol.module else { regionOfSymbol.append(0); continue }
            if let region = regionByName[module] {
                regionOfSymbol.append(region)
            } else {
                regionByName[module] = names.count
                regionOfSymbol.append(names.count)
                names.append(module)
            }
        }
        self.regionOfSymbol = regionOfSymbol
        regionNames = names

        // Markers: the first vmlinux symbol of each name.
        var markers: [String: UInt64] = [:]
        for (index, symbol) in symbols.enumerated() where regionOfSymbol[index] == 0 {
            if ["_text", "_stext", "_etext", "_sinittext", "_einittext", "_end"].contains(symbol.name),
               markers[symbol.name] == nil {
                markers[symbol.name] = symbol.address
            }
        }
        self.markers = markers

        // Absolute symbols.
        let isAbsoluteType = symbols.map { $0.type == "A" || $0.type == "a" }
        var kernelLow: UInt64?
        if let text = markers["_text"], let stext = markers["_stext"] { kernelLow = min(text, stext) }
        else { kernelLow = markers["_text"] ?? markers["_stext"] }
        if kernelLow == nil {
            kernelLow = symbols.indices
                .filter { regionOfSymbol[$0] == 0 && (symbols[$0].type == "T" || symbols[$0].type == "t") }
                .map { symbols[$0].address }.min()
        }
        var moduleLow = [UInt64](repeating: .max, count: names.count)
        var moduleHigh = [UInt64](repeating: 0, count: names.count)
        for (index, symbol) in symbols.enumerated() where regionOfSymbol[index] != 0 && !isAbsoluteType[index] {
            moduleLow[regionOfSymbol[index]] = min(moduleLow[regionOfSymbol[index]], symbol.address)
            moduleHigh[regionOfSymbol[index]] = max(moduleHigh[regionOfSymbol[index]], symbol.address)
        }
        var isAbsolute: [Bool] = []
        for (index, symbol) in symbols.enumerated() {
            let region = regionOfSymbol[index]
            if region == 0 {
                isAbsolute.append(kernelLow.map { symbol.address < $0 } ?? isAbsoluteType[index])
            } else {
                isAbsolute.append(isAbsoluteType[index]
                                  && (symbol.address < moduleLow[region] || symbol.address > moduleHigh[region]))
            }
        }
        self.isAbsolute = isAbsolute

        // vmlinux coverage.
        var ranges = [[AddressRange]](repeating: [], count: names.count)
        var coverage = Coverage.unbounded
        if let start = markers["_stext"] ?? markers["_text"] ?? kernelLow {
            var decided = false
            if let etext = markers["_etext"], etext > start {
                var textRanges = [AddressRange(start: start, end: etext)]
                if let sinit = markers["_sinittext"], let einit = markers["_einittext"], einit > sinit {
                    textRanges.append(AddressRange(start: sinit, end: einit))
                }
                let textOnly = symbols.indices.allSatisfy { index in
                    guard regionOfSymbol[index] == 0, !isAbsolute[index] else { return true }
                    let symbol = symbols[index]
                    if symbol.name.hasPrefix("__start_") || symbol.name.hasPrefix("__stop_") { return true }
                    // scripts/kallsyms.c's symbol_in_range includes the end.
                    return textRanges.contains { symbol.address >= $0.start && symbol.address <= $0.end! }
                }
                if textOnly {
                    ranges[0] = textRanges
                    coverage = .textOnly
                    decided = true
                }
            }
            if !decided, let end = markers["_end"], end > start {
                ranges[0] = [AddressRange(start: start, end: end)]
                coverage = .wholeImage
                decided = true
            }
            if !decided {
                ranges[0] = [AddressRange(start: start, end: nil)]
            }
        }
        self.coverage = coverage

        // Module coverage.
        for region in names.indices.dropFirst() where moduleLow[region] != .max {
            var end: UInt64?
            if let placement = moduleLayout[names[region]!] {
                let placementEnd = placement.base &+ placement.size
                if placement.base <= moduleLow[region] && placementEnd > moduleHigh[region] { end = placementEnd }
            }
            ranges[region] = [AddressRange(start: moduleLow[region], end: end)]
        }
        self.ranges = ranges

        var scanAddress: [UInt64] = []
        var scanRegion: [Int] = []
        for index in symbols.indices where !isAbsolute[index] {
            scanAddress.append(symbols[index].address)
            scanRegion.append(regionOfSymbol[index])
        }
        self.scanAddress = scanAddress
        self.scanRegion = scanRegion
        scan = LinearScan(addresses: scanAddress, regions: scanRegion, regionCount: names.count)
        var spans = [(low: UInt64, high: UInt64)?](repeating: nil, count: names.count)
        for index in symbols.indices where !isAbsolute[index] {
            let address = symbols[index].address
            let old = spans[regionOfSymbol[index]]
            spans[regionOfSymbol[index]] = (min(old?.low ?? address, address), max(old?.high ?? address, address))
        }
        self.spans = spans
        aliasesAt = Dictionary(grouping: symbols.indices.filter { !isAbsolute[$0] }, by: { symbols[$0].address })
    }

    // MARK: - Questions

    /// True when the symbol's own address resolves (to it or an alias).
    func isSymbolizable(_ index: Int) -> Bool {
        !isAbsolute[index] && ranges[regionOfSymbol[index]].contains { $0.contains(symbols[index].address) }
    }

    /// What `%pS` prints for `address`, by a linear scan; nil where the kernel prints a bare address.
    func lookup(_ address: UInt64) -> ReferenceAnswer? {
        guard let found = scan.scan(address) else { return nil }
        let best = found.best
        let region = scanRegion[found.position]
        guard let range = ranges[region].first(where: { $0.contains(address) }), range.contains(best) else {
            return nil
        }
        var end = found.nextAbove[region]
        if let rangeEnd = range.end { end = min(end ?? rangeEnd, rangeEnd) }
        let size: UInt64?
        if let end {
            guard address < end else { return nil }
            size = end - best
        } else {
            guard address == best else { return nil }
            size = nil
        }
        let aliases = (aliasesAt[best] ?? []).filter { regionOfSymbol[$0] == region }
        let chosen = symbols[preferred(aliases)]
        return ReferenceAnswer(name: chosen.name, address: best, size: size, offset: address - best,
                               module: chosen.module)
    }

    /// The alias `%pS` prints, among symbols of one region at one address.
    func preferred(_ aliases: [Int]) -> Int {
        precondition(!aliases.isEmpty)
        if regionOfSymbol[aliases[0]] != 0 {
            return aliases.min { symbols[$0].line < symbols[$1].line }!
        }
        return aliases.min { ReferenceModel.kernelOrder(symbols[$0]) < ReferenceModel.kernelOrder(symbols[$1]) }!
    }

    /// scripts/kallsyms.c `compare_symbols` for symbols at one address.
    static func kernelOrder(_ symbol: ReferenceSymbol) -> (Int, Int, Int, Int) {
        let weak = symbol.type == "W" || symbol.type == "w" ? 1 : 0
        let linker = isLinkerScriptMarker(symbol.name) ? 1 : 0
        let underscores = symbol.name.prefix(while: { $0 == "_" }).count
        return (weak, linker, underscores, symbol.line)
    }

    /// scripts/kallsyms.c `may_be_linker_script_provide_symbol`.
    static func isLinkerScriptMarker(_ name: String) -> Bool {
        guard name.utf8.count >= 8, name.hasPrefix("__") else { return false }
        return name.hasPrefix("__start_") || name.hasPrefix("__stop_") || name.hasPrefix("__end_")
            || name.hasSuffix("_start") || name.hasSuffix("_end")
    }

    /// Every name held by more than one symbol, with the indexes of its symbols.
    func duplicateNames() -> [String: [Int]] {
        Dictionary(grouping: symbols.indices, by: { symbols[$0].name }).filter { $0.value.count > 1 }
    }

    /// The lowest and highest address of a region's symbols, absolute symbols excluded.
    func span(ofRegion region: Int) -> (low: UInt64, high: UInt64)? {
        spans[region]
    }
}

/// The linear scan of a lookup, over plain memory: debug builds run it
/// thousands of times over 120,000 symbols, where every array accessor and
/// every closure costs a call.
final class LinearScan: @unchecked Sendable {
    private let addresses: UnsafeMutablePointer<UInt64>
    private let regions: UnsafeMutablePointer<Int>
    private let count: Int
    private let regionCount: Int

    init(addresses: [UInt64], regions: [Int], regionCount: Int) {
        count = addresses.count
        self.regionCount = regionCount
        self.addresses = .allocate(capacity: max(count, 1))
        self.regions = .allocate(capacity: max(count, 1))
        for position in 0..<count {
            self.addresses[position] = addresses[position]
            self.regions[position] = regions[position]
        }
    }

    deinit {
        addresses.deallocate()
        regions.deallocate()
    }

    /// In one pass: the greatest address at or below `address` (with a
    /// position holding it), and for every region the least address above it.
    func scan(_ address: UInt64) -> (best: UInt64, position: Int, nextAbove: [UInt64?])? {
        var best: UInt64 = 0
        var bestPosition = -1
        let nextAbove = UnsafeMutablePointer<UInt64>.allocate(capacity: regionCount)
        defer { nextAbove.deallocate() }
        nextAbove.initialize(repeating: .max, count: regionCount)
        let addresses = self.addresses
        let regions = self.regions
        for position in 0..<count {
            let candidate = addresses[position]
            if candidate <= address {
                if candidate > best || bestPosition < 0 {
                    best = candidate
                    bestPosition = position
                }
            } else {
                let region = regions[position]
                if candidate < nextAbove[region] { nextAbove[region] = candidate }
            }
        }
        guard bestPosition >= 0 else { return nil }
        // No address lies in (best, address], so the least one above `address`
        // is the least one above `best`. UInt64.max means none (no symbol sits there).
        let next = (0..<regionCount).map { nextAbove[$0] == .max ? nil : nextAbove[$0] }
        return (best, bestPosition, next)
    }
}

/// One line of a symbol table, as the reference read it.
struct ReferenceSymbol: Hashable, Sendable {
    /// 1-based line number.
    var line: Int
    var address: UInt64
    var type: Character
    var name: String
    /// The first `[name]` of the annotation; nil for vmlinux.
    var module: String?

    /// What identifies a symbol regardless of order: address, type, name, module.
    var key: String {
        String(address, radix: 16) + " " + String(type) + " " + name + (module.map { "\t[\($0)]" } ?? "")
    }
}

/// The reference's answer for one address.
struct ReferenceAnswer: Equatable, Sendable, CustomStringConvertible {
    var name: String
    var address: UInt64
    var size: UInt64?
    var offset: UInt64
    var module: String?

    /// `name+0xoff/0xsize [module]`, no module for `[bpf]`.
    var description: String {
        var text = name + "+0x" + String(offset, radix: 16) + "/0x" + String(size ?? 0, radix: 16)
        if let module, module != "bpf" { text += " [\(module)]" }
        return text
    }
}
