import Testing
@testable import Kallsyms

/// The byte-pair codec on real kernel names: the whole-name greedy encoder
/// against the plain left-to-right loop, and decoding back.
@Suite("Name codec: encoding matches plain greedy pairing and decodes back")
struct NameCodecTests {
    /// The names of the 6.18 snapshot, as byte arrays.
    static func realNames() throws -> [[UInt8]] {
        let text = try TestData.gunzip(path: RealTable.kallsyms618.path)
        return text.split(separator: UInt8(ascii: "\n")).compactMap { line in
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 2)
            guard fields.count == 3 else { return nil }
            return Array(fields[2].prefix { $0 != UInt8(ascii: "\t") })
        }
    }

    /// A codec trained on every eighth of `names`, as a build samples them.
    static func trained(_ names: [[UInt8]]) -> (codec: NameCodec, encoder: NameCodec.PairEncoder) {
        let counts = NamePairCounts()
        defer { counts.deallocate() }
        for name in stride(from: 0, to: names.count, by: 8).map({ names[$0] }) {
            name.withUnsafeBufferPointer { if let base = $0.baseAddress { counts.add(base, count: $0.count) } }
        }
        return NameCodec.trained(on: counts, highBytesOccur: false)
    }

    /// Encodes with both encoders and decodes, expecting the same codes and the name back.
    static func check(_ name: [UInt8], codec: NameCodec, encoder: NameCodec.PairEncoder) {
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 72)
        let fast = UnsafeMutablePointer<UInt8>.allocate(capacity: max(name.count, 1))
        let plain = UnsafeMutablePointer<UInt8>.allocate(capacity: max(name.count, 1))
        let decoded = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * name.count + 2)
        defer { [scratch, fast, plain, decoded].forEach { $0.deallocate() } }
        name.withUnsafeBytes { bytes in
            let fastCount = encoder.encode(bytes, scratch: scratch, into: fast)
            let plainCount = bytes.count == 0 ? 0 : encoder.encodeSequentially(bytes.baseAddress!, count: bytes.count, into: plain)
            #expect(Array(UnsafeBufferPointer(start: fast, count: fastCount))
                    == Array(UnsafeBufferPointer(start: plain, count: plainCount)),
                    "\(String(decoding: name, as: UTF8.self)): \(name.count) bytes")
            let length = codec.decode(UnsafeBufferPointer(start: fast, count: fastCount), into: decoded)
            #expect(Array(UnsafeBufferPointer(start: decoded, count: length)) == name)
        }
    }

    /// Whether `codec.matches` takes `codes` (followed by bytes that are not
    /// the name's: `matches` may read 16 code bytes whatever the name's
    /// length) to be `query`.
    static func matches(_ codes: [UInt8], query: [UInt8], codec: NameCodec, trailing: UInt8) -> Bool {
        let padded = codes + [UInt8](repeating: trailing, count: NameStore.readPadding)
        return padded.withUnsafeBufferPointer { buffer in
            query.withUnsafeBytes { bytes in
                codec.matches(UnsafeBufferPointer(rebasing: buffer[0..<codes.count]),
                              query: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: bytes.count)
            }
        }
    }

    @Test("a name's codes match exactly that name: every real name, beside codes of other names")
    func realNamesMatch() throws {
        let names = try Self.realNames()
        let (codec, encoder) = Self.trained(names)
        defer { codec.deallocate() }
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 72)
        let output = UnsafeMutablePointer<UInt8>.allocate(capacity: 600)
        defer { scratch.deallocate(); output.deallocate() }
        var unrolled = 0
        var mismatches = 0
        for (number, name) in names.enumerated() {
            let codes = name.withUnsafeBytes { bytes in
                Array(UnsafeBufferPointer(start: output, count: encoder.encode(bytes, scratch: scratch, into: output)))
            }
            // Stored names lack the `__pfx_` of folded padding symbols.
            let prefix = IndexStorage.prefixName
            let storedCodes = name.starts(with: prefix) ? name.dropFirst(prefix.count).withUnsafeBytes { bytes in
                encoder.encode(bytes, scratch: scratch, into: output)
            } : codes.count
            if storedCodes <= NameCodec.unrolledCodes { unrolled += 1 }
            // What follows a name in the arena is the next name's codes: any byte.
            let trailing = UInt8(truncatingIfNeeded: number &* 37 &+ 0x21)
            if !Self.matches(codes, query: name, codec: codec, trailing: trailing) { mismatches += 1 }
            // One byte changed, one dropped, one added: never a match.
            var changed = name
            changed[number % name.count] ^= 0x01
            if Self.matches(codes, query: changed, codec: codec, trailing: trailing) { mismatches += 1 }
            if Self.matches(codes, query: Array(name.dropLast()), codec: codec, trailing: trailing) { mismatches += 1 }
            if Self.matches(codes, query: name + [UInt8(ascii: "_")], codec: codec, trailing: trailing) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // Most queries verify on the unrolled path (`NameCodec.unrolledCodes`):
        // 81% of the 6.18 snapshot's names, as they are filed.
        #expect(Double(unrolled) / Double(names.count) > 0.75, "\(unrolled) of \(names.count) names")
    }

    @Test("every name of the 6.18 snapshot, and every prefix of its longest names, round-trips")
    func realNamesRoundTrip() throws {
        let names = try Self.realNames()
        #expect(names.count > 100_000)
        let (codec, encoder) = Self.trained(names)
        defer { codec.deallocate() }
        for name in names { Self.check(name, codec: codec, encoder: encoder) }
        // Every length up to and past the 64 bytes the encoder handles as a
        // whole name, cut from the longest real names.
        let long = names.sorted { $0.count > $1.count }.prefix(20)
        #expect(long.contains { $0.count > 64 })
        for name in long {
            for length in 1...name.count { Self.check(Array(name.prefix(length)), codec: codec, encoder: encoder) }
        }
    }

    @Test("random names of 0 to 140 bytes over the kernel's alphabet round-trip", arguments: [11, 12])
    func randomNamesRoundTrip(_ seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let alphabet = Array("abcdeinorst_0123456789ABCXYZ.$".utf8)
        let names = (0..<4000).map { number in
            (0..<(number % 141)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
        }
        let (codec, encoder) = Self.trained(names)
        defer { codec.deallocate() }
        for name in names { Self.check(name, codec: codec, encoder: encoder) }
    }
}
