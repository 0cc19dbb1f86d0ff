import ArgumentParser
import Kallsyms

/// `kallsyms dups`: every name more than one symbol has.
struct DupsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dups",
        abstract: "List every duplicated name with each symbol's address, type, module, file and unique qualified name.")

    @OptionGroup var options: InputOptions

    func run() throws {
        let index = try options.loadIndex()
        let duplicates = index.duplicateNames()
        if options.format == .json { return try printJSON(duplicates) }
        for duplicate in duplicates {
            print("\(duplicate.name) (\(duplicate.symbols.count))")
            for (symbol, qualified) in zip(duplicate.symbols, duplicate.qualifiedNames) {
                var text = "  " + hexAddress(symbol.address) + " " + String(symbol.type.letter)
                if let module = symbol.module { text += " [\(module.name)]" }
                text += " " + (symbol.file ?? "-") + " " + qualified
                print(text)
            }
        }
    }
}
