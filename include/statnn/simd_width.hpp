// statnn/simd_width.hpp — whether this binary uses the widest vectors its CPU has. A build
// without the architecture's flags (-march=native) trains several times slower, and
// nothing else would say so: summary and the train banner print narrow_build_note().
#pragma once

#include <string>

#include "statnn/config.hpp"

namespace statnn {

// The widest x86 vector extension this CPU has and the build leaves unused, or null.
inline const char* unused_cpu_simd() {
#if defined(__x86_64__) || defined(__i386__)
#if !defined(__AVX512F__)
    if (__builtin_cpu_supports("avx512f")) return "avx512f";
#endif
#if !defined(__AVX2__)
    if (__builtin_cpu_supports("avx2")) return "avx2";
#endif
#endif
    return nullptr;
}

// One line when the build is narrower than the CPU (built for X, this CPU has Y, how to
// rebuild), else empty.
inline std::string narrow_build_note() {
    const char* wider = unused_cpu_simd();
    if (!wider) return "";
    return std::string("Narrow build: built for ") + simd_arch_name() + ", this CPU has " + wider +
           "; rebuild with -DSTATNN_ARCH_FLAGS=-march=native (statnn_add_model's default) for its full speed";
}

}  // namespace statnn
