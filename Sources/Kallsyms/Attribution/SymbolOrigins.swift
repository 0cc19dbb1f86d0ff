/// Where each symbol comes from: its source file and the built-in modules it
/// is part of.
///
/// Entries in address order come in long runs of one origin (a compile
/// unit's code is contiguous), so origins are stored as runs: a start entry
/// and an origin number each, about 0.3 bytes a symbol on a distribution
/// kernel, against 2 for an origin number per entry.
struct SymbolOrigins: Sendable {
    /// One distinct origin.
    struct Origin: Hashable, Sendable {
        /// The canonical, tree-relative source file (``SourcePath``).
        var file: String?
        /// Built-in modules named by kallmodsyms annotations.
        var builtinModules: [String] = []
    }

    /// The first entry of each run of entries with one origin, ascending.
    let runStarts: [UInt32]
    /// Each run's index into ``origins``; 0 is "nothing known".
    let runOrigins: [UInt16]
    let origins: [Origin]
    /// Built-in module ranges from `modules.builtin.ranges`, by address.
    let builtinRanges: BuiltinModuleMap?

    var byteCount: Int {
        runStarts.count * 6 + origins.reduce(0) { $0 + ($1.file?.utf8.count ?? 0) + 16 * (1 + $1.builtinModules.count) }
            + (builtinRanges?.ranges.count ?? 0) * 40
    }

    func origin(of entry: Int) -> Origin {
        // The last run starting at or before the entry.
        var low = 0
        var high = runStarts.count
        while low < high {
            let middle = (low + high) >> 1
            if Int(runStarts[middle]) <= entry { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? origins[0] : origins[Int(runOrigins[low - 1])]
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
            var runStarts: [UInt32] = []
            var runOrigins: [UInt16] = []
            func record(_ entry: Int, _ number: UInt16) {
                if runOrigins.last != number {
                    runStarts.append(UInt32(entry))
                    runOrigins.append(number)
                }
            }
            // An origin depends only on (file, annotation): each distinct pair is
            // turned into an Origin (and its object path canonicalized) once.
            var numberOfPair: [UInt64: UInt16] = [:]
            for entry in 0..<(attributed ? fileOfEntry.count : 0) {
                let annotationID = annotationOfEntry.map { Int($0[entry]) } ?? 0
                let pair = UInt64(fileOfEntry[entry]) << 32 | UInt64(annotationID)
                if let number = numberOfPair[pair] {
                    record(entry, number)
                    continue
                }
                var origin = Origin(file: fileOfEntry[entry] == 0 ? nil : files[Int(fileOfEntry[entry])])
                if annotationOfEntry != nil, let annotation = annotations[annotationID] {
                    origin.builtinModules = annotation.modules
                    if origin.file == nil, let object = annotation.objectFile { origin.file = SourcePath.canonical(object) }
                }
                if let number = numbers[origin] {
                    numberOfPair[pair] = number
                    record(entry, number)
                    continue
                }
                guard origins.count <= Int(UInt16.max) else {
                    throw KallsymsError(
                        code: .malformedAuxiliaryFile, source: source,
                        message: "more than 65535 distinct source files and module sets",
                        hint: "no kernel has that many; check that the ELF files belong to this kernel")
                }
                numbers[origin] = UInt16(origins.count)
                numberOfPair[pair] = UInt16(origins.count)
                record(entry, UInt16(origins.count))
                origins.append(origin)
            }
            return SymbolOrigins(runStarts: runStarts, runOrigins: runOrigins, origins: origins,
                                 builtinRanges: builtinRanges)
        }
    }
}
