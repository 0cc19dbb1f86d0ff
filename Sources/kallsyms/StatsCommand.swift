import ArgumentParser
import Kallsyms

/// `kallsyms stats`: what the table holds and what the index costs.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count symbols, regions, modules, types and duplicate names; show bytes per symbol.")

    @OptionGroup var options: InputOptions

    func run() throws {
        let index = try options.loadIndex()
        let stats = index.statistics()
        if options.format == .json { return try printJSON(stats) }
        print("source:              \(index.sourceName)")
        print("symbols:             \(stats.symbols)")
        print("  vmlinux:           \(stats.vmlinuxSymbols)")
        print("  modules:           \(stats.moduleSymbols) in \(stats.modules) modules")
        print("  pseudo-modules:    \(stats.pseudoModuleSymbols) in \(stats.pseudoModules)")
        print("  absolute/per-cpu:  \(stats.absoluteSymbols)")
        print("  not symbolizable:  \(stats.unsymbolizableSymbols) (outside what the kernel resolves)")
        print("kernel coverage:     \(describe(stats.kernelCoverage))")
        print("regions:             \(1 + stats.modules + stats.pseudoModules) (vmlinux, modules, pseudo-modules)")
        print("duplicate names:     \(stats.duplicateNames) names shared by \(stats.symbolsWithDuplicateNames) symbols")
        print("types:               " + stats.byType.map { "\($0.type.letter) \($0.count)" }.joined(separator: ", "))
        let moduleList = stats.byModule.compactMap { entry in entry.module.map { "\($0.name) \(entry.count)" } }
        if !moduleList.isEmpty {
            print("modules:             " + moduleList.joined(separator: ", "))
        }
        let perSymbol = (stats.bytesPerSymbol * 10).rounded() / 10
        print("index memory:        \(stats.residentBytes) bytes, \(perSymbol) bytes per symbol")
        print("  folded __pfx_:     \(stats.foldedPrefixSymbols) padding symbols stored as a flag")
    }

    private func describe(_ coverage: KernelCoverage) -> String {
        switch coverage {
        case .textOnly: return "text only: [_stext, _etext) and [_sinittext, _einittext)"
        case .wholeImage: return "whole image: [_stext, _end) (CONFIG_KALLSYMS_ALL or System.map)"
        case .unbounded: return "unbounded (no _stext/_etext markers)"
        }
    }
}
