/// Tests on the eight byte lanes of a 64-bit word at once, for the name
/// encoder's codable positions and the name store's fingerprint matches.
enum ByteLanes {
    private static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// The top bit of each lane of `word` that is not zero, and no other bit.
    /// Exact, unlike the shorter `(word - 0x01..) & ~word & 0x80..`: adding
    /// 0x7F to a lane's low seven bits never carries into the next lane.
    @inline(__always)
    static func nonzero(_ word: UInt64) -> UInt64 {
        (((word & low7) &+ low7) | word) & ~low7
    }

    /// The top bit of each lane of `word` that is zero, and no other bit.
    @inline(__always)
    static func zero(_ word: UInt64) -> UInt64 { nonzero(word) ^ ~low7 }
}
