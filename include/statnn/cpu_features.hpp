// statnn/cpu_features.hpp — what the CPU running the program can execute, for the few
// kernels that use instructions beyond the build's vector architecture (bf16 and int8 dot
// products): they run only where these say yes, and are skipped or refused elsewhere.
#pragma once

namespace statnn {

// AVX512_BF16 (vdpbf16ps, vcvtne2ps2bf16) with the AVX-512 subsets the bf16 kernels use.
inline bool cpu_has_avx512_bf16() {
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
#else
    return false;
#endif
}

// AVX512_VNNI (vpdpbusd) with AVX-512BW.
inline bool cpu_has_avx512_vnni() {
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw");
#else
    return false;
#endif
}

}  // namespace statnn
