/// Reads the text after a symbol's tab: `[module]`, or the kallmodsyms forms
/// `[mod1] [mod2]` (a symbol shared by built-in modules) and `{object.o}`.
enum AnnotationParser {
    /// The items of an annotation in order, each with its bracket kind.
    static func items(_ annotation: [UInt8]) -> [(isObject: Bool, name: String)] {
        var result: [(Bool, String)] = []
        var position = 0
        while position < annotation.count {
            let open = annotation[position]
            let close: UInt8 = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            var end = position + 1
            while end < annotation.count && annotation[end] != close { end += 1 }
            result.append((open == UInt8(ascii: "{"), String(decoding: annotation[(position + 1)..<end], as: UTF8.self)))
            position = end + 2  // past the bracket and the separating space
        }
        return result
    }

    /// The module a `/proc/kallsyms` line belongs to: its first `[name]`, or nil
    /// for annotations that only name an object file.
    static func loadableModule(_ annotation: [UInt8]) -> String? {
        items(annotation).first(where: { !$0.isObject })?.name
    }
}
