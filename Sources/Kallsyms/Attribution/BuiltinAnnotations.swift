/// The kallmodsyms annotations (`[mod1] [mod2]`, `{object.o}`) of vmlinux
/// lines, per index entry, as the index builder found them; attribution
/// turns them into origins.
struct BuiltinAnnotations {
    /// Parsed annotations by id; id 0 (no annotation) is nil.
    var annotations: [KallmodsymsAnnotation?]
    /// The annotation id of every entry.
    var ofEntry: [UInt16]
}
