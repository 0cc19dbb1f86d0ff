/// Where each loaded module sits in memory, read from `/proc/modules`.
///
/// Lines look like `xfs 1970176 0 - Live 0xffffffffc0ca9000`: name, size in
/// bytes, reference count, users, state, and load address. With it, the last
/// symbol of a module ends at the module's end instead of at its own address.
public struct ModuleLayout: Sendable, Hashable {
    /// One module's placement.
    public struct Placement: Sendable, Hashable {
        /// The module's name.
        public var name: String
        /// The address `/proc/modules` prints (the start of the module's core).
        public var base: UInt64
        /// The size `/proc/modules` prints, in bytes.
        public var size: UInt64
    }

    /// Every module, in the order the file lists them (newest first).
    public private(set) var placements: [Placement] = []
    private var byName: [String: Int] = [:]

    /// Parses the text of `/proc/modules`.
    /// - Parameters:
    ///   - text: the file's bytes.
    ///   - source: a name for error messages.
    /// - Throws: ``KallsymsError`` with code `.malformedAuxiliaryFile`, naming the line.
    public init(procModules text: some Sequence<UInt8>, source: String = "/proc/modules") throws(KallsymsError) {
        var lineNumber = 0
        for line in Array(text).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            if fields.isEmpty { continue }
            guard fields.count >= 6,
                  let size = UInt64(String(decoding: fields[1], as: UTF8.self)),
                  case let addressText = String(decoding: fields[5].drop(while: { $0 == 0x0D }), as: UTF8.self)
                      .trimmingSuffix(whileIn: "\r"),
                  addressText.hasPrefix("0x"),
                  let base = UInt64(addressText.dropFirst(2), radix: 16) else {
                throw KallsymsError(
                    code: .malformedAuxiliaryFile, source: source, line: lineNumber,
                    text: KallsymsError.quote(line),
                    message: "expected \"NAME SIZE REFS USERS STATE 0xADDRESS\", found \(KallsymsError.quote(line))",
                    hint: "pass /proc/modules of the same boot as the symbol table")
            }
            let name = String(decoding: fields[0], as: UTF8.self)
            byName[name] = placements.count
            placements.append(Placement(name: name, base: base, size: size))
        }
    }

    /// Reads `/proc/modules` (or a saved copy, gzip allowed) from `path`.
    public init(contentsOf path: String) throws(KallsymsError) {
        try self.init(procModules: InputBytes.read(path: path, limit: 64 << 20), source: path)
    }

    /// The placement of the module called `name`.
    public func module(named name: String) -> Placement? {
        byName[name].map { placements[$0] }
    }

    /// Whether both place the same modules at the same addresses.
    public static func == (lhs: ModuleLayout, rhs: ModuleLayout) -> Bool { lhs.placements == rhs.placements }
    /// Hashes the placements, as `==` compares them.
    public func hash(into hasher: inout Hasher) { hasher.combine(placements) }
}

extension String {
    fileprivate func trimmingSuffix(whileIn characters: String) -> String {
        var result = self
        while let last = result.last, characters.contains(last) { result.removeLast() }
        return result
    }
}
