// statnn/hints.hpp — what a message tells its reader to do next. The binaries of statnn's
// own tree (compiled with STATNN_IN_TREE) name its scripts; a binary built elsewhere, from
// the installed package, names the step itself, as its user has no such scripts.
#pragma once

namespace statnn::hints {

#if defined(STATNN_IN_TREE)
inline constexpr const char* kGetCifar10 = "run scripts/get-cifar10";
inline constexpr const char* kInstallMpi = "scripts/install-deps mpi, then rebuild";
#else
inline constexpr const char* kGetCifar10 =
    "download the binary version from https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
inline constexpr const char* kInstallMpi = "install MPI (Debian: libopenmpi-dev openmpi-bin), then rebuild statnn and this binary";
#endif

}  // namespace statnn::hints
