// tests/tools/real_data_note.cpp — one line for scripts/test, before CTest runs: whether
// the tests tagged [real] will find the real CIFAR-10, and where they looked if not.
// (CTest reports those tests as skipped but shows a skipped test's own output only with
// -V, so the reason is printed here too.)
#include <cstdio>
#include <string>

#include "support/real_cifar10.hpp"

int main() {
    std::string why_not;
    if (const auto dir = statnn::test::find_real_cifar10(&why_not))
        std::printf("real CIFAR-10: %s (the tests tagged [real] run on it)\n", dir->c_str());
    else
        std::printf("%s: the tests tagged [real] will be reported as skipped; set CIFAR10_DIR to run them\n",
                    why_not.c_str());
    return 0;
}
