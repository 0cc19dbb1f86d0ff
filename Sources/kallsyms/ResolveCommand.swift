import ArgumentParser
import Foundation
import Kallsyms

/// `kallsyms resolve ADDR...`: one `%pS` line per address.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Print the symbol containing each address, as the kernel's %pS does.",
        discussion: """
            Addresses are hex, with or without 0x. With no addresses, reads one per line \
            from standard input. Prints 'ADDRESS name+0xoff/0xsize [module]', or the bare \
            address (as the kernel does) when no symbol contains it.
            """)

    @OptionGroup var options: InputOptions

    @Argument(help: ArgumentHelp("Kernel addresses in hex.", valueName: "address"))
    var addresses: [String] = []

    private struct Answer: Encodable {
        var query: String
        var address: String?
        var resolved: SymbolOffset?
        var error: String?
    }

    func run() throws {
        let index = try options.loadIndex()
        var sawMissing = false
        var sawBad = false
        var answers: [Answer] = []
        let width = 16

        func handle(_ text: Substring) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return }
            guard let address = parseAddress(trimmed) else {
                sawBad = true
                note("\(trimmed): not a hex address")
                answers.append(Answer(query: trimmed, error: "not a hex address"))
                if options.format == .text { print("\(trimmed) ?") }
                return
            }
            let resolved = index.symbol(containing: address)
            if resolved == nil { sawMissing = true }
            let shown = "0x" + String(repeating: "0", count: max(0, width - String(address, radix: 16).count))
                + String(address, radix: 16)
            if options.format == .text {
                var text = "\(shown) \(resolved.map { "\($0)" } ?? shown)"
                if let file = resolved?.symbol.file { text += " (\(file))" }
                print(text)
            } else {
                answers.append(Answer(query: trimmed, address: shown, resolved: resolved))
            }
        }

        if addresses.isEmpty {
            while let line = readLine() { handle(Substring(line)) }
        } else {
            for address in addresses { handle(Substring(address)) }
        }
        if options.format == .json { try printJSON(answers) }
        if sawBad { throw ExitCode(ExitStatus.badInput) }
        if sawMissing { throw ExitCode(ExitStatus.notFound) }
    }
}

/// Reads `ffffffff81000000` or `0xffffffff81000000`.
func parseAddress(_ text: String) -> UInt64? {
    var digits = Substring(text)
    if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
    guard !digits.isEmpty, digits.count <= 16 else { return nil }
    return UInt64(digits, radix: 16)
}
