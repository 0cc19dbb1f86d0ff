/// A fixed-size, heap-allocated array of plain values, read without bounds
/// checks or reference counting on the lookup paths.
///
/// The index owns every column and frees them all in its `deinit`; a column is
/// never resized or written after the index is built, which is what makes
/// sharing the index between threads safe.
@usableFromInline
struct Column<Element: BitwiseCopyable>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<Element>
    @usableFromInline let count: Int

    init(_ elements: [Element]) {
        count = elements.count
        base = .allocate(capacity: max(count, 1))
        if count > 0 {
            elements.withUnsafeBufferPointer { source in
                base.initialize(from: source.baseAddress!, count: count)
            }
        }
    }

    /// Takes ownership of `count` initialized elements at `base`.
    init(adopting base: UnsafeMutablePointer<Element>, count: Int) {
        self.base = base
        self.count = count
    }

    init(repeating value: Element, count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: value, count: max(count, 1))
    }

    @inline(__always) @usableFromInline
    subscript(_ index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }

    var byteCount: Int { count * MemoryLayout<Element>.stride }

    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    func deallocate() { base.deallocate() }
}
