import ArgumentParser
import Kallsyms

/// `kallsyms find NAME...`: every symbol with each name.
struct FindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Print every symbol with each name, as 'ADDRESS TYPE NAME [module]'.",
        discussion: "All duplicates are printed, in address order.")

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

/// `ADDRESS TYPE NAME [module]`.
func line(for symbol: Symbol) -> String {
    var text = hexAddress(symbol.address) + " " + String(symbol.type.letter) + " " + symbol.name
    if let module = symbol.module { text += " [\(module.name)]" }
    return text
}

func hexAddress(_ address: UInt64) -> String {
    let digits = String(address, radix: 16)
    return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
}
