import CZlib

/// The one place that talks to zlib: inflates gzip (and zlib) streams.
///
/// zlib keeps pointers into its `z_stream`, so the stream lives at a fixed heap
/// address for the inflater's whole life, and `inflateEnd` runs exactly once,
/// in `deinit`, because the type cannot be copied.
struct GzipInflater: ~Copyable {
    private let stream: UnsafeMutablePointer<z_stream>
    private let scratch: UnsafeMutableBufferPointer<UInt8>
    private let source: String
    private let limit: Int
    private var memberEnded = false
    private var sawInput = false

    /// Starts a stream that accepts gzip or zlib headers (window bits 15 + 32),
    /// and refuses to produce more than `limit` bytes in all.
    init(source: String, limit: Int) throws(KallsymsError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        scratch = .allocate(capacity: 1 << 18)
        self.source = source
        self.limit = limit
        let status = kallsyms_inflateInit2(stream, 15 + 32)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            scratch.deallocate()
            throw KallsymsError(code: .compression, source: source,
                                message: "zlib could not start (status \(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        scratch.deallocate()
    }

    /// True when the input begins with the gzip magic bytes `1f 8b`.
    static func isGzip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates all of `input`, appending to `output`.
    ///
    /// Concatenated gzip members are inflated one after the other, as `gzip -d`
    /// does. Call ``finish()`` after the last piece to detect truncation.
    mutating func inflate(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(KallsymsError) {
        var remaining = input
        while remaining.count > 0 {
            if memberEnded {
                // Another gzip member may follow; zero padding is tolerated as gzip does.
                if remaining.allSatisfy({ $0 == 0 }) { return }
                guard remaining[0] == 0x1F else {
                    throw KallsymsError(
                        code: .compression, source: source,
                        message: "unexpected data after the end of the gzip stream",
                        hint: "the file may be two files glued together; check it with gzip -t")
                }
                inflateReset(stream)
                memberEnded = false
            }
            sawInput = true
            let offered = min(remaining.count, Int(UInt32.max))
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: remaining.baseAddress!.assumingMemoryBound(to: UInt8.self))
            stream.pointee.avail_in = UInt32(offered)
            repeat {
                stream.pointee.next_out = scratch.baseAddress
                stream.pointee.avail_out = UInt32(scratch.count)
                let status = CZlib.inflate(stream, Z_NO_FLUSH)
                let produced = scratch.count - Int(stream.pointee.avail_out)
                guard output.count + produced <= limit else {
                    throw KallsymsError(
                        code: .inputTooLarge, source: source,
                        message: "gzip input inflates to more than the limit of \(limit) bytes",
                        hint: "raise LoadOptions.maximumInputSize if the table is really that large")
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[0..<produced]))
                switch status {
                case Z_STREAM_END:
                    memberEnded = true
                case Z_OK, Z_BUF_ERROR:
                    // Z_BUF_ERROR only says "no progress without more input".
                    if status == Z_BUF_ERROR && produced == 0 && stream.pointee.avail_in > 0 {
                        throw zlibError(status)
                    }
                default:
                    throw zlibError(status)
                }
            } while !memberEnded && (stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0)
            let consumed = offered - Int(stream.pointee.avail_in)
            remaining = UnsafeRawBufferPointer(rebasing: remaining[consumed...])
        }
    }

    /// Checks that the last gzip member ended properly.
    func finish() throws(KallsymsError) {
        guard memberEnded || !sawInput else {
            throw KallsymsError(
                code: .compression, source: source,
                message: "gzip data ends early: the stream is truncated",
                hint: "the file was cut short (an interrupted copy or download); get a complete copy")
        }
    }

    private func zlibError(_ status: Int32) -> KallsymsError {
        let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
        return KallsymsError(
            code: .compression, source: source,
            message: "gzip data is corrupt: \(detail)",
            hint: "check the file with gzip -t; it may be damaged or not gzip at all")
    }
}
