#!/usr/bin/env bash
# Coverage-guided fuzzing, with libFuzzer and AddressSanitizer, of the code
# that reads untrusted bytes: ELF and DWARF (elf), symbol tables as text or
# gzip (text), queries against a real index (query), and the side files:
# /proc/modules, modules.builtin.ranges, kallmodsyms annotations (side).
#
#   Fuzz/run.sh elf|text|query|side [seconds]     # default 600
#
# Seeds come from ../shared/data and, for ELF, from small gcc-built objects;
# the corpus grows in Fuzz/.corpus/TARGET and is kept between runs. A crash
# or a timeout leaves its input in Fuzz/crash-TARGET-*: turn it into a test.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: Fuzz/run.sh elf|text|query|side [seconds]}
seconds=${2:-600}
data=../../shared/data
case $target in
    elf) product=FuzzELF; maxLength=65536 ;;
    text) product=FuzzText; maxLength=4096 ;;
    query) product=FuzzQuery; maxLength=256 ;;
    side) product=FuzzSideFiles; maxLength=4096 ;;
    *) echo "unknown target $target (elf, text, query or side)" >&2; exit 2 ;;
esac
# Linked by bfd: gold stops with an internal error (format_file_lineno) on
# these sanitized objects.
swift build -c release --product $product -Xswiftc -sanitize=fuzzer,address \
    -Xswiftc -parse-as-library -Xswiftc -enable-testing -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=bfd

corpus=.corpus/$target
if [ ! -d "$corpus" ]; then
    mkdir -p "$corpus"
    case $target in
    elf)
        source=$(mktemp -d)
        trap 'rm -rf "$source"' EXIT
        cat > "$source/unit.c" <<'C'
static int helper(int x) { return x * 3; }
int visible(int y) { return helper(y) + 1; }
static int counter = 5;
int get(void) { return counter; }
C
        # DWARF 5 and 4, compressed debug sections, split sections, a shared object.
        gcc -g -c "$source/unit.c" -o "$corpus/dwarf5.o"
        gcc -gdwarf-4 -c "$source/unit.c" -o "$corpus/dwarf4.o"
        gcc -g -gz -c "$source/unit.c" -o "$corpus/compressed.o"
        gcc -g -O2 -ffunction-sections -c "$source/unit.c" -o "$corpus/sections.o"
        gcc -g -shared -fPIC "$source/unit.c" -o "$corpus/shared.so"
        ;;
    text)
        for table in kallsyms-6.18.44-x86_64.txt kallsyms-6.1.0-53-cloud-amd64-kaslr-modules.txt \
                     System.map-6.1.0-53-cloud-amd64; do
            # head closes the pipe early, so gzip's SIGPIPE is expected.
            gzip -dc "$data/$table.gz" | head -60 > "$corpus/$table.head" || true
            gzip -dc "$data/$table.gz" | tail -60 > "$corpus/$table.tail"
        done
        gzip -c "$corpus/kallsyms-6.18.44-x86_64.txt.head" > "$corpus/gzip"
        ;;
    query)
        for query in init_once init_once@fs/inode.c nfs:init_once 'fs/inode.c|init_once' __pfx___pfx_x \
                     build_request@auth_none.c libceph:ceph_con_init '{amd/core.o}'; do
            printf '%s' "$query" > "$corpus/$(printf '%s' "$query" | md5sum | cut -c1-8)"
        done
        ;;
    side)
        # The first byte picks the parser: 0 /proc/modules, 1 ranges, 2 annotation.
        { printf '\0'; gzip -dc "$data/modules-6.1.0-53-cloud-amd64-kaslr.txt.gz" | head -20 || true; } > "$corpus/modules"
        { printf '\1'; printf '%s\n' '.text 00000000-00000000 = _text' '.text 0000baf0-0000cb10 amd_uncore' \
            '.text 008e9630-008ea610 snd_soc_wcd9335 snd_soc_wcd934x' '.data 00000000-00000000 = _sdata' \
            '.bss 00001000-00001040 amd_uncore'; } > "$corpus/ranges"
        for annotation in '{amd/core.o}' '[nfs]' '[liquidio] [liquidio_vf] {cn23xx_vf_device.o}'; do
            { printf '\2'; printf '%s' "$annotation"; } > "$corpus/annotation-$(printf '%s' "$annotation" | md5sum | cut -c1-8)"
        done
        ;;
    esac
fi
exec .build/release/$product "$corpus" -max_total_time="$seconds" -max_len=$maxLength -timeout=10 \
    -rss_limit_mb=4096 -artifact_prefix="crash-$target-"
