extension ELFFile {
    /// The bytes of `section` as a reader wants them: inflated when the section
    /// is compressed (`SHF_COMPRESSED` with zlib, or an old-style `.zdebug_*`
    /// section), empty for `SHT_NOBITS`, otherwise a view of the mapped file.
    ///
    /// - Parameter section: A section of this file.
    /// - Returns: Its contents, which stay valid while the reader is alive.
    /// - Throws: `.malformedELF` when the section lies outside the file or its
    ///   compression header is bad, `.compression` when the data is corrupt,
    ///   `.inputTooLarge` when it inflates past ``inflateLimit``.
    func contents(of section: ELFSection) throws(KallsymsError) -> ELFByteReader {
        let raw = try rawContents(of: section)
        if section.isCompressed {
            return try inflateELFCompressed(raw, section: section)
        }
        if section.name.hasPrefix(".zdebug"), raw.hasPrefix(ELFFile.zdebugMagic) {
            return try inflateZdebug(raw, section: section)
        }
        return raw
    }

    /// The bytes of `section` exactly as stored in the file.
    func rawContents(of section: ELFSection) throws(KallsymsError) -> ELFByteReader {
        if section.type == .nobits || section.type == .null {
            return file.slice(at: 0, count: 0)!
        }
        guard let bytes = file.slice(at: section.offset, count: section.size) else {
            throw malformed(
                "\(section.label): offset 0x\(String(section.offset, radix: 16)) + size 0x\(String(section.size, radix: 16)) runs past the end of the file (\(file.count) bytes)",
                hint: "the file is probably truncated; compare its size with the original")
        }
        return bytes
    }

    /// "ZLIB", the magic of GNU's pre-standard compressed debug sections.
    static let zdebugMagic: [UInt8] = [0x5A, 0x4C, 0x49, 0x42]

    /// `ELFCOMPRESS_ZLIB`, the only compression zlib alone can undo.
    private static let compressZlib: UInt32 = 1
    /// `ELFCOMPRESS_ZSTD`, which newer toolchains (`-gz=zstd`) write.
    private static let compressZstd: UInt32 = 2

    private func inflateELFCompressed(_ raw: ELFByteReader, section: ELFSection) throws(KallsymsError) -> ELFByteReader {
        // Elf64_Chdr: ch_type, ch_reserved, ch_size, ch_addralign; Elf32_Chdr has no padding word.
        let headerSize = is64Bit ? 24 : 12
        guard let kind = raw.u32(at: 0),
              let size = is64Bit ? raw.u64(at: 8) : raw.u32(at: 4).map(UInt64.init),
              raw.count >= headerSize else {
            throw malformed("\(section.label) is marked SHF_COMPRESSED but is only \(raw.count) bytes, too short for its \(headerSize)-byte compression header")
        }
        switch kind {
        case ELFFile.compressZlib:
            break
        case ELFFile.compressZstd:
            throw KallsymsError(
                code: .compression, source: source,
                message: "\(section.label) is compressed with zstd, which this reader does not support",
                hint: "decompress the debug sections first: objcopy --decompress-debug-sections IN OUT")
        default:
            throw malformed("\(section.label): unknown compression type \(kind) in its compression header (ch_type at offset 0x\(String(section.offset, radix: 16)))")
        }
        return try inflate(raw, skipping: headerSize, expectedSize: size, section: section)
    }

    private func inflateZdebug(_ raw: ELFByteReader, section: ELFSection) throws(KallsymsError) -> ELFByteReader {
        // "ZLIB" then the uncompressed size as a big-endian 64-bit number, whatever the file's byte order.
        guard let size = raw.withByteOrder(bigEndian: true).u64(at: 4) else {
            throw malformed("\(section.label) is only \(raw.count) bytes, too short for its 12-byte \"ZLIB\" header")
        }
        return try inflate(raw, skipping: 12, expectedSize: size, section: section)
    }

    private func inflate(_ raw: ELFByteReader, skipping headerSize: Int, expectedSize: UInt64,
                         section: ELFSection) throws(KallsymsError) -> ELFByteReader {
        let label = section.label
        let source = self.source
        let limit = inflateLimit
        let buffer = try raw.withBytes(at: headerSize, count: raw.count - headerSize) {
            (input) throws(KallsymsError) -> ELFBuffer in
            try ELFZlibInflater.inflate(input, expectedSize: expectedSize, limit: limit, what: label, source: source)
        }
        guard let buffer else { throw malformed("\(label): compressed data is shorter than its header") }
        return ELFByteReader(buffer, isBigEndian: isBigEndian)
    }
}
