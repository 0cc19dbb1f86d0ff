/// The addresses of the linker symbols that bound vmlinux's sections, and what
/// they say about which addresses the kernel itself symbolizes.
///
/// The kernel's `is_ksym_addr` accepts `[_stext, _etext)` and
/// `[_sinittext, _einittext)` when built without `CONFIG_KALLSYMS_ALL`, and
/// `[_stext, _end)` with it. A table is text-only when every vmlinux symbol
/// other than the `__start_*`/`__stop_*` section markers (which
/// scripts/kallsyms.c always keeps) lies inside the text ranges.
struct KernelMarkers {
    var text: UInt64?
    var stext: UInt64?
    var etext: UInt64?
    var sinittext: UInt64?
    var einittext: UInt64?
    var end: UInt64?

    /// No markers seen yet.
    init() {}

    /// Notes a parsed symbol, if it is one of the markers; only the first of
    /// each marker counts (a System.map lists each once anyway).
    ///
    /// Called by the parser for every accepted line whose name could be one
    /// (``mayBeMarker(first:count:)``), while the line's bytes are in cache:
    /// a pass over the parsed table that read each short name's first byte
    /// back from the text took a cache miss on most of them.
    mutating func note(_ name: UnsafePointer<UInt8>, count: Int, address: UInt64) {
        let bytes = UnsafeRawBufferPointer(start: name, count: count)
        if KernelMarkers.equal(bytes, "_text") { text = text ?? address }
        else if KernelMarkers.equal(bytes, "_stext") { stext = stext ?? address }
        else if KernelMarkers.equal(bytes, "_etext") { etext = etext ?? address }
        else if KernelMarkers.equal(bytes, "_sinittext") { sinittext = sinittext ?? address }
        else if KernelMarkers.equal(bytes, "_einittext") { einittext = einittext ?? address }
        else if KernelMarkers.equal(bytes, "_end") { end = end ?? address }
    }

    private static func equal(_ name: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        name.count == literal.utf8CodeUnitCount && name.starts(withASCII: literal)
    }

    /// Whether a name of `count` bytes starting with `first` can be a marker.
    @inline(__always)
    static func mayBeMarker(first: UInt8, count: Int) -> Bool {
        UInt(bitPattern: count &- 4) <= 6 && first == UInt8(ascii: "_")
    }

    /// These markers, with those missing taken from `later` (the markers of
    /// the text after this one's).
    func filled(from later: KernelMarkers) -> KernelMarkers {
        var markers = self
        markers.text = text ?? later.text
        markers.stext = stext ?? later.stext
        markers.etext = etext ?? later.etext
        markers.sinittext = sinittext ?? later.sinittext
        markers.einittext = einittext ?? later.einittext
        markers.end = end ?? later.end
        return markers
    }

    /// The lowest address that belongs to the kernel image; anything below is
    /// a per-cpu offset or an absolute value.
    var imageStart: UInt64? {
        switch (text, stext) {
        case let (text?, stext?): return min(text, stext)
        case let (text?, nil): return text
        case let (nil, stext?): return stext
        case (nil, nil): return nil
        }
    }

    /// From the image's start to the last of its end markers, when known:
    /// where built-in code lies.
    var imageRange: ClosedRange<UInt64>? {
        guard let start = imageStart, let last = [etext, einittext, end].compactMap({ $0 }).max(), last >= start else {
            return nil
        }
        return start...last
    }

    /// The ranges the kernel symbolizes, and how they were decided.
    func coverage(_ table: ParsedTable, regionOf: UnsafeBufferPointer<UInt16>, isAbsolute: UnsafeBufferPointer<Bool>,
                  fallbackStart: UInt64?) -> (kind: KernelCoverage, ranges: IndexBuilder.Coverage) {
        guard let start = stext ?? text ?? fallbackStart else {
            return (.unbounded, IndexBuilder.Coverage())
        }
        if let etext, etext > start {
            var textRanges: [(start: UInt64, end: UInt64?)] = [(start, etext)]
            if let sinittext, let einittext, einittext > sinittext { textRanges.append((sinittext, einittext)) }
            var textOnly = true
            // An empty second range when there is no init text.
            let (initStart, initEnd) = textRanges.count > 1 ? (textRanges[1].start, textRanges[1].end!) : (1, 0)
            for symbol in 0..<table.count where regionOf[symbol] == 0 && !isAbsolute[symbol] {
                let address = table.addresses[symbol]
                // scripts/kallsyms.c tests ranges inclusively at the end.
                if (address >= start && address <= etext) || (address >= initStart && address <= initEnd) { continue }
                let name = table.name(symbol)
                if name.starts(withASCII: "__start_") || name.starts(withASCII: "__stop_") { continue }
                textOnly = false
                break
            }
            if textOnly { return (.textOnly, IndexBuilder.Coverage(ranges: textRanges)) }
        }
        if let end, end > start {
            return (.wholeImage, IndexBuilder.Coverage(ranges: [(start, end)]))
        }
        return (.unbounded, IndexBuilder.Coverage(ranges: [(start, nil)]))
    }
}
