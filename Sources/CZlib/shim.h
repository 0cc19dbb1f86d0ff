#ifndef SWIFT_KALLSYMS_CZLIB_SHIM_H
#define SWIFT_KALLSYMS_CZLIB_SHIM_H

#include <zlib.h>

// inflateInit2 is a macro that passes the library version and the struct size;
// Swift cannot call macros, so wrap it.
static inline int kallsyms_inflateInit2(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
