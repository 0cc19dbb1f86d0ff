/// What a `/proc/kallmodsyms` line says after its tab: the modules a symbol
/// belongs to, built in or not, and, where the name would otherwise be
/// ambiguous, the object file it was compiled into.
///
/// The kallmodsyms patches (Nick Alcock, v10, December 2022) print
///
///     ffffffffa6007520 t rapl_pmu_event_init  [rapl]
///     ffffffffa6007710 t amd_pmu_event_map    {core.o}
///     ffffffff97d82520 t lio_ethtool_get_channels     [liquidio] [liquidio_vf]
///     ffffffff97d91a80 t cn23xx_vf_mbox_thread        [liquidio] [liquidio_vf] {cn23xx_vf_device.o}
///
/// `[module]` names a module even when it is built in; several of them mean
/// an object linked into each of those modules. `{object.o}` appears only
/// where (symbol, modules) would collide, shortened by dropping leading
/// directories for as long as that stays unambiguous, so it is a trailing
/// part of the object's path (`{amd/core.o}`). Plain `/proc/kallsyms`
/// module annotations (`[xfs]`) are the one-module case.
struct KallmodsymsAnnotation: Sendable, Hashable, CustomStringConvertible {
    /// The `[module]` names, in the order given.
    let modules: [String]
    /// The `{object.o}` name, when there is one.
    let objectFile: String?

    /// An annotation with the given parts.
    init(modules: [String] = [], objectFile: String? = nil) {
        self.modules = modules
        self.objectFile = objectFile
    }

    /// Parses the text after a symbol line's tab.
    ///
    /// Items are `[name]` or `{name}`, separated by spaces or tabs; a
    /// trailing `\r` is ignored. An empty annotation gives no modules and no
    /// object file.
    ///
    /// - Parameters:
    ///   - annotation: the bytes after the tab.
    ///   - source: the input's name, for error messages.
    ///   - line: the line number, for error messages.
    /// - Throws: ``KallsymsError`` with code `.malformedModule` for text
    ///   outside brackets, an unclosed or empty bracket, a bracket inside a
    ///   name, whitespace in a name, or a second `{object}`.
    init(parsing annotation: some Collection<UInt8>, source: String = "<annotation>", line: Int? = nil) throws(KallsymsError) {
        let bytes = Array(annotation)
        func fail(_ message: String, at position: Int) -> KallsymsError {
            KallsymsError(
                code: .malformedModule, source: source, line: line, column: position + 1,
                text: KallsymsError.quote(bytes), message: message,
                hint: "the text after the tab must be \"[module]\", \"[mod1] [mod2]\" or \"[module] {object.o}\"")
        }
        var modules: [String] = []
        var objectFile: String?
        var position = 0
        var end = bytes.count
        while end > 0 && Self.isSpace(bytes[end - 1]) { end -= 1 }
        while position < end {
            let open = bytes[position]
            if Self.isSpace(open) { position += 1; continue }
            let close: UInt8
            switch open {
            case UInt8(ascii: "["): close = UInt8(ascii: "]")
            case UInt8(ascii: "{"): close = UInt8(ascii: "}")
            default:
                throw fail("expected \"[\" or \"{\", found \(KallsymsError.quote(bytes[position..<end]))", at: position)
            }
            var index = position + 1
            while index < end && bytes[index] != close {
                let byte = bytes[index]
                if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "]")
                    || byte == UInt8(ascii: "}") {
                    throw fail("unexpected \(KallsymsError.quote([byte])) inside \(KallsymsError.quote([open]))", at: index)
                }
                if Self.isSpace(byte) || byte < 0x20 {
                    throw fail("a module or object name cannot contain whitespace or control bytes", at: index)
                }
                index += 1
            }
            guard index < end else {
                throw fail("\(KallsymsError.quote([open])) is never closed", at: position)
            }
            guard index > position + 1 else {
                throw fail("empty \(KallsymsError.quote([open, close]))", at: position)
            }
            let name = String(decoding: bytes[(position + 1)..<index], as: UTF8.self)
            if open == UInt8(ascii: "{") {
                guard objectFile == nil else { throw fail("a second object file {\(name)}", at: position) }
                objectFile = name
            } else {
                modules.append(name)
            }
            position = index + 1
            if position < end && !Self.isSpace(bytes[position]) {
                throw fail("expected a space after \(KallsymsError.quote([close]))", at: position)
            }
        }
        self.modules = modules
        self.objectFile = objectFile
    }

    /// The annotation as kallmodsyms prints it: `[mod1] [mod2] {object.o}`.
    var description: String {
        var items = modules.map { "[\($0)]" }
        if let objectFile { items.append("{\(objectFile)}") }
        return items.joined(separator: " ")
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
