import Testing
@testable import Kallsyms

/// Name lookups where folded `__pfx_` padding symbols, stored `__pfx_` names
/// and duplicates share buckets, checked against a plain scan of the lines.
@Suite("Name lookup: padding symbols and duplicates")
struct NameLookupTests {
    /// The answer a scan of the lines gives: every symbol of that name, by address.
    static func expected(_ name: String, in symbols: [ReferenceSymbol]) -> [String] {
        symbols.filter { $0.name == name }.map(\.key).sorted()
    }

    /// The index's answer, checked to agree with the id-only lookup and the bytes one.
    static func answer(_ index: SymbolIndex, _ name: String) -> [String] {
        let symbols = index.symbols(named: name)
        #expect(Array(index.symbolIDs(named: name)) == symbols.map(\.symbolID), "symbolIDs(named: \(name))")
        #expect(Array(symbols.ids) == symbols.map(\.symbolID))
        let bytes = Array(name.utf8).withUnsafeBufferPointer { index.symbols(named: $0).map(\.symbolID) }
        #expect(bytes == symbols.map(\.symbolID), "symbols(named: bytes of \(name))")
        let byteIDs = Array(name.utf8).withUnsafeBufferPointer { Array(index.symbolIDs(named: $0)) }
        #expect(byteIDs == symbols.map(\.symbolID), "symbolIDs(named: bytes of \(name))")
        return symbols.map(\.referenceKey)
    }

    /// A random name of `length` bytes that rarely pair, so that it keeps
    /// most of its length once encoded.
    static func unpairedName(length: Int, using random: inout SplitMix64) -> String {
        let alphabet = Array("qzQZ9xX8jJ7vV".utf8)
        return String(decoding: (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] },
                      as: UTF8.self)
    }

    /// A kernel text table of `names`, 64 bytes apart between `_stext` and `_etext`.
    static func textTable(of names: [String]) -> String {
        var text = "ffffffff81000000 T _stext\n"
        var address: UInt64 = 0xffff_ffff_8100_0000
        for name in names {
            address += 64
            text += "\(String(address, radix: 16)) t \(name)\n"
        }
        return text + "\(String(address + 64, radix: 16)) T _etext\n"
    }

    @Test("stored and folded padding symbols, nested prefixes and duplicates come back complete, by address")
    func paddingAndDuplicates() throws {
        let text = """
        ffffffff81000000 T _stext
        ffffffff81000010 t __pfx_foo
        ffffffff81000020 t foo
        ffffffff81000100 t __pfx_foo
        ffffffff81000140 t foo
        ffffffff81000200 T __pfx___pfx_x
        ffffffff81000210 T __pfx_x
        ffffffff81000300 t __pfx_x
        ffffffff81000350 t __pfx___pfx_x
        ffffffff81000400 t __pfx___pfx_x
        ffffffff81000410 t __pfx_x
        ffffffff81000500 t x
        ffffffff81000600 t __pfx_bar
        ffffffff81000610 t bar
        ffffffff81000700 t bar
        ffffffff81000800 t bar
        ffffffff81000900 t __pfx_
        ffffffff81000a00 t __pfx___pfx_
        ffffffff81000c00 t __pfx_abc
        ffffffff81000c10 t xyz
        ffffffff81000d00 t __pfx_lmn
        ffffffff81000d10 t lmo
        ffffffff81000e00 T _etext

        """
        let reference = ReferenceModel.parse(Array(text.utf8))
        let index = try SymbolIndex(bytes: Array(text.utf8))
        // The table folds some of these (16 bytes before their function) and stores the rest:
        // `__pfx_abc` and `__pfx_lmn` sit 16 bytes before a function of another name of the
        // same length, which the parser's adjacent-line comparison must not take for theirs.
        #expect(index.count == reference.count)
        var names = Set(reference.map(\.name))
        names.formUnion(["__pfx_baz", "baz", "__pfx___pfx_foo", "__pf", "__pfx", "__pfx_b", "fo", "foo2"])
        for name in names.sorted() {
            let answer = Self.answer(index, name)
            #expect(answer == Self.expected(name, in: reference), "symbols(named: \(name))")
            #expect(zip(answer, answer.dropFirst()).allSatisfy { $0 < $1 }, "\(name): address order")
        }
    }

    @Test("queries as small, large, sliced and literal Strings, and with a NUL inside or at an end, answer as their bytes do")
    func stringRepresentations() throws {
        // Small strings (up to 15 bytes) live inside the String value and are
        // copied to the stack for the search; large ones are read in place.
        // The names here are literals (immortal storage when large); `sliced`
        // below gives each a String of its own, on the heap when large.
        let names = ["a", "ab", "foo", "init_task", "fifteen_bytes_x", "sixteen_bytes_xy", "__pfx_vfs_read", "vfs_read",
                     "a_much_longer_name_than_fits_in_a_small_string_by_far"]
        let text = Self.textTable(of: names)
        let reference = ReferenceModel.parse(Array(text.utf8))
        let index = try SymbolIndex(bytes: Array(text.utf8))
        for name in names {
            let expected = Self.expected(name, in: reference)
            #expect(!expected.isEmpty)
            #expect(Self.answer(index, name) == expected, "\(name)")
            // The same name cut out of a longer String, then made a String again.
            let padded = "<<" + name + ">>"
            let sliced = String(padded.dropFirst(2).dropLast(2))
            #expect(Self.answer(index, sliced) == expected, "sliced \(name)")
            // A NUL is a byte of the query like any other: no stored name has one.
            for withNUL in [name + "\0", "\0" + name, String(name.prefix(1)) + "\0" + name.dropFirst()] {
                #expect(index.symbols(named: withNUL).isEmpty, "\(withNUL.debugDescription)")
                #expect(index.symbolIDs(named: withNUL).isEmpty, "\(withNUL.debugDescription)")
            }
            // A prefix or an extension of the name is another name.
            #expect(index.symbols(named: String(name.dropLast())).map(\.name).allSatisfy { $0 == String(name.dropLast()) })
            #expect(index.symbols(named: name + "x").isEmpty)
        }
        // Literals passed straight to the lookups, not read out of an array.
        #expect(Self.answer(index, "init_task") == Self.expected("init_task", in: reference))
        #expect(Self.answer(index, "a_much_longer_name_than_fits_in_a_small_string_by_far")
            == Self.expected("a_much_longer_name_than_fits_in_a_small_string_by_far", in: reference))
        #expect(index.symbols(named: "").isEmpty)
    }

    @Test("random names with random repeats: every lookup equals a scan", arguments: [1, 2, 3, 4])
    func randomRepeats(_ seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var address: UInt64 = 0xffff_ffff_8100_0000
        var text = "ffffffff81000000 T _stext\n"
        var pool: [String] = []
        for _ in 0..<3000 {
            address += 16 + random.next() % 64
            let name: String
            if !pool.isEmpty && random.next() % 4 == 0 {
                name = pool[Int(random.next() % UInt64(pool.count))]
            } else {
                name = "fn_\(random.next() % 100_000)"
                pool.append(name)
            }
            if random.next() % 3 == 0 {
                text += "\(String(address, radix: 16)) t __pfx_\(name)\n"
                address += random.next() % 2 == 0 ? 16 : 32
            }
            text += "\(String(address, radix: 16)) t \(name)\n"
        }
        text += "\(String(address + 64, radix: 16)) T _etext\n"
        let reference = ReferenceModel.parse(Array(text.utf8))
        let index = try SymbolIndex(bytes: Array(text.utf8))
        for name in Set(reference.map(\.name)).union(pool.map { "__pfx_" + $0 + "_absent" }) {
            #expect(Self.answer(index, name) == Self.expected(name, in: reference), "symbols(named: \(name))")
        }
    }

    @Test("iterating the matches (for-in) gives what indexing them gives, for names of up to 16 symbols and of more")
    func iterationEqualsIndexing() throws {
        let loaded = try RealTable.kallsyms61Modules.load()
        let index = loaded.index
        var longest = 0
        for (name, positions) in loaded.reference.duplicateNames() {
            let ids = index.symbolIDs(named: name)
            var iteratedIDs: [Symbol.ID] = []
            for id in ids { iteratedIDs.append(id) }
            #expect(iteratedIDs == ids.indices.map { ids[$0] }, "symbolIDs(named: \(name))")
            let symbols = index.symbols(named: name)
            var iterated: [Symbol] = []
            var iterator = symbols.makeIterator()
            while let symbol = iterator.next() { iterated.append(symbol) }
            #expect(iterator.next() == nil, "after the last of \(name)")
            #expect(iterated == symbols.indices.map { symbols[$0] }, "symbols(named: \(name))")
            #expect(iterated.map(\.symbolID) == iteratedIDs)
            #expect(iterated.map(\.referenceKey).sorted() == positions.map { loaded.reference.symbols[$0].key }.sorted(),
                    "\(name) against the reference")
            longest = max(longest, iterated.count)
        }
        // Past 16 matches the ids live in an array of their own.
        #expect(longest > 16)
        var empty = index.symbolIDs(named: "no_such_symbol_anywhere").makeIterator()
        #expect(empty.next() == nil)
    }

    @Test("a name repeated 20,000 times: every symbol comes back, in address order, and other names still resolve")
    func oneNameManyTimes() throws {
        var text = "ffffffff81000000 T _stext\n"
        var address: UInt64 = 0xffff_ffff_8100_0000
        for number in 0..<20_000 {
            address += 32
            text += "\(String(address, radix: 16)) t \(number % 500 == 0 ? "other_\(number)" : ".LC0")\n"
        }
        text += "\(String(address + 64, radix: 16)) T _etext\n"
        let index = try SymbolIndex(bytes: Array(text.utf8))
        let matches = index.symbols(named: ".LC0")
        #expect(matches.count == 19_960)
        let addresses = matches.map(\.address)
        #expect(addresses == addresses.sorted() && Set(addresses).count == addresses.count)
        #expect(index.symbolIDs(named: ".LC0").count == 19_960)
        for number in stride(from: 0, to: 20_000, by: 500) {
            #expect(index.symbols(named: "other_\(number)").count == 1)
        }
        #expect(index.symbols(named: ".LC1").isEmpty)
    }

    @Test("padding names that do not fold (a table of them alone) get buckets of the planned size, and all resolve")
    func unfoldedPaddingNames() throws {
        // 64 bytes apart, and with no function after them: none folds.
        var text = "ffffffff81000000 T _stext\n"
        for number in 0..<4000 {
            text += "\(String(0xffff_ffff_8100_0040 + UInt64(number) * 64, radix: 16)) t __pfx_function_\(number)\n"
        }
        text += "ffffffff81100000 T _etext\n"
        let index = try SymbolIndex(bytes: Array(text.utf8))
        let storage = index.storage
        #expect(storage.entryCount == 4002)
        // Planned from the names without `__pfx_` (two here), the store would
        // have one bucket, and every lookup would walk all 4,002 names.
        #expect(storage.names.bucketCount >= storage.entryCount / (2 * NameStore.entriesPerBucket))
        for number in stride(from: 0, to: 4000, by: 7) {
            let matches = index.symbols(named: "__pfx_function_\(number)")
            #expect(matches.count == 1 && matches.first?.address == 0xffff_ffff_8100_0040 + UInt64(number) * 64)
        }
    }

    @Test("buckets on both sides of the 256-byte limit of 1-byte record starts, and past eight records: every name resolves")
    func bucketsAroundTheNarrowLimit() throws {
        var random = SplitMix64(seed: 11)
        // Buckets of four names of 30 to 110 bytes straddle 256 bytes of records.
        var names: [String] = []
        for number in 0..<3000 {
            if number % 9 == 0, let earlier = names.randomElement(using: &random) {
                names.append(earlier)    // duplicates fill some buckets past eight records
            } else {
                // Mostly 30 to 110 bytes; one in four 4 to 12, so that some
                // narrow buckets also pass eight records.
                let length = number % 4 == 0 ? 4 + Int(random.next() % 9) : 30 + Int(random.next() % 81)
                names.append(Self.unpairedName(length: length, using: &random))
            }
        }
        let text = Self.textTable(of: names)
        let reference = ReferenceModel.parse(Array(text.utf8))
        let index = try SymbolIndex(bytes: Array(text.utf8))
        let store = index.storage.names
        // Both kinds of bucket, narrow ones close to the limit, and some past eight records.
        var narrowNearLimit = 0
        var wide = 0
        var narrowOverEight = 0
        var wideOverEight = 0
        for number in 0..<store.bucketCount {
            let bucket = store.bucket(number)
            guard bucket.count > 0 else { continue }
            let recordBytes = bucket.end - bucket.firstRecord
            if bucket.isWide { wide += 1 } else if recordBytes > 200 { narrowNearLimit += 1 }
            #expect(bucket.isWide == (recordBytes > NameStore.narrowBucketLimit || bucket.count >= NameStore.manyRecords))
            if bucket.count > 8 {
                if bucket.isWide { wideOverEight += 1 } else { narrowOverEight += 1 }
            }
        }
        #expect(narrowNearLimit > 0 && wide > 0 && narrowOverEight > 0 && wideOverEight > 0,
                "narrow near the limit \(narrowNearLimit), wide \(wide), over eight \(narrowOverEight) narrow and \(wideOverEight) wide")
        #expect(Array(index.symbolsByAddress.map(\.name)) == reference.map(\.name))
        for name in Set(names) {
            #expect(Self.answer(index, name) == Self.expected(name, in: reference), "symbols(named: \(name.prefix(20))...)")
        }
    }

    @Test("names of up to 512 bytes (over 255 codes) beside short ones: every name reads back and resolves")
    func longNames() throws {
        var random = SplitMix64(seed: 7)
        let text = Self.textTable(of: (0..<400).map { number in
            Self.unpairedName(length: number % 5 == 0 ? 200 + Int(random.next() % 313) : 3 + Int(random.next() % 30),
                              using: &random)
        })
        let reference = ReferenceModel.parse(Array(text.utf8))
        let index = try SymbolIndex(bytes: Array(text.utf8))
        #expect(Array(index.symbolsByAddress.map(\.name)) == reference.map(\.name))
        #expect(reference.contains { $0.name.utf8.count > 500 })
        // Some names must take the long-name layout, or this tests nothing new.
        let storage = index.storage
        #expect((0..<storage.entryCount).contains { storage.names.encodedName($0).count >= NameStore.longName })
        for name in Set(reference.map(\.name)) {
            #expect(Self.answer(index, name) == Self.expected(name, in: reference), "symbols(named: \(name.prefix(20))...)")
        }
    }

    @Test("a store of 2^24 + 1 entries keeps 4-byte headers: every record names its entry and folded prefix, once, in its bucket")
    func wideEntryNumbers() {
        let count = (1 << 24) + 1
        // Eight starts and up to two codes each: nine letters.
        let letters = Array("abcdefghi".utf8)
        // Spread over the buckets by a multiplicative hash (a random one per
        // entry doubled this test's time in a debug build).
        func hash(_ entry: Int) -> UInt64 { UInt64(entry) &* 0x9E37_79B9_7F4A_7C15 }
        // Entry e is symbol e, its name one or two of the letters.
        let entries = [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for entry in 0..<count { buffer[entry] = UInt32(entry) }
            initialized = count
        }
        let hashes = entries.map { hash(Int($0)) }
        let codeStarts = entries.map { $0 % 8 }
        let codeCounts = entries.map { UInt16(1 + $0 % 3 / 2) }
        let bucketCount = NameStore.bucketCount(forEntries: count)
        let headerSize = NameStore.headerSize(forEntries: count)
        let sizes = UnsafeMutablePointer<UInt32>.allocate(capacity: bucketCount + 2)
        sizes.initialize(repeating: 0, count: bucketCount + 2)
        for entry in 0..<count {
            sizes[NameStore.bucket(hashes[entry], bucketCount: bucketCount) + 2]
                += NameStore.recordSize(codes: Int(codeCounts[entry]), headerSize: headerSize)
        }
        // Every third entry carries a folded prefix, entry 2^24 among them.
        let flags = (0..<count).map { $0 % 3 == 1 ? IndexStorage.Flags.hasPrefix : 0 }
        let store = entries.withUnsafeBufferPointer { entries in flags.withUnsafeBufferPointer { flags in
            hashes.withUnsafeBufferPointer { hashes in
                codeStarts.withUnsafeBufferPointer { codeStarts in
                    codeCounts.withUnsafeBufferPointer { codeCounts in
                        letters.withUnsafeBufferPointer { letters in
                            let builder = NameStore.Builder(
                                entries: entries, flags: flags.baseAddress!, hashes: hashes.baseAddress!,
                                codes: letters.baseAddress!, codeStarts: codeStarts.baseAddress!,
                                codeCounts: codeCounts.baseAddress!,
                                codec: NameCodec(pairs: [:]), bucketCount: bucketCount, headerSize: headerSize,
                                sizes: sizes)
                            builder.size()
                            builder.write(0)
                            builder.write(1)
                            return builder.finished()
                        }
                    }
                }
            }
        } }
        defer { store.deallocate() }
        #expect(store.headerSize == 4)
        // Over 16 MB of records: 8-byte record locations.
        #expect(store.wideRecordLocations != nil && store.recordLocations.count == 0)
        // Entry to codes, around the 3-byte limit.
        for entry in [0, 1, (1 << 24) - 2, (1 << 24) - 1, 1 << 24] {
            let expected = Array(letters[(entry % 8)..<(entry % 8 + 1 + entry % 3 / 2)])
            #expect(Array(store.encodedName(entry)) == expected)
        }
        // One bucket in 256 holds exactly the entries filed there, in entry
        // order (all of them would take most of a minute in a debug build).
        var seen = 0
        var inOrder = true
        var inTheirBuckets = true
        var fingerprinted = true
        var locatedAlike = true
        var foldsPrefixAsFlagged = true
        for bucket in stride(from: 0, to: store.bucketCount, by: 256) {
            let records = store.bucket(bucket)
            var last = -1
            var end = records.firstRecord
            store.forEachRecord(in: records) { position, record in
                let (entry, foldsPrefix, codes) = record
                inOrder = inOrder && entry > last
                // The folded-prefix bit beside the entry number, not in it.
                foldsPrefixAsFlagged = foldsPrefixAsFlagged && foldsPrefix == (entry % 3 == 1)
                inTheirBuckets = inTheirBuckets && NameStore.bucket(hash(entry), bucketCount: store.bucketCount) == bucket
                fingerprinted = fingerprinted && records.fingerprints[position] == NameStore.fingerprint(hash(entry))
                // The same codes as the entry's own record location gives.
                let direct = store.encodedName(entry)
                locatedAlike = locatedAlike && direct.baseAddress == codes.baseAddress && direct.count == codes.count
                last = entry
                seen += 1
                // Where the entry's record location says its codes end.
                end = direct.baseAddress! + direct.count
            }
            // The bucket's last record, as its location gives it, ends where the next bucket starts.
            inTheirBuckets = inTheirBuckets && end == UnsafePointer(store.arena.base) + Int(store.bucketStarts[bucket + 1])
        }
        // As many as were filed in those buckets: the bucket sizes add up.
        var filed = 0
        for entry in 0..<count where NameStore.bucket(hash(entry), bucketCount: store.bucketCount) % 256 == 0 { filed += 1 }
        #expect(seen == filed && seen > 0)
        #expect(inOrder)
        #expect(inTheirBuckets)
        #expect(fingerprinted)
        #expect(locatedAlike)
        #expect(foldsPrefixAsFlagged)
    }
}
