/// JSON shapes (via any `Encoder`) for tools that print or ship results.
///
/// Addresses, sizes and offsets are hex strings (`"0xffffffff81000000"`),
/// because JSON numbers lose precision above 2^53 in many readers.
extension Symbol: Encodable {
    private enum CodingKeys: String, CodingKey {
        case name, address, size, type, module, file, builtinModules
    }

    /// Encodes `name`, `address`, `size` (null when unknown), `type` (the
    /// `nm` letter), `module` (null for vmlinux), and `file` and
    /// `builtinModules` when attribution found them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode("0x" + hex(address, width: storage.addressWidth), forKey: .address)
        try container.encode(size.map { "0x" + String($0, radix: 16) }, forKey: .size)
        try container.encode(String(type.letter), forKey: .type)
        try container.encode(module?.name, forKey: .module)
        try container.encodeIfPresent(file, forKey: .file)
        let builtin = builtinModules
        if !builtin.isEmpty { try container.encode(builtin, forKey: .builtinModules) }
    }
}

extension SymbolOffset: Encodable {
    private enum CodingKeys: String, CodingKey {
        case address, symbol, offset, formatted
    }

    /// Encodes the `address` asked about, its `symbol`, the `offset` into it,
    /// and the `%pS` text as `formatted`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("0x" + hex(address, width: symbol.storage.addressWidth), forKey: .address)
        try container.encode(symbol, forKey: .symbol)
        try container.encode("0x" + String(offset, radix: 16), forKey: .offset)
        try container.encode(description, forKey: .formatted)
    }
}

extension SymbolIndex.DuplicateName: Encodable {
    private enum CodingKeys: String, CodingKey { case name, symbols }
    private enum MemberKeys: String, CodingKey { case symbol, qualifiedName }

    /// Encodes the shared `name` and its `symbols`, each with the
    /// `qualifiedName` that tells it apart.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        var members = container.nestedUnkeyedContainer(forKey: .symbols)
        for (symbol, qualified) in zip(symbols, qualifiedNames) {
            var member = members.nestedContainer(keyedBy: MemberKeys.self)
            try member.encode(symbol, forKey: .symbol)
            try member.encode(qualified, forKey: .qualifiedName)
        }
    }
}

extension SymbolIndex.Statistics: Encodable {
    private enum CodingKeys: String, CodingKey {
        case symbols, vmlinuxSymbols, moduleSymbols, pseudoModuleSymbols, absoluteSymbols
        case unsymbolizableSymbols, foldedPrefixSymbols, modules, pseudoModules, byType, byModule
        case duplicateNames, symbolsWithDuplicateNames, kernelCoverage, residentBytes, bytesPerSymbol
    }

    /// Encodes the statistics, each under its property's name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(symbols, forKey: .symbols)
        try container.encode(vmlinuxSymbols, forKey: .vmlinuxSymbols)
        try container.encode(moduleSymbols, forKey: .moduleSymbols)
        try container.encode(pseudoModuleSymbols, forKey: .pseudoModuleSymbols)
        try container.encode(absoluteSymbols, forKey: .absoluteSymbols)
        try container.encode(unsymbolizableSymbols, forKey: .unsymbolizableSymbols)
        try container.encode(foldedPrefixSymbols, forKey: .foldedPrefixSymbols)
        try container.encode(modules, forKey: .modules)
        try container.encode(pseudoModules, forKey: .pseudoModules)
        try container.encode(byType.map { TypeCount(type: String($0.type.letter), count: $0.count) }, forKey: .byType)
        try container.encode(byModule.map { ModuleCount(module: $0.module?.name ?? "vmlinux", count: $0.count) },
                             forKey: .byModule)
        try container.encode(duplicateNames, forKey: .duplicateNames)
        try container.encode(symbolsWithDuplicateNames, forKey: .symbolsWithDuplicateNames)
        try container.encode(String(describing: kernelCoverage), forKey: .kernelCoverage)
        try container.encode(residentBytes, forKey: .residentBytes)
        try container.encode((bytesPerSymbol * 100).rounded() / 100, forKey: .bytesPerSymbol)
    }
}

private struct TypeCount: Encodable {
    var type: String
    var count: Int
}

private struct ModuleCount: Encodable {
    var module: String
    var count: Int
}
