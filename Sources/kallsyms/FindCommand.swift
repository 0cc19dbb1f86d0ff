import ArgumentParser
import Kallsyms

/// `kallsyms find NAME...`: every symbol with each name.
struct FindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Print every symbol with each name, as 'ADDRESS TYPE NAME [module]'.",
        discussion: """
            A plain name prints every symbol with it, duplicates included, in address order. \
            A qualified name prints exactly one: module:name (a loaded or built-in module, or \
            vmlinux), name@path (a source file, matched by whole trailing components: \
            init_once@fs/inode.c), and name@path#N for symbols that still collide. An \
            ambiguous one lists its candidates by their unique names. Source files come \
            from --elf.
            """)

    @OptionGroup var options: InputOptions

    @Option(name: .long, help: ArgumentHelp("Only symbols of this module ('vmlinux' for the kernel itself).", valueName: "module"))
    var module: String?

    @Argument(help: ArgumentHelp("Exact symbol names.", valueName: "name"))
    var names: [String]

    private struct Answer: Encodable {
        var query: String
        var symbols: [Symbol]
    }

    func validate() throws {
        guard !names.isEmpty else { throw ValidationError("give at least one symbol name") }
    }

    func run() throws {
        let index = try options.loadIndex()
        var missing = false
        var answers: [Answer] = []
        for name in names {
            if module == nil, isQualified(name), index.symbols(named: name).isEmpty {
                do {
                    let symbol = try index.symbol(qualifiedName: name)
                    if options.format == .json {
                        answers.append(Answer(query: name, symbols: [symbol]))
                    } else {
                        print(line(for: symbol))
                    }
                } catch {
                    missing = true
                    note(error.description)
                    if options.format == .json { answers.append(Answer(query: name, symbols: [])) }
                }
                continue
            }
            let matches = module.map { index.symbols(named: name, inModule: $0) } ?? index.symbols(named: name)
            if matches.isEmpty {
                missing = true
                note("\(name): no such symbol" + (module.map { " in \($0)" } ?? ""))
            }
            if options.format == .json {
                answers.append(Answer(query: name, symbols: Array(matches)))
            } else {
                for symbol in matches { print(line(for: symbol)) }
            }
        }
        if options.format == .json { try printJSON(answers) }
        if missing { throw ExitCode(ExitStatus.notFound) }
    }
}

/// `ADDRESS TYPE NAME [module]`, and the source file when known.
func line(for symbol: Symbol) -> String {
    var text = hexAddress(symbol.address) + " " + String(symbol.type.letter) + " " + symbol.name
    if let module = symbol.module { text += " [\(module.name)]" }
    if let file = symbol.file { text += " \(file)" }
    return text
}

/// Whether a query has a module, a file or an ordinal: `m:n`, `n@f`, `n#2`.
func isQualified(_ name: String) -> Bool {
    name.contains(":") || name.contains("@") || name.contains("#") || name.contains("|")
}

func hexAddress(_ address: UInt64) -> String {
    let digits = String(address, radix: 16)
    return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
}
