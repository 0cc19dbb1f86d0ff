/// Where each symbol comes from: its source file and the built-in modules it
/// is part of. Two bytes an entry (an origin number), and a table of the few
/// thousand distinct origins.
struct SymbolOrigins: Sendable {
    /// One distinct origin.
    struct Origin: Hashable, Sendable {
        /// The canonical, tree-relative source file (``SourcePath``).
        var file: String?
        /// Built-in modules named by kallmodsyms annotations.
        var builtinModules: [String] = []
    }

    /// Per entry: an index into ``origins``; 0 is "nothing known".
    let originOfEntry: Column<UInt16>
    let origins: [Origin]
    /// Built-in module ranges from `modules.builtin.ranges`, by address.
    let builtinRanges: BuiltinModuleMap?

    var byteCount: Int {
        originOfEntry.byteCount + origins.reduce(0) { $0 + ($1.file?.utf8.count ?? 0) + 16 * (1 + $1.builtinModules.count) }
            + (builtinRanges?.ranges.count ?? 0) * 40
    }

    func deallocate() { originOfEntry.deallocate() }

    func origin(of entry: Int) -> Origin {
        guard entry < originOfEntry.count else { return origins[0] }
        return origins[Int(originOfEntry[entry])]
    }

    /// Collects origins entry by entry, then packs them.
    struct Builder {
        private var fileOfEntry: [UInt32]
        private var fileRank: [UInt8]
        private var annotationOfEntry: [UInt16]?
        private var annotations: [KallmodsymsAnnotation?] = []
        private var files: [String] = [""]
        private var fileIDs: [String: UInt32] = [:]
        var builtinRanges: BuiltinModuleMap?

        /// How much a source of file names is trusted: DWARF gives full paths,
        /// symbol tables usually a bare file name, decorated names a hint.
        enum Source: UInt8 { case name = 1, symbolTable = 2, debugInfo = 3 }

        init(entryCount: Int, annotations: BuiltinAnnotations?) {
            fileOfEntry = [UInt32](repeating: 0, count: entryCount)
            fileRank = [UInt8](repeating: 0, count: entryCount)
            if let annotations {
                annotationOfEntry = annotations.ofEntry
                self.annotations = annotations.annotations
            }
        }

        /// Records `file` (already canonical) for `entry`, unless a more
        /// trusted source already named one.
        mutating func setFile(_ file: String, of entry: Int, from source: Source) {
            guard fileRank[entry] < source.rawValue else { return }
            fileRank[entry] = source.rawValue
            fileOfEntry[entry] = fileID(file)
        }

        func hasFile(_ entry: Int) -> Bool { fileRank[entry] != 0 }

        private mutating func fileID(_ file: String) -> UInt32 {
            if let known = fileIDs[file] { return known }
            let id = UInt32(files.count)
            files.append(file)
            fileIDs[file] = id
            return id
        }

        /// The packed origins, or nil when nothing is known.
        func finish(source: String) throws(KallsymsError) -> SymbolOrigins? {
            let attributed = fileRank.contains { $0 != 0 } || annotationOfEntry != nil
            guard attributed || builtinRanges != nil else { return nil }
            var origins = [Origin()]
            var numbers: [Origin: UInt16] = [Origin(): 0]
            var column = [UInt16](repeating: 0, count: attributed ? fileOfEntry.count : 0)
            for entry in column.indices {
                var origin = Origin(file: fileOfEntry[entry] == 0 ? nil : files[Int(fileOfEntry[entry])])
                if let annotationOfEntry, let annotation = annotations[Int(annotationOfEntry[entry])] {
                    origin.builtinModules = annotation.modules
                    if origin.file == nil, let object = annotation.objectFile { origin.file = SourcePath.canonical(object) }
                }
                if let number = numbers[origin] {
                    column[entry] = number
                    continue
                }
                guard origins.count <= Int(UInt16.max) else {
                    throw KallsymsError(
                        code: .malformedAuxiliaryFile, source: source,
                        message: "more than 65535 distinct source files and module sets",
                        hint: "no kernel has that many; check that the ELF files belong to this kernel")
                }
                numbers[origin] = UInt16(origins.count)
                column[entry] = UInt16(origins.count)
                origins.append(origin)
            }
            return SymbolOrigins(originOfEntry: Column(column), origins: origins, builtinRanges: builtinRanges)
        }
    }
}
