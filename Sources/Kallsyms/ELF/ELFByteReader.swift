#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bounds-checked, byte-order-aware reads from part of an ``ELFBuffer``.
///
/// As with swift-nio's `ByteBuffer.get…(at:)`, a read never moves anything and
/// a read past the end returns `nil`: the caller knows which field it was
/// after, so it is the one that throws an error naming that field. This is the
/// only type in `ELF/` and `DWARF/` that dereferences a pointer; the reader
/// holds its buffer, so its bytes stay valid while any copy of it is alive.
/// It is `@unchecked Sendable` because those bytes are never written.
struct ELFByteReader: @unchecked Sendable {
    private let owner: ELFBuffer
    private let base: UnsafeRawPointer?
    /// How many bytes can be read.
    let count: Int
    /// Multi-byte values are big-endian (`ELFDATA2MSB`).
    let isBigEndian: Bool

    /// Reads all of `owner`'s bytes.
    init(_ owner: ELFBuffer, isBigEndian: Bool) {
        self.owner = owner
        self.base = owner.bytes.baseAddress
        self.count = owner.bytes.count
        self.isBigEndian = isBigEndian
    }

    private init(owner: ELFBuffer, base: UnsafeRawPointer?, count: Int, isBigEndian: Bool) {
        self.owner = owner
        self.base = base
        self.count = count
        self.isBigEndian = isBigEndian
    }

    /// True when `size` bytes can be read at `offset`; never overflows.
    @inline(__always)
    func contains(_ offset: Int, _ size: Int) -> Bool {
        offset >= 0 && size >= 0 && size <= count && offset <= count &- size
    }

    /// The same bytes read with another byte order.
    func withByteOrder(bigEndian: Bool) -> ELFByteReader {
        ELFByteReader(owner: owner, base: base, count: count, isBigEndian: bigEndian)
    }

    /// `size` bytes at `offset`, or nil when they are not all there.
    func slice(at offset: Int, count size: Int) -> ELFByteReader? {
        guard contains(offset, size) else { return nil }
        return ELFByteReader(owner: owner, base: size == 0 ? base : base! + offset,
                             count: size, isBigEndian: isBigEndian)
    }

    /// `size` bytes at `offset`, for offsets and sizes read from a file header.
    func slice(at offset: UInt64, count size: UInt64) -> ELFByteReader? {
        guard offset <= UInt64(Int.max), size <= UInt64(Int.max) else { return nil }
        return slice(at: Int(offset), count: Int(size))
    }

    @inline(__always)
    func u8(at offset: Int) -> UInt8? {
        guard contains(offset, 1) else { return nil }
        return base!.load(fromByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    func u16(at offset: Int) -> UInt16? {
        guard contains(offset, 2) else { return nil }
        let raw = base!.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return isBigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
    }

    @inline(__always)
    func u32(at offset: Int) -> UInt32? {
        guard contains(offset, 4) else { return nil }
        let raw = base!.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return isBigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    @inline(__always)
    func u64(at offset: Int) -> UInt64? {
        guard contains(offset, 8) else { return nil }
        let raw = base!.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return isBigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
    }

    /// An unsigned value of 1, 2, 3, 4 or 8 bytes (3 is DWARF's `strx3`/`addrx3`).
    func unsigned(at offset: Int, size: Int) -> UInt64? {
        switch size {
        case 1: return u8(at: offset).map(UInt64.init)
        case 2: return u16(at: offset).map(UInt64.init)
        case 4: return u32(at: offset).map(UInt64.init)
        case 8: return u64(at: offset)
        case 3:
            guard contains(offset, 3) else { return nil }
            let b0 = UInt64(base!.load(fromByteOffset: offset, as: UInt8.self))
            let b1 = UInt64(base!.load(fromByteOffset: offset + 1, as: UInt8.self))
            let b2 = UInt64(base!.load(fromByteOffset: offset + 2, as: UInt8.self))
            return isBigEndian ? b0 << 16 | b1 << 8 | b2 : b2 << 16 | b1 << 8 | b0
        default: return nil
        }
    }

    /// Reads an unsigned LEB128 number and moves `offset` past it.
    ///
    /// Bits beyond 64 are dropped rather than rejected, as binutils does; the
    /// loop still ends at the buffer's end, so a run of `0x80` bytes cannot hang.
    @inline(__always)
    func uleb(at offset: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var position = offset
        while position >= 0 && position < count {
            let byte = base!.load(fromByteOffset: position, as: UInt8.self)
            position &+= 1
            if shift < 64 { result |= UInt64(byte & 0x7F) &<< shift }
            shift &+= 7
            if byte & 0x80 == 0 {
                offset = position
                return result
            }
        }
        return nil
    }

    /// Reads a signed LEB128 number and moves `offset` past it.
    @inline(__always)
    func sleb(at offset: inout Int) -> Int64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var position = offset
        while position >= 0 && position < count {
            let byte = base!.load(fromByteOffset: position, as: UInt8.self)
            position &+= 1
            if shift < 64 { result |= UInt64(byte & 0x7F) &<< shift }
            shift &+= 7
            if byte & 0x80 == 0 {
                if shift < 64 && byte & 0x40 != 0 { result |= ~0 &<< shift }
                offset = position
                return Int64(bitPattern: result)
            }
        }
        return nil
    }

    /// The offset of the first zero byte at or after `offset`, or nil when the
    /// string runs to the end without one.
    func stringEnd(from offset: Int) -> Int? {
        guard offset >= 0, offset < count else { return nil }
        guard let hit = memchr(base! + offset, 0, count - offset) else { return nil }
        return UnsafeRawPointer(hit) - base!
    }

    /// The zero-terminated string at `offset`, decoded as UTF-8 (invalid bytes
    /// are replaced), or nil when it is out of range or unterminated.
    func string(at offset: Int) -> String? {
        guard let end = stringEnd(from: offset) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: base! + offset, count: end - offset),
                      as: UTF8.self)
    }

    /// True when the bytes at `offset` are `prefix`.
    func hasPrefix(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
        guard contains(offset, prefix.count) else { return false }
        for (i, byte) in prefix.enumerated() where base!.load(fromByteOffset: offset + i, as: UInt8.self) != byte {
            return false
        }
        return true
    }

    /// Lends the raw bytes `offset..<offset+size` to `body`, or returns nil when out of range.
    func withBytes<Result, Failure: Error>(
        at offset: Int, count size: Int,
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result? {
        guard contains(offset, size) else { return nil }
        return try body(UnsafeRawBufferPointer(start: size == 0 ? nil : base! + offset, count: size))
    }

    /// A copy of the bytes, for tests and small tables.
    func copyBytes() -> [UInt8] {
        guard count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: base!, count: count))
    }
}
