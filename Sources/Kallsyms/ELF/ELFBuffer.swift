#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only bytes that the ELF and DWARF readers look at: a file mapped with
/// `mmap`, a copy of bytes handed in, or a section that was inflated.
///
/// A mapping rather than a read because a vmlinux with debug info is about
/// 600 MB and the readers touch only its headers and a few sections: the kernel
/// pages in what is used and nothing else. The class exists so that the memory
/// is unmapped or freed exactly once, after the last reader lets go of it.
final class ELFBuffer: @unchecked Sendable {
    private enum Ownership { case mapped, allocated, none }

    /// The bytes; valid for as long as this object lives.
    let bytes: UnsafeRawBufferPointer
    private let ownership: Ownership

    /// Maps a whole regular file read-only. The mapping outlives the descriptor.
    init(mapping file: borrowing SystemFile, size: Int) throws(KallsymsError) {
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            ownership = .none
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, file.descriptor, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            let code = errno
            throw SystemFile.error(errno: code, path: file.path, doing: "cannot map")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        ownership = .mapped
    }

    /// Copies bytes that are already in memory (tests, an inflated `.ko.gz`).
    init(copying source: [UInt8]) {
        guard !source.isEmpty else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            ownership = .none
            return
        }
        // malloc, not `allocate`, so that every owned buffer is released by `free`.
        guard let memory = malloc(source.count) else { fatalError("out of memory") }
        source.withUnsafeBytes { _ = memcpy(memory, $0.baseAddress!, source.count) }
        bytes = UnsafeRawBufferPointer(start: memory, count: source.count)
        ownership = .allocated
    }

    /// Takes over `count` bytes at `memory`, which came from `malloc` or `realloc`.
    init(adoptingMalloc memory: UnsafeMutableRawPointer?, count: Int) {
        bytes = UnsafeRawBufferPointer(start: count > 0 ? memory : nil, count: count)
        if count == 0 { free(memory) }
        ownership = count > 0 ? .allocated : .none
    }

    deinit {
        switch ownership {
        case .mapped:
            _ = munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        case .allocated:
            free(UnsafeMutableRawPointer(mutating: bytes.baseAddress))
        case .none:
            break
        }
    }
}
