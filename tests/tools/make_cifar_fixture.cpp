// tests/tools/make_cifar_fixture.cpp — writes the tests' CIFAR-10 fixture into a folder
// (see tests/support/cifar_fixture.hpp), for runs of the binaries outside the test
// executables: `make_cifar_fixture DIR`, then `cnn4 train --data DIR ...`.
#include <cstdio>
#include <exception>

#include "support/cifar_fixture.hpp"

int main(int argc, char** argv) {
    namespace fixture = statnn::test::cifar_fixture;
    if (argc != 2 || argv[1][0] == '-') {
        std::fprintf(stderr, "usage: make_cifar_fixture DIR\n");
        return 2;
    }
    try {
        fixture::write_files(argv[1]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_cifar_fixture: %s\n", e.what());
        return 1;
    }
    std::printf("%s: CIFAR-10 fixture v%d, %ld training and %ld test records\n", argv[1], fixture::kVersion,
                fixture::kTrainRecords, fixture::kTestRecords);
    return 0;
}
