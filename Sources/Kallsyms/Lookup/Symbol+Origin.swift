extension Symbol {
    /// The source file the symbol was compiled from, canonical and
    /// tree-relative (`fs/inode.c`), when known.
    ///
    /// Known from DWARF or the ELF symbol table of the files given in
    /// ``SymbolIndex/Options/elfFiles`` (DWARF gives the full path; a symbol
    /// table usually only the file name, `inode.c`), from kallmodsyms
    /// `{object.o}` annotations, or from names that carry it (`file.c|name`).
    /// A folded `__pfx_` padding symbol has its function's file.
    public var file: String? { storage.origins?.origin(of: entry).file }

    /// The built-in modules (code linked into vmlinux that could also have
    /// been a `.ko`) this symbol is part of, from kallmodsyms annotations or
    /// `modules.builtin.ranges`; empty for code always built in, and for
    /// loadable modules (see ``module``).
    public var builtinModules: [String] {
        guard let origins = storage.origins else { return [] }
        let fromAnnotations = origins.origin(of: entry).builtinModules
        if !fromAnnotations.isEmpty || module != nil { return fromAnnotations }
        return origins.builtinRanges?.modules(at: address) ?? []
    }

    /// The shortest name that picks this symbol and no other, and that
    /// ``SymbolIndex/symbol(qualifiedName:)`` resolves back to it: `name`
    /// when the name is unique, else `module:name`, `name@path` (the
    /// shortest trailing part of the source path that tells it apart),
    /// `module:name@path`, and finally `name@path#N` for symbols that share
    /// name, module and file (static inline functions from a header, clones).
    /// Stable: it depends only on the symbols that share the name.
    public var qualifiedName: String {
        let peers = storage.candidates(named: name)
        guard let position = peers.ids.firstIndex(of: id) else { return name }
        return QualifiedName.uniqueNames(for: peers.candidates)[position].description
    }

    /// What the qualified-name resolver knows of this symbol.
    var candidate: QualifiedName.Candidate {
        // The origin once, for both the file and the built-in module.
        let origin = storage.origins?.origin(of: entry)
        let address = self.address
        let module = self.module?.name ?? origin?.builtinModules.first
            ?? storage.origins?.builtinRanges?.modules(at: address).first
        return QualifiedName.Candidate(name: name, module: module, canonicalFile: origin?.file, address: address)
    }
}

extension IndexStorage {
    /// Every symbol named `name`, as resolver candidates, with their ids.
    func candidates(named name: String) -> (ids: [UInt32], candidates: [QualifiedName.Candidate]) {
        let ids = matches(named: name, region: nil)
        return (ids.map(\.rawValue), SymbolMatches(storage: self, ids: ids).map(\.candidate))
    }
}
