// tests/support/c_programs.hpp — what the tests of generated C and bare-metal programs
// share: reading their files and output, and fixture images as a C array.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "statnn/data/cifar10.hpp"
#include "support/cifar_fixture.hpp"

namespace statnn::test {

inline long file_size(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    return long(in.tellg());
}

inline std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// One line of a C inference program's output: label, predicted class, probabilities.
struct Inference {
    int label = 0, predicted = 0;
    std::vector<double> probs;
};

inline std::vector<Inference> parse_inferences(const std::string& text) {
    std::vector<Inference> result;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::istringstream s(line);
        Inference r;
        if (!(s >> r.label >> r.predicted)) continue;
        for (double p; s >> p;) r.probs.push_back(p);
        result.push_back(r);
    }
    return result;
}

// The first `count` records of the fixture's test file as a C array, images[i][0] the label.
inline std::string images_header(int count) {
    std::ifstream records(cifar_fixture_dir() + "/test_batch.bin", std::ios::binary);
    std::vector<unsigned char> rec(data::kRecordBytes);
    std::string h = "#define IMAGES " + std::to_string(count) + "\nstatic const unsigned char images[IMAGES][3073] = {\n";
    for (int i = 0; i < count; ++i) {
        records.read(reinterpret_cast<char*>(rec.data()), std::streamsize(rec.size()));
        h += "{";
        for (std::size_t b = 0; b < rec.size(); ++b) h += std::to_string(int(rec[b])) + (b + 1 < rec.size() ? "," : "");
        h += "},\n";
    }
    return h + "};\n";
}

}  // namespace statnn::test
