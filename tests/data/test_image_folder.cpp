// tests/data/test_image_folder.cpp — folders of images and the import command: classes
// and files are taken in byte order; lossless images become records bit for bit at the
// network's channels (grey repeated to colour, colour to BT.601 grey); JPEG is read;
// --val-split is stratified and follows --seed; an image of another size is refused
// naming it unless --resize scales it by area average; every problem is one line and
// leaves nothing written; a tiny network trains on what import wrote.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "catch.hpp"
#include "image_import.hpp"
#include "image_resize.hpp"
#include "statnn/data/image_folder.hpp"
#include "statnn/data/statnn_records.hpp"
#include "support/app_runner.hpp"
#include "support/image_files.hpp"

using namespace statnn;
using namespace statnn::test;
using data::DataError;
using data::RecordShape;
using data::Split;
using data::StatnnRecordSet;

namespace {

// A network of 6-row, 4-column colour images and 3 classes: the whole program at a
// shape no dataset ships (rows and columns differ, so a swap shows).
using TinyNet = Sequential<Input<3, 6, 4>, Conv2D<4, 3, Same, ReLU>, Flatten, Dense<3>, Softmax>;
constexpr SgdConfig kTinySgd{0.01, 0.9, 0.0, false};
constexpr KerasRecipe kTinyRecipe = keras_recipe("tiny", "tiny test network", kTinySgd, 1);

const RecordShape kColour{3, 6, 4}, kGrey{1, 6, 4};

RunResult run(std::vector<std::string> args) { return run_command<TinyNet, 4>(kTinyRecipe, std::move(args)); }

void make_dirs(const std::string& path) { REQUIRE(std::system(("mkdir -p '" + path + "'").c_str()) == 0); }

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Every record of a file: label and planes.
struct Record {
    std::int32_t label;
    std::vector<unsigned char> planes;
};

std::vector<Record> records_of(const std::string& dir, Split split) {
    const StatnnRecordSet set(dir, split);
    std::vector<Record> records;
    for (long r = 0; r < set.records(); ++r) {
        Record record{0, std::vector<unsigned char>(set.shape().bytes())};
        set.read(r, record.planes.data(), record.label);
        records.push_back(std::move(record));
    }
    return records;
}

ImportSettings settings_for(const std::string& root, const std::string& out, const RecordShape& shape, int classes = 3) {
    ImportSettings s;
    s.root = root;
    s.out = out;
    s.shape = shape;
    s.max_classes = classes;
    return s;
}

// plan_import and write_import, as the command runs them.
ImportPlan import_folder(const ImportSettings& s) {
    const ImportPlan plan = plan_import(s);
    write_import(s, plan);
    return plan;
}

// The images written into one class folder, by file name.
using ClassImages = std::map<std::string, TestImage>;

// A lossless class folder of every kind: colour and grey PNG, PPM and PGM.
ClassImages write_lossless_class(const std::string& dir, int seed) {
    make_dirs(dir);
    ClassImages images = {{"a.png", pattern_image(4, 6, 3, seed)},
                          {"b.PNG", pattern_image(4, 6, 1, seed + 1)},
                          {"c.ppm", pattern_image(4, 6, 3, seed + 2)},
                          {"d.pgm", pattern_image(4, 6, 1, seed + 3)}};
    for (const auto& [name, image] : images) {
        if (name.find("pgm") != std::string::npos || name.find("ppm") != std::string::npos) write_pnm(dir + "/" + name, image);
        else write_png(dir + "/" + name, image);
    }
    return images;
}

// `count` colour PNGs whose first pixel says which image they are: R = class, G = index.
void write_marked_class(const std::string& dir, int cls, int count) {
    make_dirs(dir);
    for (int i = 0; i < count; ++i) {
        TestImage image = pattern_image(4, 6, 3, cls * 100 + i);
        image.at(0, 0, 0) = static_cast<unsigned char>(cls);
        image.at(0, 0, 1) = static_cast<unsigned char>(i);
        char name[16];
        std::snprintf(name, sizeof name, "%03d.png", i);
        write_png(dir + "/" + name, image);
    }
}

// (class, index) of each record of a marked folder's import.
std::vector<std::pair<int, int>> marks_of(const std::string& dir, Split split) {
    std::vector<std::pair<int, int>> marks;
    for (const auto& r : records_of(dir, split)) {
        CHECK(r.label == r.planes[0]);  // the record's label is its class folder's
        marks.emplace_back(r.planes[0], r.planes[24]);  // R and G of pixel (0, 0)
    }
    return marks;
}

}  // namespace

TEST_CASE("image folder: classes and images are listed in byte order, other entries left out", "[data][import]") {
    TempDir dir;
    for (const char* cls : {"b", "a", "C", ".hidden"}) make_dirs(dir / "train/" + cls);
    for (const char* file : {"10.png", "2.jpeg", "1.PNG", "x.Jpg", "y.pgm", "z.ppm", "notes.txt", ".seen.png", "noext"})
        write_pnm(dir / "train/a/" + file, pattern_image(4, 6, 1, 0));
    make_dirs(dir / "train/a/nested.png");
    for (const char* cls : {"b", "C"}) write_pnm(dir / "train/" + cls + "/1.pgm", pattern_image(4, 6, 1, 0));
    write_pnm(dir / "train/loose.pgm", pattern_image(4, 6, 1, 0));
    const data::ImageSplit split = data::list_image_split(dir / "train");
    REQUIRE(split.classes.size() == 3);
    CHECK(split.classes[0].name == "C");  // upper case sorts first, as strcmp
    CHECK(split.classes[1].name == "a");
    CHECK(split.classes[2].name == "b");
    std::vector<std::string> files;
    for (const auto& f : split.classes[1].files) files.push_back(f.substr(f.find_last_of('/') + 1));
    CHECK(files == std::vector<std::string>{"1.PNG", "10.png", "2.jpeg", "x.Jpg", "y.pgm", "z.ppm"});
    CHECK(split.images() == 8);
    CHECK(data::is_image_folder(dir.path()));
}

TEST_CASE("import: lossless images become records bit for bit, grey and colour converted to the network's channels",
          "[data][import]") {
    TempDir dir;
    const std::string root = dir / "pets";
    // Classes sorted: "Zebu" < "ant" < "bee"; test/ lacks a class, which is allowed.
    const ClassImages zebu = write_lossless_class(root + "/train/Zebu", 10);
    const ClassImages ant = write_lossless_class(root + "/train/ant", 20);
    const ClassImages bee = write_lossless_class(root + "/train/bee", 30);
    const ClassImages test_ant = write_lossless_class(root + "/test/ant", 40);
    for (const RecordShape& shape : {kColour, kGrey}) {
        INFO("network input " << data::shape_text(shape));
        const std::string out = dir / "out-" + std::to_string(shape.channels);
        const ImportPlan plan = import_folder(settings_for(root, out, shape));
        CHECK(plan.class_names == std::vector<std::string>{"Zebu", "ant", "bee"});
        CHECK_FALSE(plan.val_split);
        CHECK(data::StatnnRecordSet::class_names(out) == plan.class_names);
        // Classes in turn: the first file of every class, then the second, ...
        const std::vector<Record> train = records_of(out, Split::Train);
        REQUIRE(train.size() == 12);
        const std::vector<const ClassImages*> classes = {&zebu, &ant, &bee};
        std::size_t r = 0;
        for (const char* file : {"a.png", "b.PNG", "c.ppm", "d.pgm"})
            for (std::int32_t c = 0; c < 3; ++c, ++r) {
                INFO(file << " of class " << c);
                CHECK(train[r].label == c);
                CHECK(train[r].planes == record_planes(classes[std::size_t(c)]->at(file), shape.channels));
            }
        const std::vector<Record> test = records_of(out, Split::Test);
        REQUIRE(test.size() == 4);
        CHECK(test[1].label == 1);
        CHECK(test[1].planes == record_planes(test_ant.at("b.PNG"), shape.channels));
    }
}

TEST_CASE("import: JPEG images are decoded, close to what was encoded", "[data][import]") {
    TempDir dir;
    make_dirs(dir / "root/train/red");
    make_dirs(dir / "root/train/blue");
    write_jpeg(dir / "root/train/red/1.jpg", flat_image(4, 6, 200, 30, 40));
    write_jpeg(dir / "root/train/red/2.JPEG", flat_image(4, 6, 210, 20, 30));
    write_jpeg(dir / "root/train/blue/1.jpeg", flat_image(4, 6, 20, 40, 220));
    write_jpeg(dir / "root/train/blue/2.jpg", flat_image(4, 6, 30, 50, 230));
    ImportSettings s = settings_for(dir / "root", dir / "out", kColour);
    s.val_split = 0.5;
    const ImportPlan plan = import_folder(s);
    CHECK(plan.class_names == std::vector<std::string>{"blue", "red"});
    std::vector<Record> records = records_of(dir / "out", Split::Train);
    const std::vector<Record> test = records_of(dir / "out", Split::Test);
    records.insert(records.end(), test.begin(), test.end());
    REQUIRE(records.size() == 4);
    for (const auto& record : records) {
        const unsigned char red = record.planes[0], blue = record.planes[2 * 24];
        CHECK((record.label == 1 ? red > 180 && blue < 70 : blue > 190 && red < 60));
    }
}

TEST_CASE("import: a JPEG whose Huffman table holds more than 256 codes is refused before decoding", "[data][import]") {
    // Start of image, then a DHT segment of one table: 16 code counts of 255 each.
    std::vector<unsigned char> jpeg = {0xff, 0xd8, 0xff, 0xc4, 0x00, 0x13, 0x00};
    jpeg.insert(jpeg.end(), 16, 0xff);
    jpeg.insert(jpeg.end(), {0xff, 0xd9});
    CHECK_THROWS_WITH(decode_any_image(jpeg.data(), jpeg.size(), "x.jpg"),
                      "x.jpg: corrupt JPEG (a Huffman table of 4080 codes; at most 256)");
    // The same table after a comment, bytes the decoder skips between segments, and a scan.
    std::vector<unsigned char> later = {0xff, 0xd8, 0xff, 0xfe, 0x00, 0x02, 0x00, 0x00, 0xff, 0xda,
                                        0x00, 0x02, 0x12, 0xff, 0x00, 0x34, 0xff, 0xd0};
    later.insert(later.end(), jpeg.begin() + 2, jpeg.end());
    CHECK_THROWS_WITH(decode_any_image(later.data(), later.size(), "x.jpg"), Catch::Contains("4080 codes"));
}

TEST_CASE("import --val-split: stratified, the same for the same seed, every image once", "[data][import]") {
    TempDir dir;
    const std::string root = dir / "marked";
    write_marked_class(root + "/train/a", 0, 10);
    write_marked_class(root + "/train/b", 1, 20);
    write_marked_class(root + "/train/c", 2, 5);
    ImportSettings s = settings_for(root, dir / "seed1", kColour);
    s.val_split = 0.2;
    import_folder(s);
    const auto train = marks_of(dir / "seed1", Split::Train), test = marks_of(dir / "seed1", Split::Test);
    // round(0.2 x 10, 20, 5) = 2, 4, 1 test images of the classes.
    std::map<int, int> per_class;
    for (const auto& m : test) ++per_class[m.first];
    CHECK(per_class == std::map<int, int>{{0, 2}, {1, 4}, {2, 1}});
    CHECK(train.size() == 28);
    std::set<std::pair<int, int>> all(train.begin(), train.end());
    all.insert(test.begin(), test.end());
    CHECK(all.size() == 35);  // every image once
    // The same seed, the same files; another seed, other test images.
    s.out = dir / "again";
    import_folder(s);
    CHECK(read_text_file(dir / "again/train.statnn") == read_text_file(dir / "seed1/train.statnn"));
    CHECK(read_text_file(dir / "again/test.statnn") == read_text_file(dir / "seed1/test.statnn"));
    s.out = dir / "seed2";
    s.seed = 2;
    import_folder(s);
    const auto test2 = marks_of(dir / "seed2", Split::Test);
    CHECK(std::set<std::pair<int, int>>(test2.begin(), test2.end()) != std::set<std::pair<int, int>>(test.begin(), test.end()));
    // The default: a tenth, each class keeping at least one training image.
    s.val_split.reset();
    s.out = dir / "default";
    const ImportPlan plan = import_folder(s);
    CHECK(plan.val_split == kDefaultValSplit);
    CHECK(plan.test.size() == 1 + 2 + 1);  // round(1), round(2), round(0.5) = 1
}

TEST_CASE("import: an image of another size is refused naming it and both sizes, --resize scales it", "[data][import]") {
    TempDir dir;
    const std::string root = dir / "sizes";
    make_dirs(root + "/train/only");
    write_png(root + "/train/only/a.png", pattern_image(4, 6, 3, 1));
    // 8 x 12: 2 x 2 blocks of one colour each, so halving it is exact.
    TestImage big{8, 12, 3, std::vector<unsigned char>(8 * 12 * 3)};
    for (int y = 0; y < 12; ++y)
        for (int x = 0; x < 8; ++x)
            for (int c = 0; c < 3; ++c) big.at(x, y, c) = static_cast<unsigned char>((x / 2) * 50 + (y / 2) * 7 + c * 3);
    write_pnm(root + "/train/only/b.ppm", big);
    ImportSettings s = settings_for(root, dir / "out", kColour);
    s.val_split = 0.5;
    CHECK_THROWS_WITH(import_folder(s), root + "/train/only/b.ppm: 8x12 pixels, but the network takes 4x6 images "
                                               "(--resize scales them)");
    CHECK_FALSE(exists(dir / "out"));  // nothing written, not even the folder
    s.resize = true;
    import_folder(s);
    std::vector<Record> records = records_of(dir / "out", Split::Train);
    const std::vector<Record> test = records_of(dir / "out", Split::Test);
    records.insert(records.end(), test.begin(), test.end());
    TestImage half{4, 6, 3, std::vector<unsigned char>(4 * 6 * 3)};
    for (int y = 0; y < 6; ++y)
        for (int x = 0; x < 4; ++x)
            for (int c = 0; c < 3; ++c) half.at(x, y, c) = static_cast<unsigned char>(x * 50 + y * 7 + c * 3);
    const auto has = [&](const std::vector<unsigned char>& planes) {
        return std::any_of(records.begin(), records.end(), [&](const Record& r) { return r.planes == planes; });
    };
    CHECK(has(record_planes(half, 3)));
    CHECK(has(record_planes(pattern_image(4, 6, 3, 1), 3)));  // the right size: untouched
}

TEST_CASE("resize_area: means of the covered area, fractional pixels weighted, pixels repeated when enlarging",
          "[data][import]") {
    const auto row = [](std::vector<unsigned char> grey) {
        RgbImage image{int(grey.size()), 1, std::vector<unsigned char>(grey.size() * 3)};
        for (std::size_t i = 0; i < image.rgb.size(); ++i) image.rgb[i] = grey[i / 3];
        return image;
    };
    const auto greys = [](const RgbImage& image) {
        std::vector<unsigned char> v;
        for (std::size_t p = 0; p < image.rgb.size(); p += 3) v.push_back(image.rgb[p]);
        return v;
    };
    // 3 -> 2: (2 x 0 + 90) / 3 and (90 + 2 x 180) / 3.
    CHECK(greys(resize_area(row({0, 90, 180}), 2, 1)) == std::vector<unsigned char>{30, 150});
    CHECK(greys(resize_area(row({10, 20}), 4, 1)) == std::vector<unsigned char>{10, 10, 20, 20});
    CHECK(greys(resize_area(row({0, 255}), 1, 1)) == std::vector<unsigned char>{128});  // 127.5 rounds up
    const RgbImage pattern{3, 2, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}};
    CHECK(resize_area(pattern, 3, 2).rgb == pattern.rgb);
    const RgbImage tall = resize_area(pattern, 3, 4);  // rows repeated
    CHECK(std::vector<unsigned char>(tall.rgb.begin(), tall.rgb.begin() + 18) ==
          std::vector<unsigned char>{1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    CHECK_THROWS_AS(resize_area(pattern, 0, 2), std::invalid_argument);
}

TEST_CASE("import: a folder that cannot be imported is one line naming the folder or image", "[data][import]") {
    TempDir dir;
    const std::string root = dir / "bad";
    const ImportSettings s = settings_for(root, dir / "out", kColour, 2);
    CHECK_THROWS_WITH(plan_import(s), root + ": no such directory");
    make_dirs(root);
    CHECK_THROWS_WITH(plan_import(s), root + "/train: missing (expected one folder of images per class, " + root +
                                          "/train/<class>/<image>)");
    make_dirs(root + "/train");
    CHECK_THROWS_WITH(plan_import(s), Catch::StartsWith(root + "/train: no class folders"));
    make_dirs(root + "/train/cat");
    CHECK_THROWS_WITH(plan_import(s), root + "/train/cat: no images (expected .png, .jpg, .jpeg, .ppm or .pgm files)");
    write_marked_class(root + "/train/cat", 0, 1);
    CHECK_THROWS_WITH(plan_import(s), Catch::StartsWith(root + "/train: --val-split 0.1 moves no image to the test split"));
    write_marked_class(root + "/train/dog", 1, 1);
    write_marked_class(root + "/train/eel", 2, 1);
    CHECK_THROWS_WITH(plan_import(s), root + "/train: 3 class folders, but the network has 2 classes");
    make_dirs(root + "/train/bad\tname");
    CHECK_THROWS_WITH(plan_import(settings_for(root, dir / "out", kColour, 10)),
                      root + "/train/bad\tname: the folder's name is a class name, and it is not printable ASCII");
    ::rmdir((root + "/train/bad\tname").c_str());
    write_marked_class(root + "/test/fox", 3, 1);
    CHECK_THROWS_WITH(plan_import(settings_for(root, dir / "out", kColour, 10)),
                      root + "/test/fox: a class that " + root + "/train does not have");
    // A damaged image stops the import, naming it; nothing is written.
    ::remove((root + "/test/fox/000.png").c_str());
    ::rmdir((root + "/test/fox").c_str());
    write_marked_class(root + "/test/cat", 0, 1);
    std::FILE* f = std::fopen((root + "/train/dog/000.png").c_str(), "r+b");
    REQUIRE(f != nullptr);
    std::fseek(f, 40, SEEK_SET);
    std::fputs("garbage garbage garbage", f);
    std::fclose(f);
    CHECK_THROWS_WITH(import_folder(settings_for(root, dir / "out", kColour, 10)),
                      Catch::StartsWith(root + "/train/dog/000.png: "));
    CHECK_FALSE(exists(dir / "out"));
}

TEST_CASE("import command: its flags, one summary line, and a network trains on what it wrote", "[data][import][cli]") {
    TempDir dir;
    const std::string root = dir / "images";
    write_marked_class(root + "/train/a", 0, 12);
    write_marked_class(root + "/train/b", 1, 12);
    write_marked_class(root + "/test/a", 0, 2);
    write_marked_class(root + "/test/b", 1, 2);
    const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
        {{"import", "--out", dir / "out"}, "import takes one folder of images: import <root> --out DIR (0 given)"},
        {{"import", root}, "import needs --out DIR"},
        {{"import", root, "--out", dir / "out", "--val-split", "1"}, "--val-split: expected a fraction between 0 and 1, got '1'"},
        {{"import", root, "--out", dir / "out", "--val-split", "0"}, "--val-split: expected a positive number, got '0'"},
        {{"import", root, "--out", dir / "out", "--val-split", "0.2"}, "--val-split: " + root + "/test is the test split already"},
        {{"train", "--data", dir / "out", "--data-format", "png"}, "--data-format: expected cifar10, cifar100, idx or statnn"},
    };
    for (const auto& [args, says] : refused) {
        const RunResult r = run(args);
        CHECK(r.status == 2);
        CHECK_THAT(first_line(r.err), Catch::StartsWith("tiny: " + says));
    }
    CHECK_FALSE(exists(dir / "out"));
    const RunResult unimported = run({"train", "--data", root});
    CHECK(unimported.status == 1);
    CHECK(unimported.err == "tiny: " + root + ": a folder of images (train/<class>/...), which training does not read "
                                              "directly; run `tiny import " + root + " --out DIR` first, then use --data DIR\n");
    const RunResult imported = run({"import", root, "--out", dir / "out"});
    REQUIRE(imported.status == 0);
    CHECK(imported.out == "tiny: wrote " + dir / "out/train.statnn (24 records) and " + dir / "out/test.statnn (4 records) from " +
                              root + ": 2 classes, images of 6x4x3 (height x width x channels); test split: " + root + "/test\n");
    const RunResult trained = run({"train", "--data", dir / "out", "--data-format", "statnn", "--epochs", "1", "--threads", "1",
                                   "--verbose", "2", "--out", dir / "run"});
    CHECK(trained.status == 0);
    CHECK_THAT(trained.out, Catch::Contains("statnn records") && Catch::Contains("Accuracy: "));
    CHECK(read_text_file(dir / "run/confusion.csv").rfind("true\\predicted,a,b,2", 0) == 0);
}
