/// One debug section, inflated if it was compressed, with the relocations
/// that apply to it when the file is a relocatable object.
struct DWARFSection: Sendable {
    /// The section's name in the file (`.debug_info`, or `.zdebug_info`).
    let name: String
    let bytes: ELFByteReader
    /// Non-nil only in an `ET_REL` file with a `.rela.debug_*` (or `.rel`) section for this one.
    let relocations: ELFRelocations?
    /// The file, for messages.
    let source: String

    /// An error that names this section and an offset in it.
    func error(at offset: Int, _ message: String) -> KallsymsError {
        KallsymsError(
            code: .malformedDWARF, source: source,
            message: "\(name) at offset 0x\(String(offset, radix: 16)): \(message)",
            hint: "the debug information is corrupt or truncated; `readelf --debug-dump` shows what it holds")
    }

    /// The `size`-byte value at `offset` after relocation, with the section it
    /// is relative to (always nil outside relocatable objects); nil when the
    /// value is out of range.
    func relocated(at offset: Int, size: Int) throws(KallsymsError) -> ELFRelocations.Resolved? {
        guard let value = bytes.unsigned(at: offset, size: size) else { return nil }
        if let relocations, let resolved = try relocations.resolve(at: offset, inPlace: value) {
            return resolved
        }
        return ELFRelocations.Resolved(value: value, sectionIndex: nil)
    }

    /// The zero-terminated string at `offset`, or nil when there is none.
    func string(at offset: UInt64) -> String? {
        guard offset < UInt64(bytes.count) else { return nil }
        return bytes.string(at: Int(offset))
    }
}

/// Reads fields one after another inside `offset..<end` of a ``DWARFSection``.
///
/// Every read checks the end, which is the end of the current unit rather
/// than of the section, so a unit cannot read its neighbour's bytes; a read
/// that does not fit throws an error naming the field and its offset.
struct DWARFCursor {
    let section: DWARFSection
    var offset: Int
    let end: Int

    init(_ section: DWARFSection, offset: Int, end: Int? = nil) {
        self.section = section
        self.offset = offset
        self.end = min(end ?? section.bytes.count, section.bytes.count)
    }

    var isAtEnd: Bool { offset >= end }

    func overrun(_ field: StaticString, size: Int) -> KallsymsError {
        section.error(at: offset, "\(field) (\(size) bytes) runs past the end of its unit at 0x\(String(end, radix: 16))")
    }

    mutating func u8(_ field: StaticString) throws(KallsymsError) -> UInt8 {
        guard offset < end, let value = section.bytes.u8(at: offset) else { throw overrun(field, size: 1) }
        offset &+= 1
        return value
    }

    mutating func u16(_ field: StaticString) throws(KallsymsError) -> UInt16 {
        guard offset <= end &- 2, let value = section.bytes.u16(at: offset) else { throw overrun(field, size: 2) }
        offset &+= 2
        return value
    }

    mutating func u32(_ field: StaticString) throws(KallsymsError) -> UInt32 {
        guard offset <= end &- 4, let value = section.bytes.u32(at: offset) else { throw overrun(field, size: 4) }
        offset &+= 4
        return value
    }

    /// An unsigned value of 1, 2, 3, 4 or 8 bytes.
    mutating func unsigned(_ field: StaticString, size: Int) throws(KallsymsError) -> UInt64 {
        guard offset <= end &- size, let value = section.bytes.unsigned(at: offset, size: size) else {
            throw overrun(field, size: size)
        }
        offset &+= size
        return value
    }

    /// A `size`-byte address or section offset, relocated when a relocation applies to it.
    mutating func relocated(_ field: StaticString, size: Int) throws(KallsymsError) -> ELFRelocations.Resolved {
        guard offset <= end &- size, let value = try section.relocated(at: offset, size: size) else {
            throw overrun(field, size: size)
        }
        offset &+= size
        return value
    }

    mutating func uleb(_ field: StaticString) throws(KallsymsError) -> UInt64 {
        var position = offset
        guard let value = section.bytes.uleb(at: &position), position <= end else {
            throw section.error(at: offset, "\(field) (an unsigned LEB128 number) runs past the end of its unit at 0x\(String(end, radix: 16))")
        }
        offset = position
        return value
    }

    mutating func sleb(_ field: StaticString) throws(KallsymsError) -> Int64 {
        var position = offset
        guard let value = section.bytes.sleb(at: &position), position <= end else {
            throw section.error(at: offset, "\(field) (a signed LEB128 number) runs past the end of its unit at 0x\(String(end, radix: 16))")
        }
        offset = position
        return value
    }

    /// Moves past `count` bytes (a block's contents).
    mutating func skip(_ field: StaticString, count: UInt64) throws(KallsymsError) {
        guard count <= UInt64(end &- offset) else {
            throw section.error(at: offset, "\(field) of \(count) bytes runs past the end of its unit at 0x\(String(end, radix: 16))")
        }
        offset &+= Int(count)
    }

    /// Moves past a zero-terminated string and returns where it started.
    mutating func skipString(_ field: StaticString) throws(KallsymsError) -> Int {
        guard let zero = section.bytes.stringEnd(from: offset), zero < end else {
            throw section.error(at: offset, "\(field) (a string) has no terminating zero before the end of its unit at 0x\(String(end, radix: 16))")
        }
        let start = offset
        offset = zero &+ 1
        return start
    }
}
