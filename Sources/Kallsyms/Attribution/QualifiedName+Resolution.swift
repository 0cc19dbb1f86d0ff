extension QualifiedName {
    /// What the resolver knows of one symbol.
    struct Candidate: Sendable, Hashable {
        /// The symbol's name as the table spells it.
        let name: String
        /// The module it belongs to (loaded, or built in when kallmodsyms or
        /// `modules.builtin.ranges` says so); nil for the core kernel.
        let module: String?
        /// Its source file, canonical (``SourcePath``); nil when unknown.
        let canonicalFile: String?
        /// Its address.
        let address: UInt64

        /// A candidate from its parts.
        init(name: String, module: String? = nil, canonicalFile: String? = nil, address: UInt64) {
            self.name = name
            self.module = module
            self.canonicalFile = canonicalFile
            self.address = address
        }
    }

    /// One candidate a query matched, with the name that picks it alone.
    struct Match: Sendable, Hashable {
        /// Its position in the candidates given.
        let index: Int
        /// The shortest qualified name that resolves to it and nothing else.
        let uniqueName: QualifiedName
    }

    /// What a query comes to.
    enum Resolution: Sendable, Hashable {
        /// Exactly one candidate, by its position.
        case unique(Int)
        /// Several, in address order.
        case ambiguous([Match])
        /// None.
        case notFound
    }

    // MARK: Resolving

    /// The positions of the candidates this query matches, in address order
    /// (ties in the order given), after applying the ordinal.
    ///
    /// A symbol whose whole name is ``literalName`` wins (kas_alias aliases
    /// are named `name@suffix`). Failing that, `name@path` matches symbols
    /// named `name` whose canonical file ends with `path`
    /// (``SourcePath/Pattern``), or whose file is a kallmodsyms object that
    /// `path` compiles to (``SourcePath/Pattern/matchesObject(_:)``); if none
    /// does and `path` is a kas_alias suffix, those whose mangled file equals
    /// it (else ends with it). A
    /// plain `file|name` query with no symbol of that name looks for `name`
    /// in `file`. The module, when given, must be the symbol's.
    func matchingIndices(in candidates: [Candidate]) -> [Int] {
        let inModule = { (candidate: Candidate) in module == nil || candidate.module == module }
        let literal = literalName
        var found = candidates.indices.filter { candidates[$0].name == literal && inModule(candidates[$0]) }

        if found.isEmpty, let path {
            let named = candidates.indices.filter { candidates[$0].name == name && inModule(candidates[$0]) }
            let pattern = SourcePath.Pattern(path)
            // A file known only as a kallmodsyms object (`amd/core.o`) is
            // matched by the sources that fit it (`core.c`, `amd/core.c`).
            found = named.filter {
                candidates[$0].canonicalFile.map { pattern.matches($0) || pattern.matchesObject($0) } == true
            }
            if found.isEmpty, let decoded = DecoratedSymbolName.decode(literal), case .kasAlias = decoded.fileHint {
                let exact = named.filter {
                    candidates[$0].canonicalFile.map { decoded.mangledMatchIsExact(canonicalPath: $0) } == true
                }
                found = !exact.isEmpty ? exact : named.filter {
                    candidates[$0].canonicalFile.map { decoded.matchesMangled(canonicalPath: $0) } == true
                }
            }
        } else if found.isEmpty, let decoded = DecoratedSymbolName.decode(name), case .path = decoded.fileHint {
            found = candidates.indices.filter {
                candidates[$0].name == decoded.baseName && inModule(candidates[$0])
                    && candidates[$0].canonicalFile.map { decoded.matches(canonicalPath: $0) } == true
            }
        }

        found = Self.addressOrder(found, in: candidates)
        if let ordinal {
            return ordinal <= found.count ? [found[ordinal - 1]] : []
        }
        return found
    }

    /// Resolves this query among `candidates`.
    ///
    /// - Returns: the one candidate it picks, or every candidate it matches
    ///   (each with its unique qualified name), or nothing.
    func resolution(in candidates: [Candidate]) -> Resolution {
        let found = matchingIndices(in: candidates)
        switch found.count {
        case 0: return .notFound
        case 1: return .unique(found[0])
        default: return .ambiguous(Self.matches(found, in: candidates))
        }
    }

    /// Resolves this query to exactly one of `candidates`.
    ///
    /// - Parameters:
    ///   - candidates: the symbols to choose from, typically all symbols of
    ///     the name asked for.
    ///   - source: a name for error messages.
    /// - Returns: the position of the one candidate the query picks.
    /// - Throws: ``KallsymsError`` with code `.ambiguousSymbol`, listing every
    ///   match (address and unique qualified name, one per line), or
    ///   `.symbolNotFound`, listing the symbols of that name if there are any.
    func resolve(in candidates: [Candidate], source: String = "<query>") throws(KallsymsError) -> Int {
        switch resolution(in: candidates) {
        case .unique(let index):
            return index
        case .ambiguous(let matches):
            throw KallsymsError(
                code: .ambiguousSymbol, source: source, text: KallsymsError.quote(description.utf8),
                message: "\"\(self)\" matches \(matches.count) symbols:\n" + Self.listing(matches, in: candidates),
                hint: "use one of the names above; in general add a module (module:name), a source file "
                    + "(name@file.c, name@dir/file.c) or, for symbols that share a file too, an ordinal (name@file.c#2)")
        case .notFound:
            if let ordinal {
                var unnumbered = self
                unnumbered.ordinal = nil
                let all = unnumbered.matchingIndices(in: candidates)
                if !all.isEmpty {
                    throw KallsymsError(
                        code: .symbolNotFound, source: source, text: KallsymsError.quote(description.utf8),
                        message: "\"\(self)\" asks for match \(ordinal), but \"\(unnumbered)\" matches only \(all.count):\n"
                            + Self.listing(Self.matches(all, in: candidates), in: candidates),
                        hint: "use one of the names above, or an ordinal from 1 to \(all.count)")
                }
            }
            var nearby = QualifiedName(module: nil, name: name)
            if path == nil, let decoded = DecoratedSymbolName.decode(name) { nearby.name = decoded.baseName }
            let sameName = Self.addressOrder(nearby.matchingIndices(in: candidates), in: candidates)
            let sameLiteral = path == nil ? [] : Self.addressOrder(
                QualifiedName(name: literalName).matchingIndices(in: candidates), in: candidates)
            let related = sameLiteral + sameName
            guard !related.isEmpty else {
                throw KallsymsError(
                    code: .symbolNotFound, source: source, text: KallsymsError.quote(description.utf8),
                    message: "no symbol is named \"\(nearby.name)\"",
                    hint: "names are case-sensitive and exact; check the spelling, or that the module is loaded")
            }
            let what = related.count == 1 ? "the one symbol" : "the \(related.count) symbols"
            throw KallsymsError(
                code: .symbolNotFound, source: source, text: KallsymsError.quote(description.utf8),
                message: "\"\(self)\" matches none of \(what) named \"\(nearby.name)\":\n"
                    + Self.listing(Self.matches(related, in: candidates), in: candidates),
                hint: "use one of the names above")
        }
    }

    // MARK: Unique names

    /// For each candidate, the shortest qualified name that resolves to it
    /// alone (``matchingIndices(in:)`` gives exactly that candidate).
    ///
    /// Among candidates of the same name, the forms tried are `name` (when
    /// the name is unique), `module:name` (when the candidate has a module),
    /// `name@P` and `module:name@P` with the shortest trailing part `P` of the
    /// canonical file that is unique; the shortest of those that work wins,
    /// ties going to that order. When none works, the candidate shares name,
    /// module and file with others, and gets `#N`: its place in address order
    /// among them (from 1), after the shortest form that selects exactly them.
    /// The result depends only on the candidates, so it is stable from run
    /// to run.
    ///
    /// - Parameter candidates: any symbols; only those of the same name
    ///   affect each other.
    /// - Returns: one name per candidate, in the order given.
    /// - Complexity: O(n · d), d the depth of the source paths.
    static func uniqueNames(for candidates: [Candidate]) -> [QualifiedName] {
        // Number the names, then lay the groups out in one array: a
        // dictionary of arrays costs an allocation per name (measured 2.7x slower
        // on 122,813 symbols).
        var groupNumbers: [String: Int] = [:]
        groupNumbers.reserveCapacity(candidates.count)
        var groupOf = [Int](repeating: 0, count: candidates.count)
        var sizes: [Int] = []
        for index in candidates.indices {
            let name = candidates[index].name
            if let number = groupNumbers[name] {
                groupOf[index] = number
                sizes[number] += 1
            } else {
                groupNumbers[name] = sizes.count
                groupOf[index] = sizes.count
                sizes.append(1)
            }
        }
        var starts = [Int](repeating: 0, count: sizes.count + 1)
        for number in sizes.indices { starts[number + 1] = starts[number] + sizes[number] }
        var members = [Int](repeating: 0, count: candidates.count)
        var filled = starts
        for index in candidates.indices {
            members[filled[groupOf[index]]] = index
            filled[groupOf[index]] += 1
        }

        // A generated `name@P` must not be some other symbol's whole name,
        // which the resolver would prefer; only kas_alias names hold `@`.
        let literalNames = Set(candidates.lazy.map(\.name).filter { $0.utf8.contains(UInt8(ascii: "@")) })

        var result = [QualifiedName?](repeating: nil, count: candidates.count)
        for number in sizes.indices {
            let group = members[starts[number]..<starts[number + 1]]
            if group.count == 1 {
                result[group.first!] = QualifiedName(literal: candidates[group.first!].name)
                continue
            }
            let ordered = addressOrder(Array(group), in: candidates)
            for (index, name) in zip(ordered, uniqueNames(group: ordered, in: candidates, literalNames: literalNames)) {
                result[index] = name
            }
        }
        return result.map { $0! }
    }

    /// Unique names for one group of same-named candidates, in address order.
    private static func uniqueNames(group: [Int], in candidates: [Candidate],
                                    literalNames: Set<String>) -> [QualifiedName] {
        let name = candidates[group[0]].name
        let base = QualifiedName(literal: name)
        guard group.count > 1 else { return [base] }

        // The trailing parts of each file, shortest first, and how many
        // candidates (in all, and per module) end with each.
        let suffixes: [[String]] = group.map { index in
            guard let file = candidates[index].canonicalFile else { return [] }
            let parts = SourcePath.Components(file).parts
            return parts.indices.map { parts.suffix($0 + 1).joined(separator: "/") }
        }
        var moduleCount: [String?: Int] = [:]
        var suffixCount: [String: Int] = [:]
        var moduleSuffixCount: [ModuleSuffix: Int] = [:]
        for (position, index) in group.enumerated() {
            let module = candidates[index].module
            moduleCount[module, default: 0] += 1
            for suffix in suffixes[position] {
                suffixCount[suffix, default: 0] += 1
                moduleSuffixCount[ModuleSuffix(module: module, suffix: suffix), default: 0] += 1
            }
        }
        // Paths can follow a name only if it has no `@` of its own.
        let pathsAllowed = !name.utf8.contains(UInt8(ascii: "@"))
        func usable(_ suffix: String) -> Bool { pathsAllowed && !literalNames.contains(name + "@" + suffix) }

        var names: [QualifiedName] = []
        for (position, index) in group.enumerated() {
            let candidate = candidates[index]
            let module = candidate.module
            var options: [QualifiedName] = []
            if let module, moduleCount[module] == 1 {
                options.append(base.with(module: module))
            }
            if let suffix = suffixes[position].first(where: { suffixCount[$0] == 1 && usable($0) }) {
                options.append(base.with(path: suffix))
            }
            if let module, let suffix = suffixes[position].first(where: {
                moduleSuffixCount[ModuleSuffix(module: module, suffix: $0)] == 1 && usable($0)
            }) {
                options.append(base.with(module: module, path: suffix))
            }
            if let best = shortest(options) {
                names.append(best)
                continue
            }

            // Still colliding: those with this module (if any) and whose file
            // ends with this whole file (if known). Every form built from this
            // candidate's parts matches all of them, so a form selects exactly
            // them when its count equals theirs.
            let fullSuffix = suffixes[position].last.flatMap { usable($0) ? $0 : nil }
            let colliding = group.indices.filter { other in
                (module == nil || candidates[group[other]].module == module)
                    && (fullSuffix == nil || suffixes[other].contains(fullSuffix!))
            }
            var bases: [QualifiedName] = []
            if colliding.count == group.count { bases.append(base) }
            if let module, moduleCount[module] == colliding.count { bases.append(base.with(module: module)) }
            if let suffix = suffixes[position].first(where: { suffixCount[$0] == colliding.count && usable($0) }) {
                bases.append(base.with(path: suffix))
            }
            if let module, let suffix = suffixes[position].first(where: {
                moduleSuffixCount[ModuleSuffix(module: module, suffix: $0)] == colliding.count && usable($0)
            }) {
                bases.append(base.with(module: module, path: suffix))
            }
            var chosen = shortest(bases) ?? base
            chosen.ordinal = (colliding.firstIndex(of: position) ?? 0) + 1
            names.append(chosen)
        }
        return names
    }

    private struct ModuleSuffix: Hashable {
        let module: String?
        let suffix: String
    }

    /// The shortest when written out; the first of those on a tie.
    private static func shortest(_ names: [QualifiedName]) -> QualifiedName? {
        var best: QualifiedName?
        var bestLength = Int.max
        for name in names {
            let length = name.description.utf8.count
            if length < bestLength { best = name; bestLength = length }
        }
        return best
    }

    /// A query for a symbol's own name: kas_alias names split at `@` the
    /// way the parser would split them, so the value equals what parsing gives.
    private init(literal name: String) {
        let utf8 = name.utf8
        if let at = utf8.firstIndex(of: UInt8(ascii: "@")), at != utf8.startIndex, utf8.index(after: at) != utf8.endIndex {
            self.init(name: String(name[..<at]), path: String(name[utf8.index(after: at)...]))
        } else {
            self.init(name: name)
        }
    }

    private func with(module: String? = nil, path: String? = nil) -> QualifiedName {
        var copy = self
        if let module { copy.module = module }
        if let path { copy.path = path }
        return copy
    }

    // MARK: Helpers

    /// `indices` sorted by address, ties in the order given.
    private static func addressOrder(_ indices: [Int], in candidates: [Candidate]) -> [Int] {
        indices.sorted {
            candidates[$0].address != candidates[$1].address
                ? candidates[$0].address < candidates[$1].address : $0 < $1
        }
    }

    /// Each of `indices` with its unique name among the candidates of its name.
    private static func matches(_ indices: [Int], in candidates: [Candidate]) -> [Match] {
        let names = Set(indices.map { candidates[$0].name })
        let related = candidates.indices.filter { names.contains(candidates[$0].name) }
        let unique = uniqueNames(for: related.map { candidates[$0] })
        var byIndex: [Int: QualifiedName] = [:]
        for (position, index) in related.enumerated() { byIndex[index] = unique[position] }
        return indices.map { Match(index: $0, uniqueName: byIndex[$0]!) }
    }

    /// One line per match: `  ffffffff8136dad0  init_once@fs/inode.c`.
    private static func listing(_ matches: [Match], in candidates: [Candidate]) -> String {
        matches.map { match in
            let hex = String(candidates[match.index].address, radix: 16)
            return "  " + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + "  \(match.uniqueName)"
        }.joined(separator: "\n")
    }
}
