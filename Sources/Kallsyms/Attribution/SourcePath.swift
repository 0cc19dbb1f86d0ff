/// Maps every source path a kernel build records to one canonical form, so
/// that `fs/inode.c` means the same file whether it came from DWARF, from an
/// `STT_FILE` symbol, from a user's query or from an object-file annotation.
///
/// A canonical path is **tree-relative** (`fs/inode.c`) whenever the kernel
/// source root can be found in the input, and is otherwise the input with its
/// spelling normalized: a bare file name (`inode.c`, which is what `STT_FILE`
/// usually holds) stays bare, and an absolute path with no recognizable tree
/// in it stays absolute. It never contains `.` or `..` components, empty
/// components or a trailing slash. Generated and odd names (`<built-in>`,
/// `.tmp_vmlinux.kallsyms1.S`, `libceph.mod.c`) pass through normalized.
///
/// The rules, applied in order (all lexical; the file system is never consulted):
///
/// 1. **Normalize**: drop `.` and empty components, let `..` remove the
///    component before it (above `/` it is dropped, as the kernel would), and
///    in a relative path drop the leading `..` components that remain:
///    they climb out of a directory this code cannot see, and what follows
///    them is the part that names the file.
/// 2. **Explicit root**: when the caller knows the source root (a
///    `--source-root` option) and the path lies under it, the rest is the
///    answer, with no further guessing.
/// 3. **DWARF** (``canonical(unitName:compDir:sourceRoot:)`` only): kbuild
///    compiles from the top of the object tree, so a relative `DW_AT_name`
///    that starts with a top-level kernel directory (`fs/inode.c`) is already
///    tree-relative, and one that climbs out first (`../../../../fs/inode.c`
///    from an out-of-tree build directory) is tree-relative after the climb.
///    An absolute name under an absolute `DW_AT_comp_dir` (an in-tree build:
///    the compiler ran at the source root) loses that prefix. Other relative
///    names are joined to `DW_AT_comp_dir` and go on to rule 4.
/// 4. **Tree root by name**: the leftmost component named `linux` or
///    `linux-…`/`linux_…`/`linux.…` (`linux-6.1.187`, `linux-source-6.1`)
///    that is directly followed by a top-level kernel directory
///    (``topLevelDirectories``) is the tree's root. Leftmost, because trees
///    contain `include/linux/net/…`, so a later `linux` can be inside it.
/// 5. **Top-level directory** (absolute paths only): the leftmost top-level
///    directory is the tree's first component, after skipping a leading run
///    of system directories (`/usr/src/`, `/var/lib/`, ``systemDirectories``),
///    since `/usr/src/kernels/6.1.0/fs/inode.c` holds a kernel tree but its
///    `usr` is not the kernel's `usr/`. Relative paths are not searched this
///    way: in `x86/mm/init.c` the `mm` is not a tree root.
/// 6. **Impossible nesting**: a tree-relative result that starts with a
///    top-level directory whose real subdirectories never share a name with a
///    top-level one (``leafTopLevelDirectories``: `kernel/` has no `fs/`)
///    followed by such a name is a checkout directory, not part of the tree:
///    `/home/me/kernel/fs/inode.c` is `fs/inode.c`. Repeated while it applies.
///
/// What stays ambiguous without a root: an absolute path whose prefix holds a
/// top-level directory name that rules 4 to 6 do not catch, such as
/// `/build/lib/k/fs/inode.c` (read as `lib/k/fs/inode.c`). Pass the source
/// root for such trees.
///
/// Matching a user's path against a canonical path is by whole trailing
/// components (see ``Pattern``): `inode.c` matches `fs/inode.c` and
/// `fs/proc/inode.c`; `fs/inode.c` matches `fs/inode.c` but neither
/// `xfs/inode.c` nor `fs/proc/inode.c`.
enum SourcePath {
    /// The directories at the top of a kernel source tree. A component with
    /// one of these names is where a tree-relative path can start.
    static let topLevelDirectories: Set<Substring> = [
        "arch", "block", "certs", "crypto", "drivers", "fs", "include", "init",
        "io_uring", "ipc", "kernel", "lib", "mm", "net", "rust", "samples",
        "scripts", "security", "sound", "tools", "usr", "virt",
    ]

    /// Top-level directories with no subdirectory named like a top-level one
    /// (as of Linux 6.18). The others do have such children, legitimately:
    /// `drivers/net`, `fs/crypto`, `include/net`, `lib/crypto`, `tools/lib`,
    /// `usr/include`, `sound/drivers`, `virt/lib`, `rust/kernel`,
    /// `samples/rust`, `scripts/include`.
    static let leafTopLevelDirectories: Set<Substring> = [
        "arch", "block", "certs", "crypto", "init", "io_uring", "ipc", "kernel",
        "mm", "net", "security",
    ]

    /// Leading components of an absolute path that belong to the system's own
    /// layout (`/usr/src`, `/var/lib`, `/usr/local/include`), never to a tree.
    static let systemDirectories: Set<Substring> = [
        "usr", "local", "var", "lib", "lib64", "opt", "srv", "src", "share",
        "include", "tmp", "mnt", "media",
    ]

    // MARK: Canonical forms

    /// The canonical form of a path from any source other than DWARF: an
    /// `STT_FILE` name, a kallmodsyms object file, a path a user typed.
    ///
    /// - Parameters:
    ///   - path: the path as recorded.
    ///   - sourceRoot: the kernel source root, when known; stripped first.
    /// - Returns: the tree-relative path, or the normalized input when no
    ///   tree root can be found in it.
    static func canonical(_ path: String, sourceRoot: String? = nil) -> String {
        let parsed = Components(path)
        if let sourceRoot, let stripped = parsed.stripping(Components(sourceRoot)) {
            return stripped.text
        }
        return canonical(parsed).components.text
    }

    /// The canonical form of a DWARF compile unit's `DW_AT_name`, read
    /// together with its `DW_AT_comp_dir` (rule 3 of ``SourcePath``).
    ///
    /// - Parameters:
    ///   - unitName: `DW_AT_name`, absolute or relative to `compDir`.
    ///   - compDir: `DW_AT_comp_dir`, when the unit has one.
    ///   - sourceRoot: the kernel source root, when known; stripped first.
    /// - Returns: the tree-relative path, or the normalized name when no tree
    ///   root can be found.
    static func canonical(unitName: String, compDir: String?, sourceRoot: String? = nil) -> String {
        let name = Components(unitName)
        let directory = compDir.map(Components.init)
        let joined = name.isAbsolute ? name : directory.map { $0.appending(unitName) } ?? name

        if let sourceRoot, let stripped = joined.stripping(Components(sourceRoot)) {
            return stripped.text
        }
        if name.isAbsolute {
            // In-tree build: the compiler ran at the source root.
            if let directory, directory.isAbsolute, let rest = name.stripping(directory), rest.startsAtTopLevel {
                return rest.skippingImpossibleNesting().text
            }
            return canonical(name).components.text
        }
        // kbuild names sources from the top of the object tree; climbing
        // out of it with `..` reaches the source tree's top.
        if name.startsAtTopLevel {
            return name.skippingImpossibleNesting().text
        }
        if directory != nil {
            let result = canonical(joined)
            if result.foundRoot { return result.components.text }
        }
        return canonical(name).components.text
    }

    /// Rules 4 to 6 on a normalized path; `foundRoot` tells whether a tree
    /// root was found (the result is then tree-relative).
    private static func canonical(_ path: Components) -> (components: Components, foundRoot: Bool) {
        if path.startsAtTopLevel {
            return (path.skippingImpossibleNesting(), true)
        }
        let parts = path.parts
        // A root must have something after it: `/build/linux/fs` names a directory.
        if parts.count >= 3 {
            for index in 1..<(parts.count - 1)
            where isTreeRootName(parts[index - 1]) && topLevelDirectories.contains(parts[index]) {
                return (Components(relative: parts[index...]).skippingImpossibleNesting(), true)
            }
        }
        if path.isAbsolute && parts.count >= 2 {
            var index = 0
            while index < parts.count - 1 && systemDirectories.contains(parts[index]) { index += 1 }
            while index < parts.count - 1 {
                if topLevelDirectories.contains(parts[index]) {
                    return (Components(relative: parts[index...]).skippingImpossibleNesting(), true)
                }
                index += 1
            }
        }
        return (path, false)
    }

    /// `linux`, `linux-6.1.187`, `linux_stable`, `linux.git`, `linux-source-6.1`.
    private static func isTreeRootName(_ component: Substring) -> Bool {
        guard component.hasPrefix("linux") else { return false }
        let rest = component.utf8.dropFirst(5)
        guard let next = rest.first else { return true }
        return next == UInt8(ascii: "-") || next == UInt8(ascii: "_") || next == UInt8(ascii: ".")
    }

    /// Lexically normalizes `path` (rule 1): no `.`, `..` or empty
    /// components, no trailing slash; leading `..` of a relative path dropped.
    static func normalize(_ path: String) -> String {
        Components(path).text
    }

    // MARK: Matching

    /// Whether `canonicalPath` is the file a user means by `pattern`,
    /// comparing whole trailing components (see ``Pattern``).
    static func matches(_ canonicalPath: String, pattern: String) -> Bool {
        Pattern(pattern).matches(canonicalPath)
    }

    /// A user's file pattern, prepared once to test many paths.
    ///
    /// A relative pattern is a run of whole trailing components:
    /// `proc/inode.c` matches `fs/proc/inode.c` and nothing ending in
    /// `xproc/inode.c`. It is only normalized, never searched for a tree root,
    /// since `x86/mm/init.c` must not become `mm/init.c`. An absolute pattern
    /// names one file: it is made canonical and must then equal the whole path,
    /// so `/build/linux-6.1.187/fs/inode.c` matches `fs/inode.c` only.
    struct Pattern: Sendable, Hashable, CustomStringConvertible {
        /// The components to compare, last one the file name.
        let parts: [Substring]
        /// The pattern must equal the whole path, not only its end.
        let isAnchored: Bool
        /// The anchored pattern is still absolute (no tree root was found in it).
        let isAbsolute: Bool

        /// Prepares `text`, a path or trailing part of one, as typed.
        /// - Parameters:
        ///   - text: the pattern.
        ///   - sourceRoot: the kernel source root, when known; stripped
        ///     first from an absolute pattern.
        init(_ text: String, sourceRoot: String? = nil) {
            let components = Components(text)
            if components.isAbsolute {
                let canonical = sourceRoot.flatMap { components.stripping(Components($0)) }
                    ?? SourcePath.canonical(components).components
                parts = canonical.parts
                isAbsolute = canonical.isAbsolute
                isAnchored = true
            } else {
                parts = components.parts
                isAbsolute = false
                isAnchored = false
            }
        }

        /// True for a pattern with no components (`""`, `/`, `./`), which matches nothing.
        var isEmpty: Bool { parts.isEmpty }

        /// The pattern as it is compared: `fs/inode.c`, or `/tmp/x.c` when absolute.
        var description: String {
            (isAbsolute ? "/" : "") + parts.joined(separator: "/")
        }

        /// Whether `canonicalPath` (as ``SourcePath/canonical(_:sourceRoot:)`` returns it) is this file.
        func matches(_ canonicalPath: String) -> Bool {
            guard !parts.isEmpty else { return false }
            let path = Components(canonicalPath)
            if isAnchored {
                return path.isAbsolute == isAbsolute && path.parts == parts
            }
            guard path.parts.count >= parts.count else { return false }
            return path.parts.suffix(parts.count).elementsEqual(parts)
        }

        /// Whether the source file this pattern names may be the one compiled
        /// into `objectPath`, an object file as kallmodsyms names it: the
        /// shortest trailing part of its path that is unique (`{core.o}`,
        /// `{amd/core.o}`).
        ///
        /// Both are trailing parts of one path, so they agree when the shorter
        /// is the end of the longer, once the last component drops its
        /// extension (`.o` for the object, `.c`, `.S` or `.rs` for the
        /// source): `core.c` and `amd/core.c` fit `{amd/core.o}`;
        /// `intel/core.c` and `score.c` do not. A pattern that names a `.o`
        /// itself is for ``matches(_:)``.
        func matchesObject(_ objectPath: String) -> Bool {
            guard objectPath.hasSuffix(".o"), let last = parts.last, !last.hasSuffix(".o") else { return false }
            let object = Components(objectPath).parts
            guard !object.isEmpty else { return false }
            let count = min(object.count, parts.count)
            return zip(object.suffix(count), parts.suffix(count)).enumerated().allSatisfy { position, pair in
                position == count - 1 ? Pattern.stem(pair.0) == Pattern.stem(pair.1) : pair.0 == pair.1
            }
        }

        /// A file name without its extension (`core.c` → `core`); a leading
        /// dot is not an extension.
        private static func stem(_ name: Substring) -> Substring {
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
            return name[..<dot]
        }
    }
}

// MARK: - Components

extension SourcePath {
    /// A lexically normalized path: whether it is absolute, and its parts.
    struct Components: Sendable, Hashable {
        let isAbsolute: Bool
        /// Never `""`, `"."` or `".."`.
        let parts: [Substring]

        init(_ path: String) {
            self.init(path[...])
        }

        init(_ path: Substring) {
            let utf8 = path.utf8
            isAbsolute = utf8.first == UInt8(ascii: "/")
            var stack: [Substring] = []
            var start = utf8.startIndex
            // Splitting on the byte is several times faster than on Characters.
            while start < utf8.endIndex {
                let end = utf8[start...].firstIndex(of: UInt8(ascii: "/")) ?? utf8.endIndex
                let part = utf8[start..<end]
                if part.isEmpty || part.elementsEqual(CollectionOfOne(UInt8(ascii: "."))) {
                    // Empty and `.` components say nothing.
                } else if part.count == 2 && part.allSatisfy({ $0 == UInt8(ascii: ".") }) {
                    // A `..` with nothing left to remove climbs out of sight
                    // (or above `/`); the rest is what names the file (rule 1).
                    _ = stack.popLast()
                } else {
                    stack.append(Substring(part))
                }
                start = end == utf8.endIndex ? end : utf8.index(after: end)
            }
            parts = stack
        }

        init(relative parts: some Sequence<Substring>) {
            isAbsolute = false
            self.parts = Array(parts)
        }

        /// The path, `/`-joined, with a leading `/` when absolute (`/` alone for the root).
        var text: String {
            let joined = parts.joined(separator: "/")
            return isAbsolute ? "/" + joined : joined
        }

        /// Starts with a top-level kernel directory and names something in it.
        var startsAtTopLevel: Bool {
            !isAbsolute && parts.count >= 2 && SourcePath.topLevelDirectories.contains(parts[0])
        }

        /// This path with `relative` appended (as a shell would resolve it
        /// from this directory), normalized again.
        func appending(_ relative: String) -> Components {
            Components(text + "/" + relative)
        }

        /// The rest of this path below `root`, when it lies under it and the rest is not empty.
        func stripping(_ root: Components) -> Components? {
            guard root.isAbsolute == isAbsolute, parts.count > root.parts.count,
                  parts.starts(with: root.parts) else { return nil }
            return Components(relative: parts.dropFirst(root.parts.count))
        }

        /// Rule 6: drops a leading leaf top-level directory that is followed
        /// by another top-level directory, as long as one applies.
        func skippingImpossibleNesting() -> Components {
            var start = 0
            while parts.count - start >= 3,
                  SourcePath.leafTopLevelDirectories.contains(parts[start]),
                  SourcePath.topLevelDirectories.contains(parts[start + 1]) {
                start += 1
            }
            return start == 0 ? self : Components(relative: parts[start...])
        }
    }
}
