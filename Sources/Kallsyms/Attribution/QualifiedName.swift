/// A symbol name with as much qualification as it takes to pick one symbol:
/// `[module:]name[@path][#N]`.
///
/// - `name` alone: every symbol so named.
/// - `module:name`: in that module (`ext4:init_once`, `nfs:init_once`).
///   Module names never contain `:` or `/`.
/// - `name@path`: defined in a source file whose canonical path ends with
///   `path`, compared by whole components (`init_once@inode.c` is any
///   `…/inode.c`; `init_once@fs/inode.c` only `fs/inode.c`). See
///   ``SourcePath/Pattern``.
/// - `#N` (N ≥ 1): the Nth, in address order, of the symbols the rest still
///   leaves, for names that collide even within one file (a `static inline`
///   function from a header, `.constprop.0` and `.isra.0` clones):
///   `name@file#2`.
///
/// Kernel symbol names may contain `.` and `$` but never `:`, `@`, `#` or
/// whitespace, with one exception: a kas_alias alias is itself named
/// `name@mangled_path_line` (`init_once@fs_inode_c_1203`, see
/// ``DecoratedSymbolName``). The parser cannot tell such a name from
/// `name@path`, and need not: ``resolution(in:)`` first looks for a symbol
/// whose whole name is `name@path`, and only when there is none reads the
/// part after `@` as a path (and then, if no path matches, as a kas_alias
/// suffix).
///
/// A name holding `:`, `#` or whitespace (no kernel symbol does) cannot be
/// written as a query.
///
///     let query = try QualifiedName(parsing: "ext4:init_once")
///     query.module        // "ext4"
///     query.description   // "ext4:init_once"
struct QualifiedName: Sendable, Hashable, CustomStringConvertible {
    /// The module, when the query names one.
    var module: String?
    /// The symbol name (the part before any `@`).
    var name: String
    /// The source path pattern after `@`, as written.
    var path: String?
    /// The 1-based ordinal after `#`.
    var ordinal: Int?

    /// The largest ordinal a query may give; more would be a typo.
    static let maximumOrdinal = 999_999_999

    /// A qualified name from its parts, not checked.
    init(module: String? = nil, name: String, path: String? = nil, ordinal: Int? = nil) {
        self.module = module
        self.name = name
        self.path = path
        self.ordinal = ordinal
    }

    /// Parses a query such as `nfs:init_once`, `init_once@fs/inode.c` or
    /// `cpumask_weight.constprop.0@cn23xx_vf_device.c#2`.
    ///
    /// - Parameters:
    ///   - text: the query.
    ///   - source: a name for error messages (`<query>`, or an option name).
    /// - Throws: ``KallsymsError`` with code `.malformedQuery`, with the column
    ///   of the problem: an empty query, name, module or path; whitespace or
    ///   control characters; a module with `/` or `@` in it; a second `:`,
    ///   a `:` after the `@` (a line number); an ordinal that is not a whole
    ///   number from 1.
    init(parsing text: String, source: String = "<query>") throws(KallsymsError) {
        let bytes = Array(text.utf8)
        func fail(_ message: String, at offset: Int) -> KallsymsError {
            KallsymsError(
                code: .malformedQuery, source: source, column: offset + 1,
                text: KallsymsError.quote(bytes), message: message,
                hint: "write name, module:name, name@dir/file.c or module:name@file.c, with #N to pick the Nth of what is left")
        }
        guard !bytes.isEmpty else { throw fail("the symbol name is empty", at: 0) }
        if let bad = bytes.firstIndex(where: { $0 <= 0x20 || $0 == 0x7F }) {
            throw fail("a qualified name cannot contain whitespace or control characters", at: bad)
        }

        var end = bytes.count
        var ordinal: Int?
        if let hash = bytes.lastIndex(of: UInt8(ascii: "#")) {
            let digits = bytes[(hash + 1)...]
            guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let value = Int(String(decoding: digits, as: UTF8.self)), value >= 1, value <= Self.maximumOrdinal else {
                throw fail("expected a number from 1 after \"#\", found \(KallsymsError.quote(digits))", at: hash + 1)
            }
            if let earlier = bytes[..<hash].firstIndex(of: UInt8(ascii: "#")) {
                throw fail("\"#\" may appear only once, before the ordinal", at: earlier)
            }
            ordinal = value
            end = hash
        }

        let at = bytes[..<end].firstIndex(of: UInt8(ascii: "@"))
        if let at, let colon = bytes[at..<end].firstIndex(of: UInt8(ascii: ":")) {
            throw fail("a path cannot contain \":\"; leave out line numbers (name@dir/file.c)", at: colon)
        }
        var start = 0
        var module: String?
        if let colon = bytes[..<end].firstIndex(of: UInt8(ascii: ":")) {
            if let second = bytes[(colon + 1)..<end].firstIndex(of: UInt8(ascii: ":")) {
                throw fail("only one \":\" may separate the module from the name", at: second)
            }
            let moduleBytes = bytes[..<colon]
            guard !moduleBytes.isEmpty else { throw fail("the module name before \":\" is empty", at: colon) }
            if let slash = moduleBytes.firstIndex(of: UInt8(ascii: "/")) {
                throw fail("a module name cannot contain \"/\"; a source path goes after the name (name@dir/file.c)", at: slash)
            }
            module = String(decoding: moduleBytes, as: UTF8.self)
            start = colon + 1
        }

        let nameEnd = at ?? end
        guard nameEnd > start else { throw fail("the symbol name is empty", at: start) }
        var path: String?
        if let at {
            guard end > at + 1 else { throw fail("the source path after \"@\" is empty", at: at) }
            path = String(decoding: bytes[(at + 1)..<end], as: UTF8.self)
        }
        self.init(module: module, name: String(decoding: bytes[start..<nameEnd], as: UTF8.self),
                  path: path, ordinal: ordinal)
    }

    /// The qualified name as a query: `module:name@path#N`, with the parts
    /// that are set. Parsing it gives this value back.
    var description: String {
        var result = ""
        if let module { result += module + ":" }
        result += name
        if let path { result += "@" + path }
        if let ordinal { result += "#\(ordinal)" }
        return result
    }

    /// The name as typed before any `#`, path included: a kas_alias alias
    /// is named like this (`init_once@fs_inode_c_1203`).
    var literalName: String {
        path.map { name + "@" + $0 } ?? name
    }
}
