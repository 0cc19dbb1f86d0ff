/// An error, or in lenient mode a diagnostic, about input that could not be used.
///
/// Every error names its source (a path, `<stdin>` or a name you chose), and,
/// where it concerns one line, the line number, the column and the offending
/// text. Its `description` reads like a compiler diagnostic followed by what to
/// do about it:
///
///     System.map:12:1: error: expected a hex address, found "zz81000000"
///       hint: each line must look like "ffffffff81000000 T _stext"
///
/// Match on ``code`` to tell kinds apart; new codes may be added in later
/// versions without breaking your `switch` (there is no exhaustive enum).
public struct KallsymsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a value you can compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let rawValue: UInt8
        private init(_ rawValue: UInt8) { self.rawValue = rawValue }

        /// A line does not have the `ADDRESS TYPE NAME` shape.
        public static let malformedLine = Code(1)
        /// The address column is not 8 or 16 hex digits.
        public static let invalidAddress = Code(2)
        /// The type column is not an `nm` symbol type letter.
        public static let unknownType = Code(3)
        /// A symbol name is longer than the kernel's `KSYM_NAME_LEN` (512 bytes).
        public static let nameTooLong = Code(4)
        /// The module column after the tab is not `[name]` or another known form.
        public static let malformedModule = Code(5)
        /// The input holds no symbols at all.
        public static let emptyInput = Code(6)
        /// The input is binary data (for example an ELF file), not a text symbol table.
        public static let binaryData = Code(7)
        /// The input is Debian's one-line `System.map` placeholder.
        public static let debianPlaceholder = Code(8)
        /// Every address is zero: `kptr_restrict` hid them from the reader.
        public static let addressesHidden = Code(9)
        /// A file could not be opened or read.
        public static let io = Code(10)
        /// Compressed input is corrupt, truncated or not gzip at all.
        public static let compression = Code(11)
        /// The input, once decompressed, is larger than the configured limit.
        public static let inputTooLarge = Code(12)
        /// An auxiliary file (module layout, ranges) could not be understood.
        public static let malformedAuxiliaryFile = Code(13)
        /// An ELF file is malformed or truncated.
        public static let malformedELF = Code(14)
        /// DWARF debug information is malformed or truncated.
        public static let malformedDWARF = Code(15)
        /// A qualified symbol name matched no symbol.
        public static let symbolNotFound = Code(16)
        /// A qualified symbol name matched more than one symbol.
        public static let ambiguousSymbol = Code(17)
        /// A qualified symbol name could not be parsed.
        public static let malformedQuery = Code(18)

        /// A short name of the kind of error, such as `malformed line`.
        public var description: String {
            switch rawValue {
            case 1: return "malformed line"
            case 2: return "invalid address"
            case 3: return "unknown type"
            case 4: return "name too long"
            case 5: return "malformed module"
            case 6: return "empty input"
            case 7: return "binary data"
            case 8: return "Debian placeholder"
            case 9: return "addresses hidden"
            case 10: return "I/O error"
            case 11: return "compression error"
            case 12: return "input too large"
            case 13: return "malformed auxiliary file"
            case 14: return "malformed ELF"
            case 15: return "malformed DWARF"
            case 16: return "symbol not found"
            case 17: return "ambiguous symbol"
            case 18: return "malformed query"
            default: return "error \(rawValue)"
            }
        }
    }

    /// What kind of problem this is.
    public let code: Code
    /// The file path, `<stdin>`, or the source name given to the initializer.
    public let source: String
    /// The 1-based line number, when the problem is on one line.
    public let line: Int?
    /// The 1-based byte column within ``line``, when known.
    public let column: Int?
    /// The offending text (a line or a field), shortened to at most 80 bytes.
    public let text: String?
    /// What was wrong, in one sentence.
    public let message: String
    /// What to do about it, when there is something to say.
    public let hint: String?

    /// Creates an error; the library builds these, tests and tools may too.
    public init(
        code: Code, source: String, line: Int? = nil, column: Int? = nil,
        text: String? = nil, message: String, hint: String? = nil
    ) {
        self.code = code
        self.source = source
        self.line = line
        self.column = column
        self.text = text
        self.message = message
        self.hint = hint
    }

    /// `source:line:column: error: message`, then the hint on its own line.
    public var description: String {
        var location = source
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        var result = "\(location): error: \(message)"
        if let hint { result += "\n  hint: \(hint)" }
        return result
    }
}

extension KallsymsError {
    /// Quotes at most `limit` bytes of untrusted input for a message, escaping
    /// control and non-UTF-8 bytes so an error never prints binary garbage.
    static func quote(_ bytes: some Collection<UInt8>, limit: Int = 80) -> String {
        var result = "\""
        var count = 0
        var truncated = false
        for byte in bytes {
            if count == limit { truncated = true; break }
            count += 1
            switch byte {
            case UInt8(ascii: "\""): result += "\\\""
            case UInt8(ascii: "\\"): result += "\\\\"
            case UInt8(ascii: "\t"): result += "\\t"
            case UInt8(ascii: "\r"): result += "\\r"
            case 0x20..<0x7F: result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16)
                result += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        result += truncated ? "\"…" : "\""
        return result
    }
}

extension KallsymsError {
    /// The same error `lines` lines further down (for text parsed in pieces).
    func shifted(by lines: Int) -> KallsymsError {
        guard lines != 0, let line else { return self }
        return KallsymsError(code: code, source: source, line: line + lines, column: column, text: text,
                             message: message, hint: hint)
    }
}
