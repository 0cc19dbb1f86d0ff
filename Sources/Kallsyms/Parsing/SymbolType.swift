/// The `nm` type letter of a symbol, as `/proc/kallsyms` and `System.map` print it.
///
/// Uppercase letters are global symbols, lowercase ones local. Every letter
/// `nm` documents is accepted: `A a B b C c D d G g i I N n p R r S s T t U u V v W w - ?`.
public struct SymbolType: Hashable, Sendable, CustomStringConvertible {
    /// The packed code stored in the index: an offset into ``SymbolType/letters``.
    @usableFromInline let code: UInt8

    /// Every type letter, in code order.
    static let letters: [UInt8] = Array("AaBbCcDdGgiINnpRrSsTtUuVvWw-?".utf8)

    /// Maps an ASCII byte to its code, or 0xFF for bytes that are not type letters.
    static let codeOfByte: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (code, letter) in letters.enumerated() { table[Int(letter)] = UInt8(code) }
        return table
    }()

    @inlinable init(code: UInt8) { self.code = code }

    // Codes by position in `letters`, for loops that must not build a SymbolType.
    static func isAbsoluteCode(_ code: UInt8) -> Bool { code <= 1 }           // A a
    static func isTextCode(_ code: UInt8) -> Bool { code == 19 || code == 20 }  // T t
    /// W and w only: the kernel's `compare_symbols` does not count V/v as weak.
    static func isWeakForKallsyms(_ code: UInt8) -> Bool { code == 25 || code == 26 }

    /// Creates the type for an `nm` letter, or nil when `letter` is not one.
    public init?(_ letter: Character) {
        guard let ascii = letter.asciiValue else { return nil }
        let code = SymbolType.codeOfByte[Int(ascii)]
        guard code != 0xFF else { return nil }
        self.code = code
    }

    /// The letter as `nm` prints it.
    public var letter: Character { Character(Unicode.Scalar(SymbolType.letters[Int(code)])) }

    var asciiLetter: UInt8 { SymbolType.letters[Int(code)] }

    /// The type's letter, as `nm` and `/proc/kallsyms` print it.
    public var description: String { String(letter) }

    /// True for uppercase letters: the symbol is visible outside its object file.
    public var isGlobal: Bool { asciiLetter >= UInt8(ascii: "A") && asciiLetter <= UInt8(ascii: "Z") }

    /// True for `T` and `t`: code in a text section.
    public var isText: Bool { asciiLetter | 0x20 == UInt8(ascii: "t") }

    /// True for `W`, `w`, `V` and `v`: a weak definition, which a strong one overrides.
    public var isWeak: Bool {
        let lower = asciiLetter | 0x20
        return lower == UInt8(ascii: "w") || lower == UInt8(ascii: "v")
    }

    /// True for `A` and `a`: an absolute value, not an address inside a section
    /// (the kernel prints per-cpu variables this way).
    public var isAbsolute: Bool { asciiLetter | 0x20 == UInt8(ascii: "a") }

    /// True for data letters: `B b C c D d G g R r S s V v`.
    public var isData: Bool {
        switch asciiLetter | 0x20 {
        case UInt8(ascii: "b"), UInt8(ascii: "c"), UInt8(ascii: "d"), UInt8(ascii: "g"),
             UInt8(ascii: "r"), UInt8(ascii: "s"), UInt8(ascii: "v"):
            return true
        default:
            return false
        }
    }

    /// `T`: a global function.
    public static let globalText = SymbolType("T")!
    /// `t`: a local (static) function.
    public static let localText = SymbolType("t")!
    /// `W`: a weak symbol.
    public static let weak = SymbolType("W")!
    /// `A`: an absolute value.
    public static let absolute = SymbolType("A")!
}
