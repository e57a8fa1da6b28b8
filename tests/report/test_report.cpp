// tests/report/test_report.cpp — the report writers: history.csv and confusion.csv in both
// directions, the SVG charts and heatmaps (well-formed XML carrying every label and count),
// the overlaid charts and confusion difference of compare, the numpy-style confusion text,
// the samples PNG (its geometry and its pixels, colour and grey) and the images `predict`
// reads (PNG and PNM of the network's size, converted between grey and colour).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#endif
#include <stb/stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "catch.hpp"
#include "image_file.hpp"
#include "report/report.hpp"
#include "support/cifar_files.hpp"
#include "support/golden.hpp"
#include "support/xml_check.hpp"
#include "statnn/data/cifar10.hpp"

using namespace statnn::report;
using statnn::test::xml_problem;

namespace {

std::size_t count_of(const std::string& haystack, const std::string& needle) {
    std::size_t count = 0;
    for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++count;
    return count;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The opening tag of the <text> element whose content is exactly `content`.
std::string text_tag_of(const std::string& svg, const std::string& content) {
    const std::size_t at = svg.find(">" + content + "</text>");
    if (at == std::string::npos) return "";
    const std::size_t start = svg.rfind("<text", at);
    return svg.substr(start, at - start + 1);
}

std::vector<EpochRecord> sample_history() {
    const double acc[10] = {0.35, 0.47, 0.54, 0.59, 0.63, 0.66, 0.69, 0.71, 0.73, 0.75};
    const double val_acc[10] = {0.44, 0.52, 0.57, 0.61, 0.64, 0.66, 0.68, 0.69, 0.70, 0.71};
    std::vector<EpochRecord> h;
    for (int i = 0; i < 10; ++i) {
        EpochRecord r;
        r.epoch = i + 1;
        r.acc = acc[i];
        r.val_acc = val_acc[i];
        r.loss = 1.8 - 0.1 * i;
        r.val_loss = 1.6 - 0.07 * i;
        r.lr = 0.01 / (1 + 1.563e-3 * (i + 1));
        r.seconds = 41.25 + i;
        h.push_back(r);
    }
    return h;
}

// A plausible CIFAR-10 test-set matrix: 1000 samples per row, no count below 2.
const ConfusionMatrix kCifarMatrix = {
    {814, 11, 38, 14, 13, 4, 7, 11, 56, 32},  {14, 855, 5, 7, 2, 3, 8, 2, 29, 75},
    {62, 4, 601, 58, 91, 66, 67, 32, 12, 7},  {19, 9, 70, 521, 73, 181, 71, 34, 12, 10},
    {17, 3, 66, 54, 708, 32, 44, 62, 10, 4},  {10, 3, 56, 164, 48, 643, 25, 40, 6, 5},
    {5, 5, 45, 54, 38, 21, 817, 6, 6, 3},     {14, 2, 30, 39, 54, 54, 6, 787, 4, 10},
    {48, 25, 10, 10, 6, 4, 4, 3, 867, 23},    {25, 62, 7, 15, 3, 5, 4, 12, 23, 844}};

std::uint32_t big_endian(const std::vector<unsigned char>& b, std::size_t at) {
    return (std::uint32_t(b[at]) << 24) | (std::uint32_t(b[at + 1]) << 16) | (std::uint32_t(b[at + 2]) << 8) |
           std::uint32_t(b[at + 3]);
}

void check_png_header(const std::vector<unsigned char>& png, std::uint32_t width, std::uint32_t height) {
    const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    REQUIRE(png.size() > 33);
    for (int i = 0; i < 8; ++i) REQUIRE(png[i] == signature[i]);
    CHECK(big_endian(png, 8) == 13);
    CHECK(std::string(png.begin() + 12, png.begin() + 16) == "IHDR");
    CHECK(big_endian(png, 16) == width);
    CHECK(big_endian(png, 20) == height);
}

struct Decoded {
    int width = 0, height = 0;
    std::vector<unsigned char> rgb;
    const unsigned char* at(int x, int y) const { return &rgb[(std::size_t(y) * width + x) * 3]; }
};

Decoded decode(const std::vector<unsigned char>& png) {
    Decoded d;
    int channels = 0;
    unsigned char* pixels = stbi_load_from_memory(png.data(), int(png.size()), &d.width, &d.height, &channels, 3);
    REQUIRE(pixels != nullptr);
    d.rgb.assign(pixels, pixels + std::size_t(d.width) * d.height * 3);
    stbi_image_free(pixels);
    return d;
}

}  // namespace

// ---- the checker itself, and that it fails what it should ---------------------------

TEST_CASE("the XML checker accepts well-formed documents", "[report][xml]") {
    CHECK(xml_problem("<svg/>") == "");
    CHECK(xml_problem("<?xml version=\"1.0\"?>\n<svg a=\"1\" b='2'><g><text>x &amp; y &#60; &#x3e;</text></g></svg>\n") ==
          "");
    CHECK(xml_problem("<a><!-- a comment --><b c=\"&quot;\"/></a>") == "");
}

TEST_CASE("the XML checker rejects broken documents", "[report][xml]") {
    CHECK(xml_problem("<svg><g></svg>") != "");                 // unbalanced
    CHECK(xml_problem("<svg><g></g>") != "");                   // never closed
    CHECK(xml_problem("<svg></svg></svg>") != "");              // stray closing tag
    CHECK(xml_problem("<svg x=1/>") != "");                     // unquoted attribute
    CHECK(xml_problem("<svg x=\"1\"y=\"2\"/>") != "");          // no space between attributes
    CHECK(xml_problem("<svg x=\"1\" x=\"2\"/>") != "");         // duplicate attribute
    CHECK(xml_problem("<svg x=\"a<b\"/>") != "");               // '<' in a value
    CHECK(xml_problem("<svg><text>A & B</text></svg>") != "");  // raw '&'
    CHECK(xml_problem("<svg><text>&nbsp;</text></svg>") != "");  // not a predefined entity
    CHECK(xml_problem("<svg/><svg/>") != "");                    // two roots
    CHECK(xml_problem("hello<svg/>") != "");                     // text outside the root
    CHECK(xml_problem("") != "");                                // no root

    // A real chart with its end cut off, or with an unescaped title spliced in, fails.
    const std::string svg = accuracy_svg(sample_history());
    REQUIRE(xml_problem(svg) == "");
    const std::string truncated = svg.substr(0, svg.rfind("</svg>"));
    CHECK(xml_problem(truncated) != "");
    std::string raw_title = svg;
    const std::string title = "Training Accuracy vs Validation Accuracy";
    raw_title.replace(raw_title.find(title), title.size(), "Accuracy <&> loss");
    CHECK(xml_problem(raw_title) != "");
}

// ---- history.csv -------------------------------------------------------------------

TEST_CASE("cifar10_class_names lists the classes in label order", "[report][csv]") {
    const std::vector<std::string> expected = {"airplane", "automobile", "bird",  "cat",  "deer",
                                               "dog",      "frog",       "horse", "ship", "truck"};
    CHECK(statnn::data::cifar10_class_names() == expected);
}

TEST_CASE("history_csv writes a header and one row per epoch", "[report][csv]") {
    EpochRecord r;
    r.epoch = 3;
    r.loss = 1.2345678;
    r.acc = 0.5;
    r.val_loss = 0.000123456789;
    r.val_acc = 0.71;
    r.lr = 0.00998439;
    r.seconds = 41.2;
    CHECK(history_csv({}) == "epoch,loss,acc,val_loss,val_acc,lr,seconds\n");
    CHECK(history_csv({r}) ==
          "epoch,loss,acc,val_loss,val_acc,lr,seconds\n"
          "3,1.23457,0.5,0.000123457,0.71,0.00998439,41.200\n");
}

TEST_CASE("history.csv survives a round trip", "[report][csv]") {
    std::vector<EpochRecord> history = sample_history();
    history[4].loss = std::numeric_limits<double>::quiet_NaN();
    history[5].val_loss = std::numeric_limits<double>::infinity();
    history[6].val_loss = -std::numeric_limits<double>::infinity();
    const std::string text = history_csv(history);
    const std::vector<EpochRecord> back = parse_history_csv(text);
    REQUIRE(back.size() == history.size());
    auto same = [](double a, double b, double tolerance) {
        if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
        if (std::isinf(a) || std::isinf(b)) return a == b;
        return std::fabs(a - b) <= tolerance * std::max(1.0, std::fabs(a));
    };
    for (std::size_t i = 0; i < history.size(); ++i) {
        INFO("epoch " << history[i].epoch);
        CHECK(back[i].epoch == history[i].epoch);
        CHECK(same(back[i].loss, history[i].loss, 5e-6));
        CHECK(same(back[i].acc, history[i].acc, 5e-6));
        CHECK(same(back[i].val_loss, history[i].val_loss, 5e-6));
        CHECK(same(back[i].val_acc, history[i].val_acc, 5e-6));
        CHECK(same(back[i].lr, history[i].lr, 5e-6));
        CHECK(same(back[i].seconds, history[i].seconds, 5e-4));
    }
    // Written again, the parsed history gives the same text.
    CHECK(history_csv(back) == text);
    CHECK(parse_history_csv(history_csv({})).empty());
}

TEST_CASE("parse_history_csv accepts CRLF line ends and trailing blank lines", "[report][csv]") {
    const std::string text =
        "epoch,loss,acc,val_loss,val_acc,lr,seconds\r\n"
        "1,2.1,0.25,1.9,0.3,0.01,40.000\r\n"
        "2,1.7,0.4,1.6,0.45,0.0099,39.500\r\n"
        "\r\n\n";
    const std::vector<EpochRecord> h = parse_history_csv(text);
    REQUIRE(h.size() == 2);
    CHECK(h[1].epoch == 2);
    CHECK(h[1].val_acc == 0.45);
    CHECK(h[1].seconds == 39.5);
}

TEST_CASE("parse_history_csv rejects malformed input, naming the line", "[report][csv]") {
    using Catch::Matchers::Contains;
    const std::string header = "epoch,loss,acc,val_loss,val_acc,lr,seconds\n";
    const std::string good = "1,2.1,0.25,1.9,0.3,0.01,40.000\n";

    CHECK_THROWS_AS(parse_history_csv(""), std::runtime_error);
    CHECK_THROWS_WITH(parse_history_csv(""), Contains("line 1"));
    CHECK_THROWS_WITH(parse_history_csv("epoch,loss,acc\n" + good), Contains("line 1") && Contains("header"));
    CHECK_THROWS_WITH(parse_history_csv("Epoch,loss,acc,val_loss,val_acc,lr,seconds\n"), Contains("line 1"));
    CHECK_THROWS_WITH(parse_history_csv(header + good + "2,1.7,0.4,1.6,0.45\n"),
                      Contains("line 3") && Contains("expected 7 columns, found 5"));
    CHECK_THROWS_WITH(parse_history_csv(header + good + "2,1.7,0.4,1.6,0.45,0.01,1,9\n"),
                      Contains("line 3") && Contains("found 8"));
    CHECK_THROWS_WITH(parse_history_csv(header + "1,2.1,abc,1.9,0.3,0.01,40.000\n"),
                      Contains("line 2") && Contains("acc") && Contains("not a number"));
    CHECK_THROWS_WITH(parse_history_csv(header + "1,2.1,0.25,1.9,0.3,0.01,40s\n"),
                      Contains("line 2") && Contains("seconds") && Contains("not a number"));
    CHECK_THROWS_WITH(parse_history_csv(header + "1,,0.25,1.9,0.3,0.01,40\n"),
                      Contains("line 2") && Contains("not a number"));
    CHECK_THROWS_WITH(parse_history_csv(header + "1, 2.1,0.25,1.9,0.3,0.01,40\n"), Contains("line 2"));
    CHECK_THROWS_WITH(parse_history_csv(header + "1.5,2.1,0.25,1.9,0.3,0.01,40\n"),
                      Contains("line 2") && Contains("epoch"));
    CHECK_THROWS_WITH(parse_history_csv(header + good + good), Contains("line 3") && Contains("epoch"));
    CHECK_THROWS_WITH(parse_history_csv(header + good + "\n" + "2,1.7,0.4,1.6,0.45,0.0099,39.5\n"),
                      Contains("line 3") && Contains("blank"));
}

// ---- the curves ----------------------------------------------------------------------

TEST_CASE("accuracy and loss charts are well-formed and fully labelled", "[report][svg]") {
    const std::vector<EpochRecord> h = sample_history();
    const std::string acc = accuracy_svg(h);
    const std::string loss = loss_svg(h);
    CHECK(xml_problem(acc) == "");
    CHECK(xml_problem(loss) == "");
    for (const std::string* svg : {&acc, &loss}) {
        CHECK(svg->find("<svg") != std::string::npos);
        CHECK(svg->find(">Epoch</text>") != std::string::npos);
        CHECK(svg->find(">Training</text>") != std::string::npos);
        CHECK(svg->find(">Validation</text>") != std::string::npos);
        for (int e = 1; e <= 10; ++e) CHECK(svg->find(">" + std::to_string(e) + "</text>") != std::string::npos);
        // Two lines of ten markers, plus one marker per legend entry.
        CHECK(count_of(*svg, "<polyline") == 2);
        CHECK(count_of(*svg, "<circle") == 22);
        CHECK(lower(*svg).find("nan") == std::string::npos);
        CHECK(lower(*svg).find("inf") == std::string::npos);
    }
    CHECK(acc.find(">Training Accuracy vs Validation Accuracy</text>") != std::string::npos);
    CHECK(acc.find(">Accuracy</text>") != std::string::npos);
    CHECK(loss.find(">Training Loss vs Validation Loss</text>") != std::string::npos);
    CHECK(loss.find(">Loss</text>") != std::string::npos);
    // Accuracy is plotted as a fraction: 0.35..0.75 gets ticks a tenth apart.
    for (const char* tick : {">0.4</text>", ">0.5</text>", ">0.6</text>", ">0.7</text>"}) {
        CHECK(acc.find(tick) != std::string::npos);
    }
    CHECK(acc.find(">40</text>") == std::string::npos);
}

TEST_CASE("curves_svg escapes its text", "[report][svg]") {
    const std::string svg = curves_svg("Loss & <accuracy> \"quoted\" 'single'", "x < y & z", {1, 2, 3}, {2, 3, 4});
    CHECK(xml_problem(svg) == "");
    CHECK(svg.find("Loss &amp; &lt;accuracy&gt; &quot;quoted&quot; &apos;single&apos;") != std::string::npos);
    CHECK(svg.find("x &lt; y &amp; z") != std::string::npos);
}

TEST_CASE("curves_svg handles one epoch, constant series, non-finite values and no data", "[report][svg]") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();

    SECTION("a single epoch: markers, no lines") {
        const std::string svg = curves_svg("One", "Loss", {1.5}, {1.2});
        CHECK(xml_problem(svg) == "");
        CHECK(count_of(svg, "<polyline") == 0);
        CHECK(count_of(svg, "<circle") == 2 + 2);
        CHECK(svg.find(">1</text>") != std::string::npos);
    }
    SECTION("a constant series") {
        const std::string svg = curves_svg("Flat", "Loss", {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5});
        CHECK(xml_problem(svg) == "");
        CHECK(count_of(svg, "<polyline") == 2);
        CHECK(svg.find(">0.50</text>") != std::string::npos);  // ticks 0.02 apart
        CHECK(lower(svg).find("nan") == std::string::npos);
        const std::string zeros = curves_svg("Zero", "Loss", {0, 0}, {0, 0});
        CHECK(xml_problem(zeros) == "");
        CHECK(lower(zeros).find("nan") == std::string::npos);
    }
    SECTION("non-finite values are skipped and break the line") {
        const std::string svg = curves_svg("Diverged", "Loss", {2.0, nan, 1.0, 0.9}, {inf, 1.5, -inf, 1.2});
        CHECK(xml_problem(svg) == "");
        CHECK(lower(svg).find("nan") == std::string::npos);
        CHECK(lower(svg).find("inf") == std::string::npos);
        CHECK(count_of(svg, "<polyline") == 1);        // only 1.0, 0.9 are adjacent finite values
        CHECK(count_of(svg, "<circle") == 3 + 2 + 2);  // finite values plus the legend's markers
    }
    SECTION("only non-finite values") {
        const std::string svg = curves_svg("Nothing", "Loss", {nan, nan}, {inf});
        CHECK(xml_problem(svg) == "");
        CHECK(svg.find("no data") != std::string::npos);
        CHECK(lower(svg).find("nan") == std::string::npos);
        CHECK(lower(svg).find("inf") == std::string::npos);
    }
    SECTION("empty series: empty axes and a note") {
        for (const std::string& svg : {curves_svg("Empty", "Loss", {}, {}), accuracy_svg({}), loss_svg({})}) {
            CHECK(xml_problem(svg) == "");
            CHECK(svg.find("no data") != std::string::npos);
            CHECK(svg.find(">Epoch</text>") != std::string::npos);
            CHECK(svg.find(">Training</text>") != std::string::npos);
            CHECK(count_of(svg, "<polyline") == 0);
            CHECK(count_of(svg, "<circle") == 2);
        }
    }
    SECTION("extreme values") {
        const std::string svg = curves_svg("Huge", "Loss", {1e300, -1e300, 1e-300}, {std::numeric_limits<double>::max()});
        CHECK(xml_problem(svg) == "");
        CHECK(lower(svg).find("nan") == std::string::npos);
        CHECK(lower(svg).find("inf") == std::string::npos);
    }
}

// ---- the confusion matrix ------------------------------------------------------------

TEST_CASE("confusion_svg shows every class name and every count", "[report][confusion]") {
    const std::string svg = confusion_svg(kCifarMatrix, statnn::data::cifar10_class_names(), "Confusion matrix");
    CHECK(xml_problem(svg) == "");
    CHECK(svg.find(">Confusion matrix</text>") != std::string::npos);
    CHECK(svg.find(">True class</text>") != std::string::npos);
    CHECK(svg.find(">Predicted class</text>") != std::string::npos);
    for (const std::string& name : statnn::data::cifar10_class_names()) {
        // Once as a row label, once as a column label.
        CHECK(count_of(svg, ">" + name + "</text>") == 2);
    }
    std::map<std::int64_t, std::size_t> multiplicity;
    for (const auto& row : kCifarMatrix) {
        for (std::int64_t v : row) ++multiplicity[v];
    }
    for (const auto& [value, times] : multiplicity) {
        INFO("count " << value);
        CHECK(count_of(svg, ">" + std::to_string(value) + "</text>") == times);
    }
    CHECK(count_of(svg, "<rect") >= 100);
}

TEST_CASE("confusion_svg colours by row fraction and picks a readable text colour", "[report][confusion]") {
    // Row 0: 90 of 100 on the diagonal (dark, white text), 10 of 100 off it (light, black
    // text). Row 1 is empty: no division by zero, white cells.
    const std::string svg = confusion_svg({{90, 10}, {0, 0}}, {"yes", "no"}, "Two classes");
    CHECK(xml_problem(svg) == "");
    const std::string dark = text_tag_of(svg, "90");
    const std::string light = text_tag_of(svg, "10");
    REQUIRE(!dark.empty());
    REQUIRE(!light.empty());
    CHECK(dark.find("fill=\"#ffffff\"") != std::string::npos);
    CHECK(light.find("fill=\"#000000\"") != std::string::npos);
    CHECK(count_of(svg, ">0</text>") >= 2);
    CHECK(lower(svg).find("nan") == std::string::npos);
}

TEST_CASE("confusion_svg escapes names and title and checks its arguments", "[report][confusion]") {
    const std::string svg = confusion_svg({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, {"a&b", "<c>", "d\"e"}, "M & <N>");
    CHECK(xml_problem(svg) == "");
    CHECK(svg.find(">a&amp;b</text>") != std::string::npos);
    CHECK(svg.find(">&lt;c&gt;</text>") != std::string::npos);
    CHECK(svg.find(">d&quot;e</text>") != std::string::npos);
    CHECK(svg.find(">M &amp; &lt;N&gt;</text>") != std::string::npos);

    const std::string empty = confusion_svg({}, {}, "Empty");
    CHECK(xml_problem(empty) == "");
    CHECK(empty.find("no data") != std::string::npos);

    CHECK_THROWS_AS(confusion_svg({{1, 2}, {3, 4}}, {"one"}, "t"), std::invalid_argument);
    CHECK_THROWS_AS(confusion_svg({{1, 2, 3}, {4, 5, 6}}, {"a", "b"}, "t"), std::invalid_argument);
    CHECK_THROWS_AS(confusion_svg({{1, 2}, {3}}, {"a", "b"}, "t"), std::invalid_argument);
}

// The heatmap of ten classes is the one runs have always written, byte for byte.
TEST_CASE("confusion_svg of CIFAR-10's ten classes is unchanged", "[report][confusion]") {
    const std::string expected =
        statnn::test::read_text_file(std::string(STATNN_SOURCE_DIR) + "/tests/report/expected/confusion_cifar10.svg");
    REQUIRE(!expected.empty());
    CHECK(confusion_svg(kCifarMatrix, statnn::data::cifar10_class_names(), "cnn6 confusion matrix (test set)") == expected);
}

namespace {

const std::vector<std::string> kCifar100Names = {
    "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
    "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
    "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
    "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
    "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
    "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
    "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
    "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
    "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
    "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm"};

// A CIFAR-100-like test-set matrix of `n` classes: 100 samples per row, most on the
// diagonal, the rest spread over a few other classes.
ConfusionMatrix many_class_matrix(std::size_t n) {
    ConfusionMatrix m(n, std::vector<std::int64_t>(n, 0));
    for (std::size_t i = 0; i < n; ++i) {
        std::int64_t left = 100;
        for (std::size_t k = 1; k <= 12; ++k) {
            const std::int64_t c = std::int64_t((i * 7 + k * 3) % 5);
            m[i][(i * 13 + k * 29) % n] += c;
            left -= c;
        }
        m[i][i] += left;
    }
    return m;
}

}  // namespace

TEST_CASE("confusion_svg stays readable with 100 classes: small cells, upright names, colour without counts",
          "[report][confusion]") {
    std::vector<std::string> names = kCifar100Names;
    names[42] = "an_unusually_long_class_name_for_a_leopard";
    ConfusionMatrix matrix = many_class_matrix(100);
    matrix[5].assign(100, 0);
    matrix[5][5] = 100;  // every bee recognised
    const std::string svg = confusion_svg(matrix, names, "cifar100 confusion matrix (test set)");
    CHECK(xml_problem(svg) == "");
    INFO("SVG of " << svg.size() << " bytes");
    CHECK(svg.size() < 600000);
    const std::size_t width_at = svg.find("width=\""), height_at = svg.find("height=\"");
    CHECK(std::stod(svg.substr(width_at + 7)) < 1800);
    CHECK(std::stod(svg.substr(height_at + 8)) < 1800);
    for (std::size_t k = 0; k < names.size(); ++k) {
        if (k == 42) continue;
        INFO(names[k]);
        CHECK(count_of(svg, ">" + names[k] + "</text>") == 2);  // row and column
    }
    // Cut after 19 characters, with an ellipsis (U+2026).
    CHECK(count_of(svg, ">an_unusually_long_c\xE2\x80\xA6</text>") == 2);
    CHECK(svg.find("for_a_leopard") == std::string::npos);
    CHECK(count_of(svg, "rotate(-90 ") == 100 + 2);  // the column names, "True class" and the scale's caption
    // 100 test images per class: "100" does not fit a cell, so no cell carries a count,
    // and a note says where they are.
    CHECK(svg.find(">100</text>") == std::string::npos);
    CHECK(svg.find("confusion.csv holds them") != std::string::npos);
    CHECK(count_of(svg, "<rect") < 100 * 100 / 2);  // white cells are the background's
}

TEST_CASE("confusion_svg of 30 classes writes the counts that fit, smaller", "[report][confusion]") {
    const std::vector<std::string> names(kCifar100Names.begin(), kCifar100Names.begin() + 30);
    const std::string svg = confusion_svg(many_class_matrix(30), names, "30 classes");
    CHECK(xml_problem(svg) == "");
    CHECK(svg.find("confusion.csv holds them") == std::string::npos);
    for (const std::string& name : names) CHECK(count_of(svg, ">" + name + "</text>") == 2);
    const std::string diagonal = text_tag_of(svg, std::to_string(many_class_matrix(30)[0][0]));
    CHECK(!diagonal.empty());
    CHECK(svg.find("<g font-size=\"0\"") == std::string::npos);
}

TEST_CASE("confusion.csv of 100 classes survives a round trip", "[report][confusion-csv]") {
    const ConfusionMatrix matrix = many_class_matrix(100);
    const std::string csv = confusion_csv(matrix, kCifar100Names);
    CHECK(csv.rfind("true\\predicted,apple,aquarium_fish,baby,", 0) == 0);
    CHECK(csv.find("\nworm,") != std::string::npos);
    std::vector<std::string> names;
    CHECK(parse_confusion_csv(csv, &names) == matrix);
    CHECK(names == kCifar100Names);
}

// ---- confusion.csv -------------------------------------------------------------------

TEST_CASE("confusion_csv writes the header and one row per true class", "[report][confusion-csv]") {
    const std::string csv = confusion_csv({{5, 1}, {0, 7}}, {"cat", "dog"});
    CHECK(csv == "true\\predicted,cat,dog\ncat,5,1\ndog,0,7\n");
    const std::string cifar = confusion_csv(kCifarMatrix, statnn::data::cifar10_class_names());
    const std::string start =
        "true\\predicted,airplane,automobile,bird,cat,deer,dog,frog,horse,ship,truck\nairplane,814,11,38,";
    CHECK(cifar.compare(0, start.size(), start) == 0);
    CHECK(count_of(cifar, "\n") == 11);
}

TEST_CASE("confusion.csv survives a round trip", "[report][confusion-csv]") {
    std::vector<std::string> names;
    CHECK(parse_confusion_csv(confusion_csv(kCifarMatrix, statnn::data::cifar10_class_names()), &names) == kCifarMatrix);
    CHECK(names == statnn::data::cifar10_class_names());

    // Names that need quoting, counts beyond 32 bits, zeros.
    const std::vector<std::string> odd = {"a,b", "say \"hi\"", " padded "};
    const ConfusionMatrix big = {{0, 0, 0}, {4000000000LL, 1, 2}, {3, 0, 9}};
    const std::string text = confusion_csv(big, odd);
    CHECK(text.find("\"a,b\"") != std::string::npos);
    CHECK(text.find("\"say \"\"hi\"\"\"") != std::string::npos);
    std::vector<std::string> back;
    CHECK(parse_confusion_csv(text, &back) == big);
    CHECK(back == odd);
    CHECK(confusion_csv(parse_confusion_csv(text, nullptr), odd) == text);
}

TEST_CASE("parse_confusion_csv accepts CRLF line ends and trailing blank lines", "[report][confusion-csv]") {
    std::vector<std::string> names;
    const ConfusionMatrix m = parse_confusion_csv("true\\predicted,x,y\r\nx,1,2\r\ny,3,4\r\n\r\n\n", &names);
    CHECK(m == ConfusionMatrix{{1, 2}, {3, 4}});
    CHECK(names == std::vector<std::string>{"x", "y"});
}

TEST_CASE("parse_confusion_csv rejects malformed input, naming the line", "[report][confusion-csv]") {
    using Catch::Matchers::Contains;
    const std::string header = "true\\predicted,cat,dog,frog\n";
    const std::string cat = "cat,5,1,0\n", dog = "dog,0,7,1\n", frog = "frog,2,2,9\n";
    auto parse = [](const std::string& text) { return parse_confusion_csv(text, nullptr); };

    CHECK_NOTHROW(parse(header + cat + dog + frog));
    CHECK_THROWS_AS(parse(""), std::runtime_error);
    CHECK_THROWS_WITH(parse(""), Contains("line 1") && Contains("empty"));
    CHECK_THROWS_WITH(parse("true,cat,dog,frog\n" + cat + dog + frog), Contains("line 1") && Contains("true\\predicted"));
    CHECK_THROWS_WITH(parse("true\\predicted\n"), Contains("line 1") && Contains("no class"));
    CHECK_THROWS_WITH(parse("true\\predicted,cat,,frog\n"), Contains("line 1") && Contains("no class name"));
    CHECK_THROWS_WITH(parse("true\\predicted,cat,cat\ncat,1,1\ncat,1,1\n"), Contains("line 1") && Contains("twice"));
    // The wrong number of classes in a row, either way.
    CHECK_THROWS_WITH(parse(header + cat + "dog,0,7\n" + frog),
                      Contains("line 3") && Contains("2 counts, expected 3"));
    CHECK_THROWS_WITH(parse(header + cat + dog + "frog,2,2,9,4\n"),
                      Contains("line 4") && Contains("4 counts, expected 3"));
    // Rows missing, extra, out of order.
    CHECK_THROWS_WITH(parse(header + cat + dog), Contains("line 3") && Contains("ends after 2 rows") && Contains("3 classes"));
    CHECK_THROWS_WITH(parse(header), Contains("ends after 0 rows"));
    CHECK_THROWS_WITH(parse(header + cat + dog + frog + "bird,1,1,1\n"), Contains("line 5") && Contains("more rows"));
    CHECK_THROWS_WITH(parse(header + dog + cat + frog), Contains("line 2") && Contains("\"dog\", expected \"cat\""));
    // Counts that are not counts.
    CHECK_THROWS_WITH(parse(header + cat + "dog,0,-7,1\n" + frog),
                      Contains("line 3") && Contains("column 3 (dog)") && Contains("\"-7\""));
    CHECK_THROWS_WITH(parse(header + cat + dog + "frog,2,2.5,9\n"), Contains("line 4") && Contains("not a count"));
    CHECK_THROWS_WITH(parse(header + cat + dog + "frog,2,,9\n"), Contains("line 4") && Contains("not a count"));
    CHECK_THROWS_WITH(parse(header + cat + dog + "frog,2, 2,9\n"), Contains("line 4"));
    CHECK_THROWS_WITH(parse(header + cat + dog + "frog,2,99999999999999999999,9\n"), Contains("line 4"));
    // Layout.
    CHECK_THROWS_WITH(parse(header + cat + "\n" + dog + frog), Contains("line 3") && Contains("blank"));
    CHECK_THROWS_WITH(parse(header + "\"cat,5,1,0\n" + dog + frog), Contains("line 2") && Contains("unterminated"));
    CHECK_THROWS_WITH(parse(header + "\"cat\"x,5,1,0\n" + dog + frog), Contains("line 2") && Contains("closing quote"));
}

TEST_CASE("confusion_csv checks its arguments", "[report][confusion-csv]") {
    CHECK_THROWS_AS(confusion_csv({{1, 2}, {3, 4}}, {"one"}), std::invalid_argument);
    CHECK_THROWS_AS(confusion_csv({{1, 2, 3}, {4, 5, 6}}, {"a", "b"}), std::invalid_argument);
    CHECK_THROWS_AS(confusion_csv({{1, 2}, {3}}, {"a", "b"}), std::invalid_argument);
    CHECK_THROWS_AS(confusion_csv({{1, 2}, {3, 4}}, {"a", ""}), std::invalid_argument);
    CHECK_THROWS_AS(confusion_csv({{1, 2}, {3, 4}}, {"a", "b\nc"}), std::invalid_argument);
    CHECK(confusion_csv({}, {}) == "true\\predicted\n");
}

// ---- two runs: the confusion difference and overlaid curves -----------------------------

namespace {

// The fill of the cell whose text is exactly `content`.
std::string cell_fill_of(const std::string& svg, const std::string& content) {
    const std::size_t at = svg.find(">" + content + "</text>");
    if (at == std::string::npos) return "";
    const std::size_t rect = svg.rfind("<rect", at);
    const std::size_t fill = svg.find("fill=\"#", rect);
    return fill == std::string::npos || fill > at ? "" : svg.substr(fill + 6, 7);
}

int channel(const std::string& hex_colour, int index) {
    return std::stoi(hex_colour.substr(1 + 2 * index, 2), nullptr, 16);
}

}  // namespace

TEST_CASE("confusion_difference subtracts row-normalised matrices", "[report][confusion-diff]") {
    // Rows as shares: first {0.8, 0.2}, {0.5, 0.5}, {0, 0} (no samples); second {0.6, 0.4},
    // {0.1, 0.9}, {0.25, 0.75}.
    const ConfusionMatrix first = {{8, 2}, {50, 50}, {0, 0}};
    const ConfusionMatrix second = {{6, 4}, {1, 9}, {1, 3}};
    // Not square, but the difference needs only the same shape.
    const std::vector<std::vector<double>> d = confusion_difference(first, second);
    const std::vector<std::vector<double>> expected = {{-0.2, 0.2}, {-0.4, 0.4}, {0.25, 0.75}};
    REQUIRE(d.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        REQUIRE(d[i].size() == 2);
        for (std::size_t j = 0; j < 2; ++j) CHECK(d[i][j] == Approx(expected[i][j]).margin(1e-12));
    }
    CHECK_THROWS_AS(confusion_difference({{1, 2}, {3, 4}}, {{1, 2, 3}, {4, 5, 6}}), std::invalid_argument);
    CHECK_THROWS_AS(confusion_difference({{1, 2}, {3, 4}}, {{1, 2}}), std::invalid_argument);
}

TEST_CASE("confusion_difference_svg annotates each change on a diverging scale", "[report][confusion-diff]") {
    const ConfusionMatrix first = {{8, 2}, {5, 5}};
    const ConfusionMatrix second = {{6, 4}, {1, 9}};
    const std::string svg = confusion_difference_svg(first, second, {"cat", "dog"}, "run-b minus run-a & <co>");
    CHECK(xml_problem(svg) == "");
    CHECK(svg.find(">run-b minus run-a &amp; &lt;co&gt;</text>") != std::string::npos);
    CHECK(svg.find(">True class</text>") != std::string::npos);
    CHECK(svg.find(">Predicted class</text>") != std::string::npos);
    CHECK(count_of(svg, ">cat</text>") == 2);
    CHECK(count_of(svg, ">dog</text>") == 2);
    // Each cell's change in percentage points.
    for (const char* value : {"-20.0", "+20.0", "-40.0", "+40.0"}) CHECK(count_of(svg, std::string(">") + value + "</text>") == 1);
    // The scale reaches the largest change (40 points) rounded up to 50, symmetric.
    for (const char* tick : {">-50</text>", ">-25</text>", ">0</text>", ">+25</text>", ">+50</text>"})
        CHECK(svg.find(tick) != std::string::npos);
    // More often in the second run: red; less often: blue.
    const std::string more = cell_fill_of(svg, "+40.0"), less = cell_fill_of(svg, "-40.0");
    REQUIRE(more.size() == 7);
    REQUIRE(less.size() == 7);
    CHECK(channel(more, 0) > channel(more, 2));
    CHECK(channel(less, 2) > channel(less, 0));
    // Equal changes of opposite sign are equally far from white: mirrored ramp positions.
    CHECK(cell_fill_of(svg, "+20.0") != cell_fill_of(svg, "-20.0"));

    // Equal matrices: all zero, no NaN, the smallest scale.
    const std::string same = confusion_difference_svg(first, first, {"cat", "dog"}, "same");
    CHECK(xml_problem(same) == "");
    CHECK(count_of(same, ">0.0</text>") == 4);
    CHECK(same.find(">+1</text>") != std::string::npos);
    CHECK(lower(same).find("nan") == std::string::npos);

    CHECK_THROWS_AS(confusion_difference_svg(first, second, {"cat"}, "t"), std::invalid_argument);
    CHECK_THROWS_AS(confusion_difference_svg(first, {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, {"cat", "dog"}, "t"),
                    std::invalid_argument);
}

TEST_CASE("overlaid charts: one colour per run, training dashed, a legend naming the runs", "[report][svg]") {
    std::vector<NamedHistory> runs = {{"cnn6 & <seed 1>", sample_history()}, {"cnn4-seed1", sample_history()}, {"short", {}}};
    runs[1].history.resize(7);
    for (EpochRecord& r : runs[1].history) r.val_acc -= 0.1;
    runs[2].history = {sample_history()[0]};
    const std::string acc = overlaid_accuracy_svg(runs);
    const std::string loss = overlaid_loss_svg(runs);
    for (const std::string* svg : {&acc, &loss}) {
        CHECK(xml_problem(*svg) == "");
        CHECK(svg->find(">Epoch</text>") != std::string::npos);
        CHECK(svg->find(">cnn6 &amp; &lt;seed 1&gt;</text>") != std::string::npos);
        CHECK(svg->find(">cnn4-seed1</text>") != std::string::npos);
        CHECK(svg->find(">short</text>") != std::string::npos);
        CHECK(svg->find(">validation</text>") != std::string::npos);
        CHECK(svg->find(">training</text>") != std::string::npos);
        // Lines: validation and training of the two runs with more than one epoch; the
        // training lines and the legend's key are dashed.
        CHECK(count_of(*svg, "<polyline") == 4);
        CHECK(count_of(*svg, "stroke-dasharray") == 2 + 1);
        // Three distinct colours, each on a legend line.
        for (const char* colour : {"#1f77b4", "#ff7f0e", "#2ca02c"})
            CHECK(svg->find("stroke=\"" + std::string(colour) + "\" stroke-width=\"2\"/>") != std::string::npos);
        for (int e = 1; e <= 10; ++e) CHECK(svg->find(">" + std::to_string(e) + "</text>") != std::string::npos);
    }
    CHECK(acc.find(">Accuracy</text>") != std::string::npos);
    CHECK(loss.find(">Loss</text>") != std::string::npos);

    // Many runs and long names widen and lengthen the canvas instead of clipping.
    std::vector<NamedHistory> many;
    for (int k = 0; k < 24; ++k) many.push_back({"run-with-a-rather-long-folder-name-" + std::to_string(k), sample_history()});
    const std::string wide = overlaid_accuracy_svg(many);
    CHECK(xml_problem(wide) == "");
    CHECK(wide.find("width=\"740\"") == std::string::npos);
    CHECK(wide.find("height=\"450\"") == std::string::npos);

    const std::string none = overlaid_loss_svg({});
    CHECK(xml_problem(none) == "");
    CHECK(none.find("no data") != std::string::npos);
    CHECK_THROWS_AS(overlaid_curves_svg("t", "y", {{"bad", {1, 2}, {0.5}, {0.5, 0.6}}}), std::invalid_argument);
}

TEST_CASE("confusion_text prints like numpy", "[report][confusion]") {
    // The expected strings are numpy 1.24's print() of the same integer arrays.
    CHECK(confusion_text({{814, 11, 38}, {14, 855, 5}}) == "[[814  11  38]\n [ 14 855   5]]");
    CHECK(confusion_text({{1, 2}, {3, 4}}) == "[[1 2]\n [3 4]]");
    CHECK(confusion_text({{1000, 0}, {5, -3}}) == "[[1000    0]\n [   5   -3]]");
    CHECK(confusion_text({{7}}) == "[[7]]");
    CHECK(confusion_text({{1, 2, 3}}) == "[[1 2 3]]");
    CHECK(confusion_text({}) == "[]");
    CHECK(confusion_text({{}, {}}) == "[]");
    CHECK(confusion_text(kCifarMatrix) ==
          "[[814  11  38  14  13   4   7  11  56  32]\n"
          " [ 14 855   5   7   2   3   8   2  29  75]\n"
          " [ 62   4 601  58  91  66  67  32  12   7]\n"
          " [ 19   9  70 521  73 181  71  34  12  10]\n"
          " [ 17   3  66  54 708  32  44  62  10   4]\n"
          " [ 10   3  56 164  48 643  25  40   6   5]\n"
          " [  5   5  45  54  38  21 817   6   6   3]\n"
          " [ 14   2  30  39  54  54   6 787   4  10]\n"
          " [ 48  25  10  10   6   4   4   3 867  23]\n"
          " [ 25  62   7  15   3   5   4  12  23 844]]");
    CHECK_THROWS_AS(confusion_text({{1, 2}, {3}}), std::invalid_argument);
}

TEST_CASE("confusion_text wraps long rows at 75 columns as numpy does", "[report][confusion]") {
    ConfusionMatrix wide(2, std::vector<std::int64_t>(20));
    for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 20; ++j) wide[i][j] = (i * 20 + j) * 1000;
    }
    CHECK(confusion_text(wide) ==
          "[[    0  1000  2000  3000  4000  5000  6000  7000  8000  9000 10000 11000\n"
          "  12000 13000 14000 15000 16000 17000 18000 19000]\n"
          " [20000 21000 22000 23000 24000 25000 26000 27000 28000 29000 30000 31000\n"
          "  32000 33000 34000 35000 36000 37000 38000 39000]]");
    // At the boundary: 36 one-digit numbers fit on a line, the 37th moves to the next.
    ConfusionMatrix digits(2, std::vector<std::int64_t>(37));
    for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 37; ++j) digits[i][j] = (i * 37 + j) % 10;
    }
    CHECK(confusion_text(digits) ==
          "[[0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5\n"
          "  6]\n"
          " [7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2\n"
          "  3]]");
    CHECK(confusion_text({std::vector<std::int64_t>(digits[0].begin(), digits[0].begin() + 36)}) ==
          "[[0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5]]");
    const ConfusionMatrix million = {{1000000, 1000000, 1000000, 1000000, 1000000, 1000000, 1000000, 1000000,
                                      1000000, 1}};
    CHECK(confusion_text(million) ==
          "[[1000000 1000000 1000000 1000000 1000000 1000000 1000000 1000000 1000000\n"
          "        1]]");
    const ConfusionMatrix twelve_digits = {std::vector<std::int64_t>(8, 123456789012)};
    CHECK(confusion_text(twelve_digits) ==
          "[[123456789012 123456789012 123456789012 123456789012 123456789012\n"
          "  123456789012 123456789012 123456789012]]");
}

// ---- the samples PNG -------------------------------------------------------------------

TEST_CASE("samples_png lays out a 5-column grid and copies the pixels", "[report][png]") {
    // Ten synthetic images, each a distinct pattern: R = x*8 + k, G = y*8, B = 255 - 20k.
    std::vector<std::vector<unsigned char>> storage(10, std::vector<unsigned char>(3072));
    std::vector<const unsigned char*> images;
    for (int k = 0; k < 10; ++k) {
        for (int y = 0; y < 32; ++y) {
            for (int x = 0; x < 32; ++x) {
                storage[k][y * 32 + x] = static_cast<unsigned char>(x * 8 + k);
                storage[k][1024 + y * 32 + x] = static_cast<unsigned char>(y * 8);
                storage[k][2048 + y * 32 + x] = static_cast<unsigned char>(255 - 20 * k);
            }
        }
        images.push_back(storage[k].data());
    }
    const std::vector<unsigned char> png = samples_png(images, statnn::data::cifar10_class_names());

    // "automobile" is 10 characters: a label 12 * 10 - 2 = 118 px wide sets the cell width.
    const int cell_w = 118, cell_h = 120, margin = 12, gap_x = 16, gap_y = 14;
    const int width = 2 * margin + 5 * cell_w + 4 * gap_x;   // 678
    const int height = 2 * margin + 2 * cell_h + 1 * gap_y;  // 278
    check_png_header(png, width, height);

    const Decoded d = decode(png);
    REQUIRE(d.width == width);
    REQUIRE(d.height == height);
    // The corners are background.
    for (const auto& [x, y] : {std::pair<int, int>{0, 0}, {width - 1, 0}, {0, height - 1}, {width - 1, height - 1}}) {
        const unsigned char* p = d.at(x, y);
        CHECK((p[0] == 255 && p[1] == 255 && p[2] == 255));
    }
    for (int k = 0; k < 10; ++k) {
        INFO("image " << k);
        const int x0 = margin + (k % 5) * (cell_w + gap_x) + (cell_w - 96) / 2;
        const int y0 = margin + (k / 5) * (cell_h + gap_y);
        // Every source pixel becomes a 3x3 block.
        bool pixels_match = true;
        for (int y = 0; y < 96 && pixels_match; ++y) {
            for (int x = 0; x < 96; ++x) {
                const unsigned char* p = d.at(x0 + x, y0 + y);
                const int sx = x / 3, sy = y / 3;
                if (p[0] != storage[k][sy * 32 + sx] || p[1] != storage[k][1024 + sy * 32 + sx] ||
                    p[2] != storage[k][2048 + sy * 32 + sx]) {
                    pixels_match = false;
                    break;
                }
            }
        }
        CHECK(pixels_match);
        // The label: dark ink in the band under the image, nothing but grey levels there.
        int ink = 0;
        for (int y = y0 + 96; y < y0 + cell_h; ++y) {
            for (int x = x0 - (cell_w - 96) / 2; x < x0 - (cell_w - 96) / 2 + cell_w; ++x) {
                const unsigned char* p = d.at(x, y);
                if (p[0] < 64 && p[0] == p[1] && p[1] == p[2]) ++ink;
            }
        }
        CHECK(ink > 40);
    }
}

TEST_CASE("samples_png geometry for other counts and label lengths", "[report][png]") {
    std::vector<unsigned char> grey(3072, 128);
    auto images = [&](std::size_t n) { return std::vector<const unsigned char*>(n, grey.data()); };

    // Short names: cells are as wide as an image (96 px).
    check_png_header(samples_png(images(3), {"a", "b", "c"}), 24 + 3 * 96 + 2 * 16, 24 + 120);
    check_png_header(samples_png(images(6), {"a", "b", "c", "d", "e", "f"}), 24 + 5 * 96 + 4 * 16,
                     24 + 2 * 120 + 14);
    check_png_header(samples_png(images(11), std::vector<std::string>(11, "x")), 24 + 5 * 96 + 4 * 16,
                     24 + 3 * 120 + 2 * 14);
    // A long name is cut to 24 characters: 12 * 24 - 2 = 286 px.
    check_png_header(samples_png(images(1), {std::string(40, 'w')}), 24 + 286, 24 + 120);
    // Characters without a glyph still render (as '?').
    check_png_header(samples_png(images(1), {"caf\xc3\xa9 #1"}), 24 + 96, 24 + 120);
    // No images: a blank picture.
    check_png_header(samples_png({}, {}), 24, 24);

    CHECK_THROWS_AS(samples_png(images(2), {"one"}), std::invalid_argument);
    CHECK_THROWS_AS(samples_png({nullptr}, {"one"}), std::invalid_argument);
}

TEST_CASE("samples_png draws grey 28x28 images grey, scaled 3x to 84 px", "[report][png]") {
    // Seven grey images: value x*8 + y + 10k.
    std::vector<std::vector<unsigned char>> storage(7, std::vector<unsigned char>(28 * 28));
    std::vector<const unsigned char*> images;
    for (int k = 0; k < 7; ++k) {
        for (int y = 0; y < 28; ++y)
            for (int x = 0; x < 28; ++x) storage[k][y * 28 + x] = static_cast<unsigned char>(x * 8 + y + 10 * k);
        images.push_back(storage[k].data());
    }
    const std::vector<std::string> names = {"zero", "one", "two", "three", "four", "five", "six"};
    const std::vector<unsigned char> png = samples_png(images, names, 1, 28, 28);
    // Names of at most 5 characters (58 px) leave the cells as wide as an image: 84 px.
    const int cell_w = 84, cell_h = 84 + 6 + 18, margin = 12, gap_x = 16, gap_y = 14;
    const int width = 2 * margin + 5 * cell_w + 4 * gap_x;   // 508
    const int height = 2 * margin + 2 * cell_h + 1 * gap_y;  // 254
    check_png_header(png, width, height);
    const Decoded d = decode(png);
    REQUIRE(d.width == width);
    REQUIRE(d.height == height);
    for (int k = 0; k < 7; ++k) {
        INFO("image " << k);
        const int x0 = margin + (k % 5) * (cell_w + gap_x), y0 = margin + (k / 5) * (cell_h + gap_y);
        bool pixels_match = true;
        for (int y = 0; y < 84 && pixels_match; ++y)
            for (int x = 0; x < 84; ++x) {
                const unsigned char* p = d.at(x0 + x, y0 + y);
                const unsigned char v = storage[k][(y / 3) * 28 + x / 3];
                if (p[0] != v || p[1] != v || p[2] != v) {
                    pixels_match = false;
                    break;
                }
            }
        CHECK(pixels_match);
    }
    // Other sizes scale towards 96 px: 16x16 by 6, 64x48 not at all, 10x40 by 2.
    std::vector<unsigned char> grey(64 * 48, 128);
    check_png_header(samples_png({grey.data()}, {"a"}, 1, 16, 16), 24 + 96, 24 + 96 + 24);
    check_png_header(samples_png({grey.data()}, {"a"}, 1, 48, 64), 24 + 64, 24 + 48 + 24);
    check_png_header(samples_png({grey.data()}, {"a"}, 1, 10, 40), 24 + 80, 24 + 20 + 24);
    CHECK_THROWS_AS(samples_png({grey.data()}, {"a"}, 2, 28, 28), std::invalid_argument);
    CHECK_THROWS_AS(samples_png({grey.data()}, {"a"}, 1, 0, 28), std::invalid_argument);
}

TEST_CASE("samples_png: a 32x32x3 shape given explicitly is the default", "[report][png]") {
    std::vector<unsigned char> image(3072);
    for (std::size_t i = 0; i < image.size(); ++i) image[i] = static_cast<unsigned char>(i * 7);
    const std::vector<const unsigned char*> images(3, image.data());
    CHECK(samples_png(images, {"cat", "dog", "frog"}, 3, 32, 32) == samples_png(images, {"cat", "dog", "frog"}));
}

// ---- the images predict reads ------------------------------------------------------------

namespace {

using statnn::ImageError;
using statnn::data::RecordShape;

std::vector<unsigned char> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

void append_big_endian(std::vector<unsigned char>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<unsigned char>(v >> shift));
}

std::uint32_t crc32_of(const unsigned char* p, std::size_t n) {
    std::uint32_t crc = 0xffffffffu;
    for (std::size_t i = 0; i < n; ++i) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void append_chunk(std::vector<unsigned char>& png, const char* type, const std::vector<unsigned char>& body) {
    append_big_endian(png, static_cast<std::uint32_t>(body.size()));
    std::vector<unsigned char> typed(type, type + 4);
    typed.insert(typed.end(), body.begin(), body.end());
    png.insert(png.end(), typed.begin(), typed.end());
    append_big_endian(png, crc32_of(typed.data(), typed.size()));
}

// An 8-bit PNG of `samples` (interleaved, `channels` per pixel: 1 grey, 3 RGB), its
// rows unfiltered in one stored (uncompressed) deflate block.
std::vector<unsigned char> png_file(int width, int height, int channels, const std::vector<unsigned char>& samples) {
    std::vector<unsigned char> raw;
    for (int y = 0; y < height; ++y) {
        raw.push_back(0);  // filter: none
        const auto row = samples.begin() + std::ptrdiff_t(y) * width * channels;
        raw.insert(raw.end(), row, row + std::ptrdiff_t(width) * channels);
    }
    REQUIRE(raw.size() < 65536);  // one stored block
    std::vector<unsigned char> zlib = {0x78, 0x01, 0x01};
    const auto len = static_cast<std::uint16_t>(raw.size());
    for (std::uint16_t v : {len, static_cast<std::uint16_t>(~len)}) {
        zlib.push_back(static_cast<unsigned char>(v & 0xff));
        zlib.push_back(static_cast<unsigned char>(v >> 8));
    }
    zlib.insert(zlib.end(), raw.begin(), raw.end());
    std::uint32_t a = 1, b = 0;
    for (unsigned char c : raw) b = (b + (a = (a + c) % 65521)) % 65521;
    append_big_endian(zlib, b << 16 | a);
    std::vector<unsigned char> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, header;
    append_big_endian(header, static_cast<std::uint32_t>(width));
    append_big_endian(header, static_cast<std::uint32_t>(height));
    header.insert(header.end(), {8, static_cast<unsigned char>(channels == 1 ? 0 : 2), 0, 0, 0});
    append_chunk(png, "IHDR", header);
    append_chunk(png, "IDAT", zlib);
    append_chunk(png, "IEND", {});
    return png;
}

std::vector<unsigned char> pnm_file(const char* magic, int width, int height, int maxval, const std::vector<unsigned char>& samples) {
    std::vector<unsigned char> file = bytes_of(std::string(magic) + "\n# made by the test\n" + std::to_string(width) + " " +
                                               std::to_string(height) + "\n" + std::to_string(maxval) + "\n");
    file.insert(file.end(), samples.begin(), samples.end());
    return file;
}

std::vector<unsigned char> decoded(const std::vector<unsigned char>& file, const RecordShape& shape) {
    std::vector<unsigned char> pixels(shape.bytes(), 0xab);
    statnn::decode_image(file.data(), file.size(), "x.img", shape, pixels.data());
    return pixels;
}

std::string refusal(const std::vector<unsigned char>& file, const RecordShape& shape) {
    std::vector<unsigned char> pixels(shape.bytes());
    try {
        statnn::decode_image(file.data(), file.size(), "x.img", shape, pixels.data());
    } catch (const ImageError& e) {
        return e.what();
    }
    return "(decoded)";
}

// A 28x28 grey pattern and a colour one: grey = x * 9 + y, R = x * 9, G = y * 9, B = 255 - x - y.
std::vector<unsigned char> grey_28x28() {
    std::vector<unsigned char> v(28 * 28);
    for (int p = 0; p < 28 * 28; ++p) v[p] = static_cast<unsigned char>((p % 28) * 9 + p / 28);
    return v;
}

std::vector<unsigned char> rgb_samples(int side) {
    std::vector<unsigned char> v;
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
            v.insert(v.end(), {static_cast<unsigned char>(x * 9), static_cast<unsigned char>(y * 9),
                               static_cast<unsigned char>(255 - x - y)});
    return v;
}

}  // namespace

TEST_CASE("decode_image reads grey 28x28 PGM and PNG files as one plane, or replicated to three", "[image]") {
    const std::vector<unsigned char> grey = grey_28x28();
    for (const auto& file : {pnm_file("P5", 28, 28, 255, grey), png_file(28, 28, 1, grey)}) {
        CHECK(decoded(file, {1, 28, 28}) == grey);
        std::vector<unsigned char> three = grey;
        three.insert(three.end(), grey.begin(), grey.end());
        three.insert(three.end(), grey.begin(), grey.end());
        CHECK(decoded(file, {3, 28, 28}) == three);
    }
    // 16-bit samples scale to bytes rounded to nearest: 500 of 1000 is 127.5, so 128.
    const std::vector<unsigned char> wide = {0x01, 0xf4, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x01};
    CHECK(decoded(pnm_file("P5", 2, 2, 1000, wide), {1, 2, 2}) == std::vector<unsigned char>{128, 255, 0, 0});
}

TEST_CASE("decode_image turns colour into grey by BT.601 luma, rounded", "[image]") {
    // (299 R + 587 G + 114 B + 500) / 1000 for red, green, blue, white, black, (10, 20, 30).
    const std::vector<unsigned char> colours = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 10, 20, 30};
    CHECK(decoded(pnm_file("P6", 6, 1, 255, colours), {1, 1, 6}) == std::vector<unsigned char>{76, 150, 29, 255, 0, 18});
    // The same formula for PNG and PPM, over a whole 28x28 picture.
    const std::vector<unsigned char> rgb = rgb_samples(28);
    std::vector<unsigned char> luma;
    for (std::size_t p = 0; p < 28 * 28; ++p)
        luma.push_back(static_cast<unsigned char>((299 * rgb[3 * p] + 587 * rgb[3 * p + 1] + 114 * rgb[3 * p + 2] + 500) / 1000));
    CHECK(decoded(pnm_file("P6", 28, 28, 255, rgb), {1, 28, 28}) == luma);
    CHECK(decoded(png_file(28, 28, 3, rgb), {1, 28, 28}) == luma);
}

TEST_CASE("decode_image gives 32x32 colour images as R, G and B planes", "[image]") {
    const std::vector<unsigned char> rgb = rgb_samples(32);
    std::vector<unsigned char> planes(3072);
    for (std::size_t p = 0; p < 1024; ++p)
        for (std::size_t c = 0; c < 3; ++c) planes[c * 1024 + p] = rgb[3 * p + c];
    CHECK(decoded(pnm_file("P6", 32, 32, 255, rgb), {3, 32, 32}) == planes);
    CHECK(decoded(png_file(32, 32, 3, rgb), {3, 32, 32}) == planes);
}

TEST_CASE("decode_image refuses other sizes naming the file and both sizes", "[image]") {
    const std::vector<unsigned char> grey = grey_28x28();
    CHECK(refusal(pnm_file("P5", 28, 28, 255, grey), {3, 32, 32}) == "x.img: 28x28 pixels; predict needs 32x32 images");
    CHECK(refusal(png_file(28, 28, 1, grey), {3, 32, 32}) == "x.img: 28x28 pixels; predict needs 32x32 images");
    const std::vector<unsigned char> rgb = rgb_samples(32);
    CHECK(refusal(png_file(32, 32, 3, rgb), {1, 28, 28}) == "x.img: 32x32 pixels; predict needs 28x28 images");
    CHECK(refusal(pnm_file("P6", 32, 32, 255, rgb), {1, 28, 28}) == "x.img: 32x32 pixels; predict needs 28x28 images");
    // Width first: 4 wide, 7 high.
    CHECK(refusal(pnm_file("P5", 4, 7, 255, std::vector<unsigned char>(28)), {1, 4, 4}) ==
          "x.img: 4x7 pixels; predict needs 4x4 images");
    CHECK(refusal(bytes_of("hello"), {1, 28, 28}) == "x.img: not a PNG or binary PPM/PGM image");
    CHECK(refusal(pnm_file("P5", 28, 28, 255, std::vector<unsigned char>(700)), {1, 28, 28}) ==
          "x.img: truncated PNM pixel data");
    std::vector<unsigned char> pixels(28 * 28 * 2);
    const std::vector<unsigned char> file = pnm_file("P5", 28, 28, 255, grey);
    CHECK_THROWS_AS(statnn::decode_image(file.data(), file.size(), "x", {2, 28, 28}, pixels.data()), std::invalid_argument);
}

TEST_CASE("decode_image bounds the file size in proportion to the pixels", "[image]") {
    // 1 MiB for 32x32 pixels: 784 KiB for 28x28, 4 MiB for 64x64. PNM ignores bytes after
    // its samples, which makes files of any size easy to write.
    std::vector<unsigned char> grey = grey_28x28();
    grey.resize(784 * 1024 - 40);
    CHECK(refusal(pnm_file("P5", 28, 28, 255, grey), {1, 28, 28}) == "(decoded)");
    grey.resize(784 * 1024 + 1);
    CHECK(refusal(pnm_file("P5", 28, 28, 255, grey), {1, 28, 28}) == "x.img: file too large for a 28x28 image");
    std::vector<unsigned char> rgb = rgb_samples(64);
    rgb.resize(2u << 20);
    CHECK(refusal(pnm_file("P6", 64, 64, 255, rgb), {3, 64, 64}) == "(decoded)");
    CHECK(refusal(pnm_file("P6", 32, 32, 255, rgb), {3, 32, 32}) == "x.img: file too large for a 32x32 image");
    // 16 KiB for 4x4.
    CHECK(refusal(pnm_file("P5", 4, 4, 255, std::vector<unsigned char>(16000)), {1, 4, 4}) == "(decoded)");
    CHECK(refusal(pnm_file("P5", 4, 4, 255, std::vector<unsigned char>(16400)), {1, 4, 4}) ==
          "x.img: file too large for a 4x4 image");
}

TEST_CASE("load_image reads a file and names it in its messages", "[image]") {
    statnn::test::TempDir dir;
    const std::vector<unsigned char> grey = grey_28x28();
    const std::vector<unsigned char> png = png_file(28, 28, 1, grey);
    std::FILE* f = std::fopen((dir / "digit.png").c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fwrite(png.data(), 1, png.size(), f);
    std::fclose(f);
    std::vector<unsigned char> pixels(28 * 28);
    statnn::load_image(dir / "digit.png", {1, 28, 28}, pixels.data());
    CHECK(pixels == grey);
    std::vector<unsigned char> rgb(3072);
    CHECK_THROWS_WITH(statnn::load_image(dir / "digit.png", {3, 32, 32}, rgb.data()),
                      dir / "digit.png" + ": 28x28 pixels; predict needs 32x32 images");
    CHECK_THROWS_WITH(statnn::load_image(dir / "none.png", {1, 28, 28}, pixels.data()),
                      Catch::StartsWith(dir / "none.png" + ": cannot open ("));
}
