// tests/tools/narrow_build_note.cpp — built for x86-64's baseline (no -march), as a binary
// of a package built without its user's flags would be: on a CPU with AVX2 or AVX-512 it
// must say so in one line naming both and how to rebuild (CTest narrow_build_note).
#include <cstdio>
#include <string>

#include "statnn/simd_width.hpp"

int main() {
    const std::string note = statnn::narrow_build_note();
    std::printf("%s\n", note.empty() ? "(no note)" : note.c_str());
#if defined(__x86_64__) && !defined(__AVX2__)
    const bool wider_cpu = __builtin_cpu_supports("avx2") || __builtin_cpu_supports("avx512f");
    const bool says_it = note.find("this CPU has avx") != std::string::npos &&
                         note.find("-DSTATNN_ARCH_FLAGS=-march=native") != std::string::npos;
    if (wider_cpu != says_it) {
        std::printf("expected %s\n", wider_cpu ? "a note naming the CPU's extension and the flag" : "no note");
        return 1;
    }
#endif
    return 0;
}
