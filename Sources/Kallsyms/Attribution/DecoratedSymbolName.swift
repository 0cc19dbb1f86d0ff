/// A symbol name that already says which file it comes from, split into the
/// plain name and that file hint.
///
/// Two spellings exist:
///
/// - **kas_alias** (`scripts/kas_alias.py`, Alessandro Carminati's patch
///   series, 2023, `CONFIG_KALLSYMS_ALIAS_SRCLINE`): for every duplicated
///   name the build adds, at the same address, an alias made of the name,
///   a separator (`@` by default) and the `addr2line` answer for the address
///   with the source root stripped and every character that is not a letter
///   or digit replaced by `_`:
///
///       ffffd15671e532a4 t gic_mask_irq
///       ffffd15671e532a4 t gic_mask_irq@drivers_irqchip_irq_gic_v3_c_407
///
///   Since `/`, `.`, `-` and `_` all became `_`, the path cannot be recovered;
///   the suffix is kept as written and compared by mangling candidate paths
///   the same way (``matchesMangled(canonicalPath:)``). `addr2line` may add
///   ` (discriminator N)`, which becomes `__discriminator_N_`, and prints `?`
///   for an unknown line, which becomes `_`.
/// - **`file|name`**, as some tools print a local symbol: the hint is a path.
///
///     DecoratedSymbolName.decode("init_once@fs_inode_c_1203")
///     // baseName "init_once", fileHint .kasAlias(mangled: "fs_inode_c_1203")
struct DecoratedSymbolName: Sendable, Hashable {
    /// Where the file hint came from, and what it holds.
    enum FileHint: Sendable, Hashable {
        /// A kas_alias suffix as written, line number included (`fs_inode_c_1203`).
        case kasAlias(mangled: String)
        /// The path of a `file|name` name, as written (`fs/inode.c`).
        case path(String)
    }

    /// The name the kernel gave the symbol (`init_once`).
    let baseName: String
    /// The file the decoration names.
    let fileHint: FileHint

    /// Splits `name` when it carries a file; nil for a plain name.
    ///
    /// A kas_alias name is `BASE@SUFFIX` with a non-empty base, and a suffix of
    /// letters, digits and `_` that ends in a line number (`_1203`, or
    /// `_1203__discriminator_2_`, or `__` for an unknown line). Kernel symbol
    /// names never contain `@` otherwise. A `file|name` name has text on both
    /// sides of its first `|`.
    static func decode(_ name: String) -> DecoratedSymbolName? {
        if let at = name.firstIndex(of: "@") {
            let base = name[..<at]
            let suffix = name[name.index(after: at)...]
            guard !base.isEmpty, KasAliasSuffix(suffix) != nil else { return nil }
            return DecoratedSymbolName(baseName: String(base), fileHint: .kasAlias(mangled: String(suffix)))
        }
        if let bar = name.firstIndex(of: "|") {
            let file = name[..<bar]
            let base = name[name.index(after: bar)...]
            guard !file.isEmpty, !base.isEmpty, !base.contains("|") else { return nil }
            return DecoratedSymbolName(baseName: String(base), fileHint: .path(String(file)))
        }
        return nil
    }

    /// For a kas_alias name, the mangled path without the line number
    /// (`fs_inode_c`); nil for a `file|name` name.
    var mangledPath: String? {
        guard case .kasAlias(let mangled) = fileHint else { return nil }
        return KasAliasSuffix(mangled[...])?.path
    }

    /// For a kas_alias name, the source line it names, when known.
    var line: Int? {
        guard case .kasAlias(let mangled) = fileHint else { return nil }
        return KasAliasSuffix(mangled[...])?.line
    }

    /// Whether the file at `canonicalPath` is the one the decoration names:
    /// by ``matchesMangled(canonicalPath:)`` for kas_alias, by
    /// ``SourcePath/Pattern`` for `file|name` (a kallmodsyms object file
    /// included, as in `name@path` queries).
    func matches(canonicalPath: String) -> Bool {
        switch fileHint {
        case .kasAlias:
            return matchesMangled(canonicalPath: canonicalPath)
        case .path(let path):
            let pattern = SourcePath.Pattern(path)
            return pattern.matches(canonicalPath) || pattern.matchesObject(canonicalPath)
        }
    }

    /// Whether mangling `canonicalPath` as kas_alias does gives this alias's
    /// path. The alias holds the path `addr2line` printed, less the source
    /// root kas_alias was told about; when that did not strip everything
    /// (an out-of-tree build), the tree-relative path is what it ends with,
    /// so a match at a `_` boundary also counts. Use
    /// ``mangledMatchIsExact(canonicalPath:)`` to prefer exact matches.
    /// False for `file|name` names.
    func matchesMangled(canonicalPath: String) -> Bool {
        guard let path = mangledPath else { return false }
        let mangled = Self.mangle(canonicalPath)
        guard !mangled.isEmpty else { return false }
        return path == mangled || path.hasSuffix("_" + mangled)
    }

    /// Whether the mangled `canonicalPath` is this alias's whole path.
    func mangledMatchIsExact(canonicalPath: String) -> Bool {
        guard let path = mangledPath else { return false }
        return path == Self.mangle(canonicalPath)
    }

    /// Mangles `text` the way kas_alias does: every character that is not a
    /// letter or digit becomes `_` (Python's `str.isalnum`, so non-ASCII
    /// letters stay).
    static func mangle(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let keep: Bool
            if scalar.isASCII {
                let value = scalar.value
                keep = (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
            } else {
                keep = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            }
            result.append(keep ? scalar : "_")
        }
        return String(result)
    }

    /// Mangles a canonical path and a line number into a kas_alias suffix
    /// (`fs/inode.c`, 1203 → `fs_inode_c_1203`).
    static func kasAliasSuffix(canonicalPath: String, line: Int) -> String {
        mangle("\(canonicalPath):\(line)")
    }
}

/// A kas_alias suffix taken apart: the mangled path and the line.
private struct KasAliasSuffix {
    let path: String
    let line: Int?

    init?(_ suffix: Substring) {
        let bytes = Array(suffix.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x80 || Self.isWordByte($0) }) else { return nil }
        var end = bytes.count
        // ` (discriminator N)` became `__discriminator_N_`.
        let marker = Array("__discriminator_".utf8)
        if bytes.last == UInt8(ascii: "_") {
            var digitsStart = end - 1
            while digitsStart > 0 && Self.isDigit(bytes[digitsStart - 1]) { digitsStart -= 1 }
            if digitsStart < end - 1, digitsStart >= marker.count,
               bytes[(digitsStart - marker.count)..<digitsStart].elementsEqual(marker) {
                end = digitsStart - marker.count
            }
        }
        var digitsStart = end
        while digitsStart > 0 && Self.isDigit(bytes[digitsStart - 1]) { digitsStart -= 1 }
        if digitsStart < end {
            // `:1203` became `_1203`.
            guard digitsStart >= 2, bytes[digitsStart - 1] == UInt8(ascii: "_"), end - digitsStart <= 9 else { return nil }
            line = Int(String(decoding: bytes[digitsStart..<end], as: UTF8.self))
            path = String(decoding: bytes[..<(digitsStart - 1)], as: UTF8.self)
        } else {
            // `:?` (line unknown) became `__`.
            guard end >= 3, bytes[end - 1] == UInt8(ascii: "_"), bytes[end - 2] == UInt8(ascii: "_") else { return nil }
            line = nil
            path = String(decoding: bytes[..<(end - 2)], as: UTF8.self)
        }
        guard !path.isEmpty, path != "_" else { return nil }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isWordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == UInt8(ascii: "_")
            || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }
}
