#!/usr/bin/env bash
# Prints the swift build flags that link the C++ runtime (libstdc++ and libgcc's unwinder)
# statically into a release binary, as --static-swift-stdlib already does for the Swift runtime.
#
# Why: the static Swift stdlib is C++ and still pulls libstdc++.so.6 and libgcc_s.so.1 at run
# time. Loading and relocating them costs ≈ 2.3 M instructions (≈ 1 ms) of every cold start, and
# their GLIBCXX_* symbol versions tie the binary to the build machine's GCC (provided.al2 has
# GLIBCXX_3.4.24). The Swift driver passes `-lstdc++` and `-lgcc_s` itself and ignores
# -static-libstdc++, so this puts a directory holding only the static archives, under those
# names, first on the library search path: the linker then picks the archives.
#
#   usage: tools/build/static-cxx.sh DIR     (prints nothing when the archives are not installed,
#                                        and the build links the shared libraries as before)
set -euo pipefail
dir=${1:?usage: static-cxx.sh DIR}
cc=${CC:-cc}
command -v "$cc" >/dev/null 2>&1 || cc=clang
stdcxx=$("$cc" -print-file-name=libstdc++.a 2>/dev/null || true)
unwind=$("$cc" -print-file-name=libgcc_eh.a 2>/dev/null || true)
# -print-file-name echoes the bare name when it finds nothing.
[[ "$stdcxx" == /* && -f "$stdcxx" && "$unwind" == /* && -f "$unwind" ]] || exit 0
mkdir -p "$dir"
ln -sf "$stdcxx" "$dir/libstdc++.a"
ln -sf "$unwind" "$dir/libgcc_s.a"
echo "-Xlinker -L$(cd "$dir" && pwd)"
