#!/usr/bin/env bash
# Builds a vmlinux-sized ELF with DWARF for the attribution benchmark: 2,000
# compile units in kernel-like directories, 60 static functions each (ten
# names repeated in every unit, like init_once or probe), about 124,000
# symbols. Writes DIR/vmlinux and DIR/System.map (nm -n). Takes about two
# minutes on two cores. Usage: make-synthetic-vmlinux.sh DIR
set -euo pipefail
out=${1:?usage: $0 DIR}
mkdir -p "$out/src"
cd "$out/src"
python3 - <<'PY'
import os
dirs = ["fs", "mm", "net/core", "net/ipv4", "drivers/net", "drivers/block", "kernel", "lib", "block", "crypto"]
common = ["init_once", "type_show", "helper", "do_work", "release", "probe", "remove", "show", "store", "setup"]
for i in range(2000):
    d = dirs[i % len(dirs)]
    os.makedirs(d, exist_ok=True)
    names = [common[j] if j < len(common) else f"fn_{i}_{j}" for j in range(60)]
    with open(f"{d}/file{i}.c", "w") as f:
        f.write(f"static volatile int state_{i};\n")
        for j, name in enumerate(names):
            f.write(f"static __attribute__((noinline)) int {name}(int x) {{ state_{i} += x * {j + 1}; return state_{i} ^ {i}; }}\n")
        f.write(f"int entry_{i}(int x) {{ return {' + '.join(n + '(x)' for n in names)}; }}\n")
with open("main.c", "w") as f:
    f.write("".join(f"int entry_{i}(int);\n" for i in range(2000)))
    f.write("int main(void) { int s = 0;\n" + "".join(f" s += entry_{i}(s);\n" for i in range(2000)) + " return s & 1; }\n")
PY
find . -name '*.c' | xargs -P"$(nproc)" -n 50 sh -c 'for f; do gcc -O1 -g -c "$f" -o "${f%.c}.o"; done' sh
gcc -o ../vmlinux $(find . -name '*.o' | sort)
nm -n ../vmlinux | awk 'NF == 3' > ../System.map
echo "$out/vmlinux and $out/System.map: $(wc -l < ../System.map) symbols"
