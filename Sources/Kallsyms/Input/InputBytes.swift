/// Turns a path, a file descriptor or bytes in memory into plain text bytes,
/// inflating gzip on the way (recognised by its magic bytes, or required by a
/// `.gz` name), and never holding more than `limit` bytes of output.
enum InputBytes {
    /// Reads a whole file, streaming it through zlib when it is gzip.
    static func read(path: String, limit: Int) throws(KallsymsError) -> [UInt8] {
        let file = try SystemFile(opening: path)
        return try read(file, expectGzip: path.hasSuffix(".gz"), limit: limit)
    }

    /// Reads from a descriptor (a pipe, stdin, a `/proc` file) to end of file.
    static func read(descriptor: Int32, name: String, limit: Int) throws(KallsymsError) -> [UInt8] {
        let file = SystemFile(borrowing: descriptor, name: name)
        return try read(file, expectGzip: name.hasSuffix(".gz"), limit: limit)
    }

    /// Accepts bytes already in memory, inflating them when they are gzip.
    static func decode(_ bytes: [UInt8], name: String, limit: Int) throws(KallsymsError) -> [UInt8] {
        try bytes.withUnsafeBytesTyped { raw throws(KallsymsError) in
            if GzipInflater.isGzip(raw) {
                var inflater = try GzipInflater(source: name, limit: limit)
                var output: [UInt8] = []
                output.reserveCapacity(min(limit, raw.count * 6))
                try inflater.inflate(raw, into: &output)
                try inflater.finish()
                return output
            }
            try rejectFalseGzip(raw, expectGzip: name.hasSuffix(".gz"), name: name)
            guard raw.count <= limit else {
                throw tooLarge(name: name, limit: limit)
            }
            return bytes
        }
    }

    private static func read(_ file: borrowing SystemFile, expectGzip: Bool, limit: Int) throws(KallsymsError) -> [UInt8] {
        let name = file.path
        let chunkSize = 1 << 17
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }

        // Fill the first chunk completely (pipes deliver short reads) to see the magic.
        var firstCount = 0
        while firstCount < chunkSize {
            let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[firstCount...]))
            if got == 0 { break }
            firstCount += got
        }
        let first = UnsafeRawBufferPointer(rebasing: chunk[0..<firstCount])

        if GzipInflater.isGzip(first) {
            var inflater = try GzipInflater(source: name, limit: limit)
            var output: [UInt8] = []
            output.reserveCapacity(min(limit, (file.sizeHint ?? chunkSize) * 6))
            try inflater.inflate(first, into: &output)
            while true {
                let got = try file.read(into: chunk)
                if got == 0 { break }
                try inflater.inflate(UnsafeRawBufferPointer(rebasing: chunk[0..<got]), into: &output)
            }
            try inflater.finish()
            return output
        }

        try rejectFalseGzip(first, expectGzip: expectGzip, name: name)
        guard firstCount <= limit else { throw tooLarge(name: name, limit: limit) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, (file.sizeHint ?? chunkSize) + 1))
        output.append(contentsOf: first)
        if firstCount < chunkSize { return output }
        while true {
            let got = try file.read(into: chunk)
            if got == 0 { return output }
            guard output.count + got <= limit else { throw tooLarge(name: name, limit: limit) }
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<got]))
        }
    }

    private static func rejectFalseGzip(_ first: UnsafeRawBufferPointer, expectGzip: Bool, name: String) throws(KallsymsError) {
        guard expectGzip, first.count > 0 else { return }
        throw KallsymsError(
            code: .compression, source: name,
            message: "the name ends in .gz but the data is not gzip (no 1f 8b magic bytes)",
            hint: "rename the file if it is plain text, or check that the download is complete")
    }

    private static func tooLarge(name: String, limit: Int) -> KallsymsError {
        KallsymsError(
            code: .inputTooLarge, source: name,
            message: "input is larger than the limit of \(limit) bytes",
            hint: "raise LoadOptions.maximumInputSize if the table is really that large")
    }
}
