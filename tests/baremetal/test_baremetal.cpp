// tests/baremetal/test_baremetal.cpp — statnn on a microcontroller with no operating
// system: a Cortex-M7 (ARM MPS2 AN500) emulated by qemu-system-arm, programs built with
// arm-none-eabi-gcc and newlib, output through semihosting. The int8 C export of cnn4
// infers as the host build does; the trainer core itself (train_tiny.cpp: layers, arena,
// optimizer, one thread, no heap) trains and ends with the host's weights. Skipped, saying
// so, without the toolchain (scripts/install-deps baremetal).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "cnn4.hpp"
#include "support/app_runner.hpp"
#include "support/c_programs.hpp"
#include "support/cifar_fixture.hpp"
#include "support/real_cifar10.hpp"

using namespace statnn;
using namespace statnn::test;

#ifndef STATNN_C_COMPILER
#define STATNN_C_COMPILER "cc"
#endif
#ifndef STATNN_CXX_COMPILER
#define STATNN_CXX_COMPILER "c++"
#endif

namespace {

const KerasRecipe kRecipe = keras_recipe("cnn4", "test", models::kCnn4Sgd, 1);

const std::string kBoard = std::string(STATNN_SOURCE_DIR) + "/tests/baremetal";
// Cortex-M7 with its double-precision FPU; newlib's rdimon: printf and exit by semihosting.
const std::string kTarget = " -O2 -mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard --specs=rdimon.specs ";

// arm-none-eabi-gcc and -g++ with newlib and libstdc++ (a C++ header compiles), and qemu-system-arm.
bool have_toolchain() {
    if (std::system("command -v qemu-system-arm >/dev/null && echo '#include <cstddef>' | arm-none-eabi-g++ -std=c++17 "
                    "-mcpu=cortex-m7 -mthumb -x c++ -fsyntax-only - >/dev/null 2>&1 && echo '#include <stdio.h>' | "
                    "arm-none-eabi-gcc -mcpu=cortex-m7 -mthumb -x c -fsyntax-only - >/dev/null 2>&1") == 0)
        return true;
    std::printf("%sno arm-none-eabi-gcc/g++ with newlib and libstdc++, or no qemu-system-arm (scripts/install-deps "
                "baremetal installs them)\n",
                kSkipMarker);
    return false;
}

// Runs `command`; on failure the test stops, showing the command and what it printed into `log`.
void must_run(const std::string& command, const std::string& log) {
    const int status = std::system((command + " 2>" + log).c_str());
    INFO(command << "\n" << slurp(log));
    REQUIRE(status == 0);
}

// Builds dir/board.elf from `sources` (the reset vector added) and runs it; returns its output.
std::string run_on_board(const std::string& dir, const std::string& compiler, const std::string& flags,
                         const std::string& sources) {
    must_run("arm-none-eabi-gcc -std=c99 -Wall -Werror" + kTarget + "-c " + kBoard + "/startup.c -o " + dir +
                 "/startup.o",
             dir + "/startup.log");
    must_run(compiler + kTarget + flags + " -T " + kBoard + "/mps2-an500.ld -I" + dir + " " + dir + "/startup.o " +
                 sources + " -lm -o " + dir + "/board.elf",
             dir + "/board.log");
    must_run("arm-none-eabi-size " + dir + "/board.elf > " + dir + "/size.txt", dir + "/size.log");
    std::printf("  arm-none-eabi-size:\n%s", slurp(dir + "/size.txt").c_str());
    must_run("timeout 300 qemu-system-arm -M mps2-an500 -nographic -semihosting -kernel " + dir + "/board.elf > " + dir +
                 "/board.txt",
             dir + "/qemu.log");
    return slurp(dir + "/board.txt");
}

// Runs the export on the embedded images and prints label, class, probabilities per image.
const char* kEmbeddedDriver = R"(#include <stdio.h>
#include "cnn4.h"
#include "images.h"
static float arena[CNN4_ARENA_BYTES / sizeof(float)];
int main(void) {
    int i, c;
    float probs[CNN4_CLASSES];
    for (i = 0; i < IMAGES; ++i) {
        const int k = cnn4_infer(images[i] + 1, probs, arena);
        printf("%d %d", images[i][0], k);
        for (c = 0; c < CNN4_CLASSES; ++c) printf(" %.9g", (double)probs[c]);
        printf("\n");
    }
    return 0;
}
)";

}  // namespace

TEST_CASE("export --int8: cnn4 runs bare metal on a Cortex-M7 (MPS2 AN500 under qemu) as on the host",
          "[export][int8][baremetal]") {
    if (!have_toolchain()) return;
    TempDir dir;
    const std::string data = cifar_fixture_dir();
    REQUIRE(run_command<models::Cnn4>(kRecipe, {"train", "--data", data, "--limit", "2048", "--epochs", "1", "--val-limit",
                                                "64", "--verbose", "0", "--threads", "2", "--out", dir / "run"})
                .status == 0);
    REQUIRE(run_command<models::Cnn4>(kRecipe, {"export", "--weights", dir / "run/weights.bin", "--format", "c", "--int8",
                                                "--data", data, "--limit", "1000", "--out", dir.path()})
                .status == 0);
    std::ofstream(dir / "images.h") << images_header(8);
    std::ofstream(dir / "main.c") << kEmbeddedDriver;
    const std::string sources = dir / "cnn4.c " + dir / "main.c";
    must_run(std::string(STATNN_C_COMPILER) + " -std=c99 -Wall -Werror -O2 -I" + dir.path() + " " + sources + " -lm -o " +
                 dir / "host",
             dir / "host.log");
    must_run(dir / "host > " + dir / "host.txt", dir / "host-run.log");
    const std::vector<Inference> host = parse_inferences(slurp(dir / "host.txt"));
    const std::vector<Inference> board = parse_inferences(
        run_on_board(dir.path(), "arm-none-eabi-gcc", "-std=c99 -Wall -Werror", sources));
    REQUIRE(host.size() == 8);
    REQUIRE(board.size() == 8);
    double worst = 0;
    for (std::size_t i = 0; i < host.size(); ++i) {
        CHECK(board[i].label == host[i].label);
        CHECK(board[i].predicted == host[i].predicted);
        REQUIRE(board[i].probs.size() == host[i].probs.size());
        for (std::size_t k = 0; k < host[i].probs.size(); ++k)
            worst = std::max(worst, std::fabs(board[i].probs[k] - host[i].probs[k]));
    }
    std::printf("  8 images on the Cortex-M7: the host's top-1 every time, probabilities within %.1e\n", worst);
    CHECK(worst < 1e-4);
}

namespace {

// train_tiny's output: the loss of each step, then every parameter.
struct TrainingRun {
    std::vector<double> losses, weights;
};

TrainingRun parse_training(const std::string& text) {
    TrainingRun r;
    std::istringstream in(text);
    for (std::string word; in >> word;) {
        if (word == "loss") {
            double v;
            in >> v;
            r.losses.push_back(v);
        } else if (word == "w") {
            double v;
            in >> v;
            r.weights.push_back(v);
        }
    }
    return r;
}

}  // namespace

TEST_CASE("the trainer core trains bare metal on a Cortex-M7 (no OS, no heap, one thread) to the host's weights",
          "[train][baremetal]") {
    if (!have_toolchain()) return;
    TempDir dir;
    std::ofstream(dir / "images.h") << images_header(16);
    const std::string program = kBoard + "/train_tiny.cpp";
    // The host: this build's SIMD kernels and thread pool; the board: scalar kernels, no threads.
    must_run(std::string(STATNN_CXX_COMPILER) + " -std=c++17 -O2 -I" + std::string(STATNN_SOURCE_DIR) + "/include -I" + dir.path() + " " + program +
                 " -pthread -o " + dir / "host",
             dir / "host.log");
    must_run(dir / "host > " + dir / "host.txt", dir / "host-run.log");
    const TrainingRun host = parse_training(slurp(dir / "host.txt"));
    const TrainingRun board = parse_training(run_on_board(
        dir.path(), "arm-none-eabi-g++", "-std=c++17 -Wall -Werror -fno-exceptions -fno-rtti -DSTATNN_NO_SIMD -I" +
                                            std::string(STATNN_SOURCE_DIR) + "/include",
        program));
    REQUIRE(host.losses.size() == 6);
    REQUIRE(board.losses.size() == 6);
    REQUIRE(board.weights.size() == host.weights.size());
    REQUIRE(host.weights.size() > 30000);
    double worst = 0, largest = 0;
    for (std::size_t i = 0; i < host.weights.size(); ++i) {
        worst = std::max(worst, std::fabs(board.weights[i] - host.weights[i]));
        largest = std::max(largest, std::fabs(host.weights[i]));
    }
    for (std::size_t s = 0; s < 6; ++s) CHECK(board.losses[s] == Approx(host.losses[s]).epsilon(1e-5));
    std::printf("  6 SGD steps on the Cortex-M7: losses %.4f -> %.4f as on the host; %zu weights, largest difference %.1e "
                "(largest weight %.2f)\n",
                board.losses.front(), board.losses.back(), board.weights.size(), worst, largest);
    CHECK(worst < 1e-5 * largest + 1e-7);
    CHECK(board.losses.back() < board.losses.front());  // it learns
}
