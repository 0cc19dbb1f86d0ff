/// A compact, immutable, sorted index of a kernel's symbols, built from
/// `/proc/kallsyms` or `System.map` text.
///
/// ```swift
/// let index = try SymbolIndex(contentsOf: "/proc/kallsyms")
/// if let hit = index.symbol(containing: 0xffffffff8110_2a3c) {
///     print(hit)                      // vfs_read+0x1c/0x2f0
/// }
/// for symbol in index.symbols(named: "init_once") {
///     print(symbol)                   // ffffffff8150a1e0 t init_once
/// }
/// ```
///
/// The index is a value type over shared immutable storage: copies are free,
/// and any number of threads may query one index at once.
public struct SymbolIndex: Sendable {
    @usableFromInline let storage: IndexStorage

    /// How to read the input.
    public struct Options: Sendable {
        /// Skip bad lines, keeping what they said in ``SymbolIndex/diagnostics``,
        /// instead of failing at the first. Problems with the input as a whole
        /// (empty, binary, hidden addresses) still throw.
        public var lenient: Bool = false
        /// The most bytes to read, after decompression (default 1 GiB).
        public var maximumInputSize: Int = 1 << 30
        /// Module placements from `/proc/modules`, so that each module's last
        /// symbol gets a size.
        public var moduleLayout: ModuleLayout?

        /// ELF files to learn source files from: the `vmlinux` the table came
        /// from (its symbol table, and DWARF when it has debug info) and any
        /// `.ko` modules (plain or `.gz`). See ``Symbol/file``.
        public var elfFiles: [String] = []
        /// A `modules.builtin.ranges` file (Linux 6.12+), naming the built-in
        /// module of vmlinux addresses. See ``Symbol/builtinModules``.
        public var builtinModuleRanges: String?
        /// The kernel source tree's root as the build recorded it, stripped from
        /// paths when it cannot be recognised otherwise (see ``Symbol/file``).
        public var sourceRoot: String?

        /// The defaults: strict, 1 GiB, no module layout, no attribution.
        public init() {}

        /// Options with the given values.
        public init(lenient: Bool = false, maximumInputSize: Int = 1 << 30, moduleLayout: ModuleLayout? = nil,
                    elfFiles: [String] = [], builtinModuleRanges: String? = nil, sourceRoot: String? = nil) {
            self.lenient = lenient
            self.maximumInputSize = maximumInputSize
            self.moduleLayout = moduleLayout
            self.elfFiles = elfFiles
            self.builtinModuleRanges = builtinModuleRanges
            self.sourceRoot = sourceRoot
        }

        var clampedLimit: Int { min(max(maximumInputSize, 0), Int(UInt32.max)) }
    }

    /// Reads and indexes a file: `/proc/kallsyms`, a saved copy, or a `System.map`,
    /// plain or gzip-compressed.
    /// - Parameters:
    ///   - path: the file to read; read to end of file, so `/proc` files work.
    ///   - options: strictness, size limit and module layout.
    /// - Throws: ``KallsymsError`` naming the file, line and offending text.
    public init(contentsOf path: String, options: Options = Options()) throws(KallsymsError) {
        let text = try InputBytes.read(path: path, limit: options.clampedLimit)
        try self.init(text: text, source: path, options: options)
    }

    /// Indexes a symbol table held in memory (gzip is recognised by its magic bytes).
    /// - Parameters:
    ///   - bytes: the table's text, or its gzip compression.
    ///   - sourceName: how messages name the input.
    ///   - options: strictness, size limit and module layout.
    /// - Throws: ``KallsymsError`` naming the line and offending text.
    public init(bytes: [UInt8], sourceName: String = "<memory>", options: Options = Options()) throws(KallsymsError) {
        let text = try InputBytes.decode(bytes, name: sourceName, limit: options.clampedLimit)
        try self.init(text: text, source: sourceName, options: options)
    }

    /// Reads a symbol table from an open file descriptor (a pipe, a socket,
    /// standard input) until end of file. The descriptor is not closed.
    /// - Parameters:
    ///   - fileDescriptor: where to read from; 0 is standard input.
    ///   - sourceName: how messages name the input.
    ///   - options: strictness, size limit and module layout.
    /// - Throws: ``KallsymsError`` naming the line and offending text.
    public init(fileDescriptor: Int32, sourceName: String = "<stdin>", options: Options = Options()) throws(KallsymsError) {
        let text = try InputBytes.read(descriptor: fileDescriptor, name: sourceName, limit: options.clampedLimit)
        try self.init(text: text, source: sourceName, options: options)
    }

    init(text: [UInt8], source: String, options: Options) throws(KallsymsError) {
        // The parsed table points into the text, so both stages run while it is pinned.
        let (storage, extras) = try text.withUnsafeBufferPointerTyped { bytes throws(KallsymsError) in
            let table = try SymbolTableParser.parse(bytes, source: source, lenient: options.lenient)
            defer { table.deallocate() }
            return IndexBuilder.build(table, moduleLayout: options.moduleLayout)
        }
        try SymbolIndex.attribute(storage, extras: extras, options: options)
        self.storage = storage
    }

    /// The number of symbols: one per line of the input that held a symbol.
    public var count: Int { storage.symbolCount }

    /// The path or name the index was read from.
    public var sourceName: String { storage.source }

    /// Lines skipped in lenient mode, each with its line number and problem.
    public var diagnostics: [KallsymsError] { storage.diagnostics }

    /// Which vmlinux addresses resolve, as the kernel decides it.
    public var kernelCoverage: KernelCoverage { storage.kernelCoverage }

    /// The modules and pseudo-modules, in the order the input first names them.
    public var modules: [Module] { storage.regions.compactMap { $0 } }

    /// Bytes of memory the index holds (all its columns and tables).
    public var residentBytes: Int { storage.residentBytes }

    /// ``residentBytes`` divided by ``count``.
    public var bytesPerSymbol: Double { count == 0 ? 0 : Double(residentBytes) / Double(count) }
}
