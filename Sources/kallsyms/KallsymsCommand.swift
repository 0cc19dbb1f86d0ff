import ArgumentParser
import Foundation
import Kallsyms

/// `kallsyms`: symbolize kernel addresses and find kernel symbols from
/// `/proc/kallsyms` or a `System.map`.
///
/// Exit codes: 0 all found, 1 some address or name not found, 2 bad usage or bad input.
@main
struct KallsymsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kallsyms",
        abstract: "Resolve kernel addresses to symbols and symbols to addresses.",
        discussion: """
            Reads /proc/kallsyms by default, or a saved copy or a System.map (plain or .gz) \
            given with --input. Exit status: 0 when everything was found, 1 when some address \
            or name was not, 2 for bad usage or bad input.
            """,
        subcommands: [ResolveCommand.self, FindCommand.self, StatsCommand.self, DupsCommand.self])

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as KallsymsError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            Foundation.exit(ExitStatus.badInput)
        } catch {
            // ArgumentParser reports usage errors as EX_USAGE (64); this tool documents 2.
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.badInput)
            }
            exit(withError: error)
        }
    }
}

/// The documented exit statuses.
enum ExitStatus {
    static let notFound: Int32 = 1
    static let badInput: Int32 = 2
}
