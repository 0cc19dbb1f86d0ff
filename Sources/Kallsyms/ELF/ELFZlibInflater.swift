import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Inflates one zlib-compressed section (`SHF_COMPRESSED` or `.zdebug_*`) in one go.
///
/// The size a compression header claims is only an upper bound that the data
/// must then meet exactly: memory grows with what zlib really produces, so a
/// header that lies about a huge size costs nothing until the data backs it
/// up. zlib keeps pointers into its `z_stream`, so the stream sits at one heap
/// address for its whole life and `inflateEnd` runs once, in `deinit`.
struct ELFZlibInflater: ~Copyable {
    /// Deflate never expands data by more than about 1032 to 1, so a claimed
    /// size beyond that ratio is a lie that can be rejected before any work.
    static let maximumRatio: UInt64 = 1032

    private let stream: UnsafeMutablePointer<z_stream>

    private init(stream: UnsafeMutablePointer<z_stream>) { self.stream = stream }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates `input`, a zlib stream, which must produce exactly `expectedSize` bytes.
    ///
    /// - Parameters:
    ///   - input: The compressed bytes, after any compression header.
    ///   - expectedSize: The uncompressed size the header states.
    ///   - limit: The most bytes the caller accepts.
    ///   - what: The section, for messages (`section [57] .debug_info`).
    ///   - source: The file, for messages.
    /// - Returns: The inflated bytes.
    /// - Throws: `.malformedELF` for an impossible size, `.inputTooLarge` above
    ///   `limit`, `.compression` for corrupt, truncated or overlong data.
    static func inflate(
        _ input: UnsafeRawBufferPointer, expectedSize: UInt64, limit: Int, what: String, source: String
    ) throws(KallsymsError) -> ELFBuffer {
        guard expectedSize <= UInt64(input.count) &* maximumRatio &+ 64 else {
            throw KallsymsError(
                code: .malformedELF, source: source,
                message: "\(what): the compression header claims \(expectedSize) uncompressed bytes, more than zlib can produce from \(input.count) compressed bytes",
                hint: "the file is corrupt; `readelf -t` shows the section's compression header")
        }
        guard expectedSize <= UInt64(max(limit, 0)) else {
            throw KallsymsError(
                code: .inputTooLarge, source: source,
                message: "\(what) inflates to \(expectedSize) bytes, more than the limit of \(limit) bytes",
                hint: "raise the inflate limit, or decompress it with `objcopy --decompress-debug-sections`")
        }
        let expected = Int(expectedSize)
        guard expected > 0 else { return ELFBuffer(adoptingMalloc: nil, count: 0) }

        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard kallsyms_inflateInit2(stream, 15) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw KallsymsError(code: .compression, source: source, message: "\(what): zlib could not start")
        }
        let inflater = ELFZlibInflater(stream: stream)
        return try inflater.run(input, expected: expected, what: what, source: source)
    }

    private func run(_ input: UnsafeRawBufferPointer, expected: Int, what: String, source: String) throws(KallsymsError) -> ELFBuffer {
        // Start near a typical debug-section ratio and double as data arrives.
        var capacity = min(expected, max(1 << 16, input.count.multipliedReportingOverflow(by: 4).overflow ? expected : input.count * 4))
        // One byte more than the capacity: once the expected size is reached,
        // that byte catches any data that runs longer than the header said.
        guard var memory = malloc(capacity + 1) else { throw outOfMemory(capacity, what: what, source: source) }
        var produced = 0
        var consumed = 0
        var stalls = 0
        var finished = false
        defer { if !finished { free(memory) } }

        while true {
            if stream.pointee.avail_in == 0 && consumed < input.count {
                let piece = min(input.count - consumed, Int(UInt32.max))
                stream.pointee.next_in = UnsafeMutablePointer(
                    mutating: (input.baseAddress! + consumed).assumingMemoryBound(to: UInt8.self))
                stream.pointee.avail_in = UInt32(piece)
                consumed += piece
            }
            if produced == capacity && capacity < expected {
                let grown = capacity > expected / 2 ? expected : capacity * 2
                guard let larger = realloc(memory, grown + 1) else { throw outOfMemory(grown, what: what, source: source) }
                memory = larger
                capacity = grown
            }
            let full = produced == expected
            let window = full ? 1 : min(capacity - produced, Int(UInt32.max))
            stream.pointee.next_out = (memory + produced).assumingMemoryBound(to: UInt8.self)
            stream.pointee.avail_out = UInt32(window)
            let availableBefore = stream.pointee.avail_in
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            let written = window - Int(stream.pointee.avail_out)
            if full && written > 0 {
                throw KallsymsError(
                    code: .compression, source: source,
                    message: "\(what) inflates to more than the \(expected) bytes its compression header states",
                    hint: "the file is corrupt; `readelf -t` shows the section's compression header")
            }
            produced += written
            switch status {
            case Z_STREAM_END:
                guard produced == expected else {
                    throw KallsymsError(
                        code: .compression, source: source,
                        message: "\(what) inflates to \(produced) bytes, but its compression header states \(expected)",
                        hint: "the file is corrupt; `readelf -t` shows the section's compression header")
                }
                finished = true
                return ELFBuffer(adoptingMalloc: memory, count: produced)
            case Z_OK, Z_BUF_ERROR:
                let madeProgress = written > 0 || stream.pointee.avail_in != availableBefore
                stalls = madeProgress ? 0 : stalls + 1
                // Without progress and without more input the data is cut short;
                // the stall count only guards against a zlib that never says so.
                if !madeProgress && (stream.pointee.avail_in == 0 && consumed == input.count || stalls > 2) {
                    throw KallsymsError(
                        code: .compression, source: source,
                        message: "\(what): compressed data ends early, after \(produced) of \(expected) bytes",
                        hint: "the file is probably truncated")
                }
            default:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw KallsymsError(
                    code: .compression, source: source,
                    message: "\(what): compressed data is corrupt: \(detail)",
                    hint: "the file is corrupt; `readelf -t` shows the section's compression header")
            }
        }
    }

    private func outOfMemory(_ size: Int, what: String, source: String) -> KallsymsError {
        KallsymsError(code: .inputTooLarge, source: source, message: "\(what): cannot allocate \(size) bytes to inflate it")
    }
}
