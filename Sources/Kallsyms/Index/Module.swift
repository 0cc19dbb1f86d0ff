/// A loadable module, or one of the kernel's pseudo-modules, that symbols belong to.
///
/// Symbols of vmlinux itself have no module (`Symbol.module` is nil), exactly
/// as `/proc/kallsyms` prints no `[module]` column for them.
public struct Module: Hashable, Sendable, CustomStringConvertible {
    /// What kind of code the kernel files under this name.
    public enum Kind: Hashable, Sendable {
        /// A loaded `.ko` module, such as `xfs`.
        case loadable
        /// `[bpf]`: JIT-compiled BPF programs. The kernel's `%pS` prints no module for them.
        case bpf
        /// `[__builtin__ftrace]`: ftrace trampolines.
        case ftrace
        /// `[__builtin__kprobes]`: kprobe instruction slots.
        case kprobes
    }

    /// The name inside the brackets, such as `xfs` or `bpf`.
    public let name: String
    /// Whether this is a real module or a pseudo-module.
    public let kind: Kind

    /// Creates a module description, recognising the kernel's pseudo-module names.
    public init(name: String) {
        self.name = name
        switch name {
        case "bpf": kind = .bpf
        case "__builtin__ftrace": kind = .ftrace
        case "__builtin__kprobes": kind = .kprobes
        default: kind = .loadable
        }
    }

    /// True for `[bpf]`, `[__builtin__ftrace]` and `[__builtin__kprobes]`.
    public var isPseudoModule: Bool { kind != .loadable }

    /// The name in brackets, as `/proc/kallsyms` prints it.
    public var description: String { "[\(name)]" }
}
