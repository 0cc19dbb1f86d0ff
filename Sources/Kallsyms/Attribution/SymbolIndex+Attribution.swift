extension SymbolIndex {
    /// Fills in source files and built-in modules from every source the
    /// options and the input offer, most trusted last: names that carry a
    /// file, kallmodsyms annotations, ELF symbol tables, DWARF.
    static func attribute(_ storage: IndexStorage, extras: IndexBuilder.BuildExtras,
                          options: Options) throws(KallsymsError) {
        let annotations = extras.builtinAnnotations
        let names = extras.namesMayBeDecorated ? decoratedNames(storage) : []
        guard annotations != nil || !options.elfFiles.isEmpty || options.builtinModuleRanges != nil || !names.isEmpty
        else { return }
        var origins = SymbolOrigins.Builder(entryCount: storage.entryCount, annotations: annotations)
        for (entry, file) in names {
            origins.setFile(SourcePath.canonical(file, sourceRoot: options.sourceRoot), of: entry, from: .name)
        }
        var attributor = Attributor(storage: storage, sourceRoot: options.sourceRoot)
        for path in options.elfFiles {
            try attributor.attribute(elfAt: path, into: &origins)
        }
        if let path = options.builtinModuleRanges {
            let ranges = try BuiltinModuleRanges(parsing: InputBytes.read(path: path, limit: 256 << 20), source: path)
            origins.builtinRanges = ranges.resolve { name in
                storage.matches(named: name, region: 0).first.map { storage.address(of: Int($0.rawValue >> 1)) }
            }
        }
        storage.attach(try origins.finish(source: storage.source))
    }

    /// Entries whose names say their file: `file.c|name`. (kas_alias names,
    /// `name@path_c_123`, cannot be turned back into a path; queries match
    /// them by mangling the path asked for instead.)
    private static func decoratedNames(_ storage: IndexStorage) -> [(Int, String)] {
        var found: [(Int, String)] = []
        for entry in 0..<storage.entryCount {
            let hasBar = storage.names.withName(entry) { $0.contains(UInt8(ascii: "|")) }
            guard hasBar else { continue }
            let name = storage.names.withName(entry) { String(decoding: $0, as: UTF8.self) }
            if let decoded = DecoratedSymbolName.decode(name), case .path(let file) = decoded.fileHint {
                found.append((entry, file))
            }
        }
        return found
    }
}
