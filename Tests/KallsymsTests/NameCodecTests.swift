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
