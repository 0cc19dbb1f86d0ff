#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place that talks to the C library about files.
///
/// Everything else in the package sees bytes, never file descriptors or
/// `errno`. Reads loop until end of file because `/proc/kallsyms` reports a
/// size of zero and hands out its text in page-sized pieces.
struct SystemFile: ~Copyable {
    let descriptor: Int32
    private let ownsDescriptor: Bool
    let path: String

    /// Opens `path` read-only.
    init(opening path: String) throws(KallsymsError) {
        var fd: Int32
        repeat {
            fd = open(path, O_RDONLY | O_CLOEXEC)
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            let code = errno
            throw SystemFile.error(errno: code, path: path, doing: "cannot open")
        }
        self.descriptor = fd
        self.ownsDescriptor = true
        self.path = path
    }

    /// Wraps a descriptor the caller owns (it is not closed).
    init(borrowing descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.ownsDescriptor = false
        self.path = name
    }

    deinit {
        if ownsDescriptor { _ = close(descriptor) }
    }

    /// The size `fstat` reports, or nil for pipes and for `/proc` files, which say 0.
    var sizeHint: Int? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size > 0 else { return nil }
        return Int(info.st_size)
    }

    /// Reads up to `buffer.count` bytes; returns 0 at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(KallsymsError) -> Int {
        while true {
            #if canImport(Glibc) || canImport(Musl)
            let got = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            #else
            let got = Darwin.read(descriptor, buffer.baseAddress, buffer.count)
            #endif
            if got >= 0 { return got }
            let code = errno
            if code == EINTR { continue }
            throw SystemFile.error(errno: code, path: path, doing: "cannot read")
        }
    }

    /// Reads everything up to end of file, refusing to grow past `limit` bytes.
    func readAll(limit: Int) throws(KallsymsError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(sizeHint.map { $0 + 1 } ?? 1 << 20, limit + 1))
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let got = try read(into: chunk)
            if got == 0 { return bytes }
            guard bytes.count + got <= limit else {
                throw KallsymsError(
                    code: .inputTooLarge, source: path,
                    message: "input is larger than the limit of \(limit) bytes",
                    hint: "raise LoadOptions.maximumInputSize if this file is really that large")
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<got]))
        }
    }

    static func error(errno code: Int32, path: String, doing action: String) -> KallsymsError {
        let reason = String(cString: strerror(code))
        var hint: String?
        switch code {
        case EACCES, EPERM:
            hint = path.hasPrefix("/proc/")
                ? "run as root, or pass a saved copy with --input"
                : "check the file's permissions"
        case ENOENT:
            hint = "check the path; kernel symbol tables usually live at /proc/kallsyms or /boot/System.map-$(uname -r)"
        case EISDIR:
            hint = "pass a file, not a directory"
        default:
            hint = nil
        }
        return KallsymsError(code: .io, source: path, message: "\(action) file: \(reason)", hint: hint)
    }
}
