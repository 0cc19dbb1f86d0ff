import ArgumentParser
import Foundation
import Kallsyms

/// How the output is written.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Flags every subcommand shares: where the symbols come from and how to print.
struct InputOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp(
        "A symbol table: /proc/kallsyms, a saved copy, or a System.map; .gz allowed. '-' reads standard input.",
        valueName: "file"))
    var input: String?

    @Option(name: .long, help: ArgumentHelp(
        "/proc/modules of the same boot, so each module's last symbol gets a size (default: /proc/modules when reading /proc/kallsyms).",
        valueName: "file"))
    var modules: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Skip bad lines (reported on standard error) instead of stopping at the first.")
    var lenient = false

    @Option(name: .long, help: ArgumentHelp(
        "An ELF file to learn source files from: the vmlinux the table came from, or a loaded module's .ko (.gz allowed). Repeatable.",
        valueName: "file"))
    var elf: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "modules.builtin.ranges (Linux 6.12+): which built-in module each vmlinux address belongs to.",
        valueName: "file"))
    var ranges: String?

    @Option(name: .long, help: ArgumentHelp(
        "The kernel source root as the build recorded it, stripped from source paths.", valueName: "path"))
    var sourceRoot: String?

    static let defaultInput = "/proc/kallsyms"

    /// Loads the index. With no --input, falls back to the bundled sample when this
    /// machine's /proc/kallsyms cannot be read or hides its addresses.
    func loadIndex() throws(KallsymsError) -> SymbolIndex {
        var options = SymbolIndex.Options(lenient: lenient, elfFiles: elf, builtinModuleRanges: ranges,
                                          sourceRoot: sourceRoot)
        if let modules {
            options.moduleLayout = try ModuleLayout(contentsOf: modules)
        } else if input == nil || input == InputOptions.defaultInput {
            options.moduleLayout = try? ModuleLayout(contentsOf: "/proc/modules")
        }
        let index: SymbolIndex
        switch input {
        case "-":
            index = try SymbolIndex(fileDescriptor: 0, sourceName: "<stdin>", options: options)
        case let path?:
            index = try SymbolIndex(contentsOf: path, options: options)
        case nil:
            do {
                index = try SymbolIndex(contentsOf: InputOptions.defaultInput, options: options)
            } catch where error.code == .addressesHidden || error.code == .io || error.code == .emptyInput {
                guard let sample = Bundle.module.path(forResource: "sample-kallsyms-6.18.44-x86_64.txt", ofType: "gz") else {
                    throw error
                }
                note("\(error.message); using the bundled sample from a 6.18.44 x86_64 kernel instead (pass --input to choose)")
                options.moduleLayout = nil
                index = try SymbolIndex(contentsOf: sample, options: options)
            }
        }
        for diagnostic in index.diagnostics {
            note("skipped: \(diagnostic)")
        }
        return index
    }
}

/// Writes a line to standard error.
func note(_ message: String) {
    FileHandle.standardError.write(Data(("kallsyms: " + message + "\n").utf8))
}

/// Prints a value as pretty JSON on standard output.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}
