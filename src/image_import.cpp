// src/image_import.cpp — see image_import.hpp.
#include "image_import.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numeric>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.hpp"
#include "files.hpp"
#include "image_file.hpp"
#include "image_resize.hpp"
#include "statnn/data/image_folder.hpp"
#include "statnn/data/statnn_records.hpp"
#include "statnn/rng.hpp"

namespace statnn {

namespace {

using data::DataError;

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// "0.1"
std::string number_text(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return text;
}

// "64x48": width x height, as image sizes are usually written.
std::string size_text(int width, int height) { return std::to_string(width) + "x" + std::to_string(height); }

// <root>/train and its classes, checked against the network. Throws DataError.
data::ImageSplit training_folder(const ImportSettings& s) {
    struct stat st {};
    if (::stat(s.root.c_str(), &st) != 0)
        throw DataError(s.root + (errno == ENOENT ? std::string(": no such directory")
                                                  : ": cannot access (" + std::string(std::strerror(errno)) + ")"));
    if (!S_ISDIR(st.st_mode)) throw DataError(s.root + ": not a directory (expected a folder of images)");
    if (s.shape.channels != 1 && s.shape.channels != 3)
        throw DataError("import: the network takes images of " + data::shape_text(s.shape) +
                        " (height x width x channels); images convert to 1 or 3 channels only");
    const std::string dir = s.root + "/train";
    if (!is_directory(dir))
        throw DataError(dir + ": missing (expected one folder of images per class, " + dir + "/<class>/<image>)");
    data::ImageSplit train = data::list_image_split(dir);
    if (int(train.classes.size()) > s.max_classes)
        throw DataError(dir + ": " + std::to_string(train.classes.size()) + " class folders, but the network has " +
                        std::to_string(s.max_classes) + " classes");
    return train;
}

// Which of a class's `n` training images go to the test split: round(fraction x n) of
// them, drawn by a generator of its own, and never all of them.
std::vector<bool> drawn_for_test(std::size_t n, double fraction, std::uint64_t seed, std::size_t class_index) {
    const std::size_t k = std::min(std::size_t(std::llround(fraction * double(n))), n - 1);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t(0));
    Rng rng(splitmix64(seed ^ splitmix64(0x56414C53504C4954ull + class_index)));  // "VALSPLIT"
    for (std::size_t i = 0; i < k; ++i) std::swap(order[i], order[i + std::size_t(rng.below(n - i))]);
    std::vector<bool> test(n, false);
    for (std::size_t i = 0; i < k; ++i) test[order[i]] = true;
    return test;
}

// The first image of every class, then the second of every class, and so on.
std::vector<ImportImage> classes_in_turn(const std::vector<std::vector<ImportImage>>& per_class) {
    std::vector<ImportImage> images;
    for (std::size_t turn = 0;; ++turn) {
        bool any = false;
        for (const auto& c : per_class)
            if (turn < c.size()) {
                images.push_back(c[turn]);
                any = true;
            }
        if (!any) return images;
    }
}

void split_by_fraction(const data::ImageSplit& train, double fraction, std::uint64_t seed, ImportPlan& plan) {
    std::vector<std::vector<ImportImage>> train_images(train.classes.size()), test_images(train.classes.size());
    for (std::size_t c = 0; c < train.classes.size(); ++c) {
        const auto& files = train.classes[c].files;
        const std::vector<bool> test = drawn_for_test(files.size(), fraction, seed, c);
        for (std::size_t f = 0; f < files.size(); ++f)
            (test[f] ? test_images : train_images)[c].push_back({files[f], std::int32_t(c)});
    }
    plan.train = classes_in_turn(train_images);
    plan.test = classes_in_turn(test_images);
    plan.val_split = fraction;
    if (plan.test.empty())
        throw DataError(train.dir + ": --val-split " + number_text(fraction) +
                        " moves no image to the test split (every class keeps one training image at least); use a "
                        "larger --val-split, or a test folder beside it");
}

void split_by_folder(const data::ImageSplit& train, const data::ImageSplit& test, ImportPlan& plan) {
    std::vector<std::vector<ImportImage>> train_images(train.classes.size()), test_images(train.classes.size());
    for (std::size_t c = 0; c < train.classes.size(); ++c)
        for (const auto& file : train.classes[c].files) train_images[c].push_back({file, std::int32_t(c)});
    for (const auto& c : test.classes) {
        const auto at = std::lower_bound(plan.class_names.begin(), plan.class_names.end(), c.name);
        if (at == plan.class_names.end() || *at != c.name)
            throw DataError(test.dir + "/" + c.name + ": a class that " + train.dir + " does not have");
        const auto label = std::size_t(at - plan.class_names.begin());
        for (const auto& file : c.files) test_images[label].push_back({file, std::int32_t(label)});
    }
    plan.train = classes_in_turn(train_images);
    plan.test = classes_in_turn(test_images);
}

// The pixels of image `path` at the network's input shape. Throws ImageError.
bool read_pixels(const std::string& path, const ImportSettings& s, unsigned char* pixels) {
    RgbImage image = load_any_image(path);
    const bool resized = image.width != s.shape.width || image.height != s.shape.height;
    if (resized && !s.resize)
        throw ImageError(path + ": " + size_text(image.width, image.height) + " pixels, but the network takes " +
                         size_text(s.shape.width, s.shape.height) + " images (--resize scales them)");
    if (resized) image = resize_area(image, s.shape.width, s.shape.height);
    image_to_planes(image, s.shape, pixels);
    return resized;
}

// The records of `images` in a file under a temporary name, until it is committed.
std::unique_ptr<data::StatnnRecordWriter> write_records(const std::string& path, const ImportSettings& s,
                                                        const ImportPlan& plan, const std::vector<ImportImage>& images,
                                                        long& resized) {
    auto writer = std::make_unique<data::StatnnRecordWriter>(
        path, data::StatnnHeader{s.shape, plan.class_names, std::uint64_t(images.size())});
    std::vector<unsigned char> pixels(s.shape.bytes());
    for (const auto& image : images) {
        resized += read_pixels(image.path, s, pixels.data()) ? 1 : 0;
        writer->write(image.label, pixels.data());
    }
    return writer;
}

}  // namespace

ImportPlan plan_import(const ImportSettings& settings) {
    const data::ImageSplit train = training_folder(settings);
    ImportPlan plan;
    for (const auto& c : train.classes) plan.class_names.push_back(c.name);
    const std::string test_dir = settings.root + "/test";
    if (!is_directory(test_dir)) {
        split_by_fraction(train, settings.val_split.value_or(kDefaultValSplit), settings.seed, plan);
        return plan;
    }
    if (settings.val_split)
        throw cli::UsageError("--val-split: " + test_dir + " is the test split already; leave out --val-split, or move " +
                              test_dir + " away to split the training images");
    split_by_folder(train, data::list_image_split(test_dir), plan);
    return plan;
}

long write_import(const ImportSettings& settings, const ImportPlan& plan) {
    const bool made_out = !is_directory(settings.out);
    long resized = 0;
    try {
        make_writable_dir(settings.out, "--out");
        const auto train = write_records(settings.out + "/train.statnn", settings, plan, plan.train, resized);
        const auto test = write_records(settings.out + "/test.statnn", settings, plan, plan.test, resized);
        train->commit();
        test->commit();
    } catch (...) {
        // The writers are gone with their temporary files by now; an empty folder made here goes too.
        if (made_out) ::rmdir(settings.out.c_str());
        throw;
    }
    return resized;
}

std::string import_summary(const ImportSettings& settings, const ImportPlan& plan, long resized) {
    const std::string test_from =
        plan.val_split ? number_text(*plan.val_split * 100) + "% of each class's training images (--val-split " +
                             number_text(*plan.val_split) + ", --seed " + std::to_string(settings.seed) + ")"
                       : settings.root + "/test";
    return "wrote " + settings.out + "/train.statnn (" + std::to_string(plan.train.size()) + " records) and " +
           settings.out + "/test.statnn (" + std::to_string(plan.test.size()) + " records) from " + settings.root +
           ": " + std::to_string(plan.class_names.size()) + " classes, images of " + data::shape_text(settings.shape) +
           " (height x width x channels)" + (resized ? ", " + std::to_string(resized) + " of them resized" : "") +
           "; test split: " + test_from;
}

}  // namespace statnn
