// tests/data/test_class_selection.cpp — a dataset narrowed to some classes and a few training
// images per class (statnn/data/class_selection.hpp), over any RecordSource: the records
// kept, their new labels, the seeded choice of --per-class, and what is refused.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "catch.hpp"
#include "statnn/data/class_selection.hpp"
#include "statnn/data/dataset.hpp"
#include "support/cifar_files.hpp"

using namespace statnn;
using namespace statnn::data;

namespace {

// Records whose label is given, one pixel byte each holding the record's index.
class Labelled : public RecordSource {
public:
    Labelled(std::vector<int> labels, int classes, Split split) : labels_(std::move(labels)), classes_(classes), split_(split) {}
    long records() const override { return long(labels_.size()); }
    RecordShape shape() const override { return {1, 1, 1}; }
    int classes() const override { return classes_; }
    Split split() const override { return split_; }
    void read(long index, unsigned char* pixels, std::int32_t& label) const override {
        pixels[0] = static_cast<unsigned char>(index);
        label = labels_[std::size_t(index)];
    }
    std::string record_name(long index) const override { return "labelled: record " + std::to_string(index); }

private:
    std::vector<int> labels_;
    int classes_;
    Split split_;
};

// 100 records: label i % 10 for record i.
std::unique_ptr<RecordSource> hundred(Split split = Split::Train) {
    std::vector<int> labels;
    for (int i = 0; i < 100; ++i) labels.push_back(i % 10);
    return std::make_unique<Labelled>(labels, 10, split);
}

// The index (first pixel byte) and label of every record of a source.
std::vector<std::pair<int, int>> contents(const RecordSource& s) {
    std::vector<std::pair<int, int>> all;
    unsigned char pixel = 0;
    for (long i = 0; i < s.records(); ++i) {
        std::int32_t label = -1;
        s.read(i, &pixel, label);
        all.push_back({int(pixel), int(label)});
    }
    return all;
}

}  // namespace

TEST_CASE("selected classes: their records only, relabelled in the order given, in file order", "[data][classes]") {
    const auto selected = select_records(hundred(), ClassSelection{{7, 2, 5}, 0, 1});
    CHECK(selected->classes() == 3);
    CHECK(selected->records() == 30);
    CHECK(selected->shape() == RecordShape{1, 1, 1});
    const auto all = contents(*selected);
    int previous = -1;
    for (const auto& [index, label] : all) {
        INFO("record " << index);
        CHECK(index > previous);  // file order
        previous = index;
        const int old = index % 10;
        CHECK(label == (old == 7 ? 0 : old == 2 ? 1 : 2));
        CHECK((old == 7 || old == 2 || old == 5));
    }
    CHECK(selected->record_name(0) == "labelled: record 2");
    CHECK(selected_names({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, ClassSelection{{7, 2, 5}, 0, 1}) ==
          std::vector<std::string>{"h", "c", "f"});
}

TEST_CASE("per class: the first N of each class in the seed's order, and all of the test split", "[data][classes]") {
    const auto a = select_records(hundred(), ClassSelection{{}, 3, 1});
    CHECK(a->classes() == 10);
    CHECK(a->records() == 30);
    std::map<int, int> per_label;
    for (const auto& [index, label] : contents(*a)) {
        ++per_label[label];
        CHECK(label == index % 10);  // no classes given: labels as they were
    }
    for (int c = 0; c < 10; ++c) CHECK(per_label[c] == 3);
    // The same seed keeps the same records, another seed others; a class with fewer keeps all.
    CHECK(contents(*select_records(hundred(), ClassSelection{{}, 3, 1})) == contents(*a));
    CHECK(contents(*select_records(hundred(), ClassSelection{{}, 3, 2})) != contents(*a));
    CHECK(select_records(hundred(), ClassSelection{{4, 1}, 25, 1})->records() == 20);
    // With classes: N of each kept class.
    const auto b = select_records(hundred(), ClassSelection{{9, 0}, 4, 5});
    CHECK(b->records() == 8);
    // The test split keeps every record of the kept classes.
    CHECK(select_records(hundred(Split::Test), ClassSelection{{9, 0}, 4, 5})->records() == 20);
    // No selection: the source itself.
    CHECK(select_records(hundred(), ClassSelection{})->records() == 100);
}

TEST_CASE("selected classes over a CIFAR-10 folder: the dataset's splits and names", "[data][classes][cifar10]") {
    statnn::test::TempDir dir;
    statnn::test::write_cifar_set(dir.path(), 40);  // 200 training records, 40 test records, labels (3 i) % 10
    DataOptions options;
    options.selection = {{3, 9}, 5, 7};
    const Dataset d(dir.path(), options);
    CHECK(d.whole_classes == 10);
    CHECK(d.train->classes() == 2);
    CHECK(d.train->records() == 10);
    CHECK(d.test->records() == 8);
    CHECK(d.class_names == std::vector<std::string>{"cat", "truck"});
    std::vector<unsigned char> pixels(d.train->shape().bytes());
    std::set<int> labels;
    for (long i = 0; i < d.train->records(); ++i) {
        std::int32_t label = -1;
        d.train->read(i, pixels.data(), label);
        labels.insert(label);
    }
    CHECK(labels == std::set<int>{0, 1});
}

TEST_CASE("selections that cannot apply are refused, naming the class", "[data][classes][errors]") {
    CHECK(selection_problem({{3, 10}, 0, 1}, 10) == "class 10 is not one of the data's 10 (0..9)");
    CHECK(selection_problem({{3, 4, 3}, 0, 1}, 10) == "class 3 is given twice");
    CHECK(selection_problem({{0, 9}, 5, 1}, 10).empty());
    CHECK_THROWS_WITH(SelectedRecords(hundred(), ClassSelection{{12}, 0, 1}),
                      "selecting classes: class 12 is not one of the data's 10 (0..9)");
}
