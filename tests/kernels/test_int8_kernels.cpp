// tests/kernels/test_int8_kernels.cpp — the int8 dense kernel on AVX512_VNNI
// (kernels/simd/dense_int8.hpp) against its scalar reference (kernels/ref/dense_int8.hpp).
//
// The int32 sums are exact in both, so they must be equal, extremes (-127 and 127 inputs
// and weights) included; the dequantised outputs then come from the same sums. Without
// AVX512_VNNI in the build or in the CPU the cases print the skip marker.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "catch.hpp"
#include "statnn/cpu_features.hpp"
#include "statnn/kernels/ref/dense_int8.hpp"
#include "statnn/kernels/simd/dense_int8.hpp"
#include "statnn/rng.hpp"
#include "support/real_cifar10.hpp"

using namespace statnn;

namespace {

bool int8_kernels_run_here() {
    if (!kernels::simd::kHasInt8Kernels) {
        std::printf("%sthis build has no int8 kernels (its -march lacks AVX512_VNNI)\n", test::kSkipMarker);
        return false;
    }
    if (!cpu_has_avx512_vnni()) {
        std::printf("%sthis CPU has no AVX512_VNNI\n", test::kSkipMarker);
        return false;
    }
    return true;
}

#if defined(STATNN_HAS_INT8_KERNELS)

std::vector<std::int8_t> random_int8(std::size_t n, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<std::int8_t> v(n);
    for (auto& x : v) x = std::int8_t(int(rng.uniform(-127.0f, 127.0f)));
    return v;
}

template <int I, int O>
void check_dense_int8(std::vector<std::int8_t> in, std::vector<std::int8_t> k, int rows) {
    INFO("dense int8 " << I << " -> " << O << ", " << rows << " rows");
    using namespace kernels::simd;
    std::vector<std::uint8_t> unsigned_in(std::size_t(rows) * int8_quad_channels(I));
    std::vector<std::int8_t> packed(kDensePackedInt8<I, O>);
    std::vector<std::int32_t> offsets(kDenseInt8Offsets<O>), sums(std::size_t(rows) * O), oracle(sums.size());
    to_unsigned_int8_rows<I>(in.data(), rows, unsigned_in.data());
    pack_dense_kernel_int8<I, O>(k.data(), packed.data(), offsets.data());
    dense_int8_sums<I, O>(unsigned_in.data(), rows, packed.data(), offsets.data(), sums.data());
    kernels::ref::dense_int8_sums<I, O>(in.data(), rows, k.data(), oracle.data());
    std::size_t mismatches = 0, first = 0;
    for (std::size_t e = 0; e < sums.size(); ++e)
        if (sums[e] != oracle[e] && mismatches++ == 0) first = e;
    INFO(mismatches << " mismatches; first at " << first << ": kernel " << sums[first] << ", reference " << oracle[first]);
    REQUIRE(mismatches == 0);
}

template <int I, int O>
void check_dense_int8(int rows, std::uint64_t seed) {
    check_dense_int8<I, O>(random_int8(std::size_t(rows) * I, seed), random_int8(std::size_t(I) * O, seed + 1), rows);
}

#endif

}  // namespace

TEST_CASE("int8 dense sums on VNNI equal the reference's exactly", "[kernels][int8][dense]") {
    if (!int8_kernels_run_here()) return;
#if defined(STATNN_HAS_INT8_KERNELS)
    check_dense_int8<256, 10>(1024, 1);  // fastcifar's classifier at its batch
    check_dense_int8<2048, 512>(30, 2);  // a wide hidden layer, a short last tile of rows
    check_dense_int8<37, 45>(29, 3);     // inputs not a multiple of 4, a masked last vector
    check_dense_int8<64, 64>(1, 4);
    // The extremes: every product 127 * 127, or -127 * 127.
    check_dense_int8<96, 32>(std::vector<std::int8_t>(96 * 3, 127), std::vector<std::int8_t>(96 * 32, 127), 3);
    check_dense_int8<96, 32>(std::vector<std::int8_t>(96 * 3, -127), std::vector<std::int8_t>(96 * 32, 127), 3);
#endif
}

TEST_CASE("the int8 sums check catches a dropped input", "[kernels][int8][dense]") {
    if (!int8_kernels_run_here()) return;
#if defined(STATNN_HAS_INT8_KERNELS)
    // The reference on inputs with one element zeroed differs from the kernel's sums.
    using namespace kernels::simd;
    constexpr int I = 64, O = 32, rows = 4;
    auto in = random_int8(std::size_t(rows) * I, 5), k = random_int8(std::size_t(I) * O, 6);
    in[7] = 100;
    std::vector<std::uint8_t> unsigned_in(std::size_t(rows) * I);
    std::vector<std::int8_t> packed(kDensePackedInt8<I, O>);
    std::vector<std::int32_t> offsets(kDenseInt8Offsets<O>), sums(std::size_t(rows) * O), oracle(sums.size());
    to_unsigned_int8_rows<I>(in.data(), rows, unsigned_in.data());
    pack_dense_kernel_int8<I, O>(k.data(), packed.data(), offsets.data());
    dense_int8_sums<I, O>(unsigned_in.data(), rows, packed.data(), offsets.data(), sums.data());
    in[7] = 0;
    kernels::ref::dense_int8_sums<I, O>(in.data(), rows, k.data(), oracle.data());
    CHECK(sums != oracle);
#endif
}
