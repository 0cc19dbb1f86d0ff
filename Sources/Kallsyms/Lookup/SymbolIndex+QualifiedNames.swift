extension SymbolIndex {
    /// The one symbol a qualified name picks.
    ///
    /// Accepts `name`, `module:name` (a loaded or built-in module; `vmlinux`
    /// for the kernel itself), `name@path` where `path` is matched by whole
    /// trailing components of the symbol's source file (`init_once@inode.c`
    /// matches `fs/inode.c` and `fs/proc/inode.c`; `init_once@fs/inode.c`
    /// only the first), `module:name@path`, `path|name` (as some tools print
    /// local symbols: `name` from that file, unless a symbol is literally
    /// called that), and an ordinal `#N` for symbols that still collide. Every symbol's ``Symbol/qualifiedName`` resolves
    /// back to it.
    /// - Parameter qualifiedName: the query.
    /// - Returns: the symbol.
    /// - Throws: ``KallsymsError`` with code `.ambiguousSymbol` (listing every
    ///   candidate with its address and unique qualified name),
    ///   `.symbolNotFound`, or `.malformedQuery`.
    public func symbol(qualifiedName: String) throws(KallsymsError) -> Symbol {
        var query = try QualifiedName(parsing: qualifiedName)
        // The kernel itself: symbols of no module, loaded or built in.
        let coreOnly = query.module == "vmlinux"
        if coreOnly { query.module = nil }
        var peers = storage.candidates(named: query.name)
        // Symbols under other names the query may mean: a kas_alias alias is
        // named `name@suffix`, and `file.c|name` means `name` from `file.c`
        // when no symbol is called that.
        var otherNames: [String] = []
        if query.literalName != query.name { otherNames.append(query.literalName) }
        if query.path == nil, let decoded = DecoratedSymbolName.decode(query.name), case .path = decoded.fileHint {
            otherNames.append(decoded.baseName)
        }
        for other in otherNames {
            let more = storage.candidates(named: other)
            peers.ids += more.ids
            peers.candidates += more.candidates
        }
        if coreOnly {
            let keep = peers.candidates.indices.filter { peers.candidates[$0].module == nil }
            peers = (keep.map { peers.ids[$0] }, keep.map { peers.candidates[$0] })
        }
        let position = try query.resolve(in: peers.candidates, source: qualifiedName)
        return Symbol(storage: storage, id: peers.ids[position])
    }
}
