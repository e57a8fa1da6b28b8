// statnn/data/cifar10.hpp — the CIFAR-10 binary version, streamed from disk.
//
// Files: data_batch_1..5.bin (training) and test_batch.bin, each a sequence of 3073-byte
// records: one label byte (0..9), then 1024 red, 1024 green and 1024 blue bytes
// (32x32, row-major). The set is validated when opened: every file present, a regular
// readable file, a non-empty whole number of records, every label in 0..9, and all files
// the same number of records, as CIFAR-10 ships them.
//
// The reader holds the record order of one epoch and two batch slots, never the data:
// a background thread reads the next batch (pread per record) and converts it to
// float / 255, channels-last, while the network trains on the current one. The order of
// epoch e is a seeded permutation that depends only on (seed, e), so a run resumed at any
// epoch sees the same batches as an uninterrupted one. A training reader may augment its
// images (augment.hpp: shifts and flips drawn from seed, epoch and record index, so
// resuming keeps them too), and any reader may normalise them (normalize.hpp); both run
// on the background thread. After construction, nothing is allocated.
#pragma once

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "statnn/data/augment.hpp"
#include "statnn/data/normalize.hpp"
#include "statnn/distributed.hpp"
#include "statnn/rng.hpp"

namespace statnn::data {

inline constexpr int kImageBytes = 3072;
inline constexpr int kRecordBytes = 3073;
inline constexpr int kClasses = 10;
inline constexpr int kPixels = 1024;
inline constexpr int kSide = 32;

// A problem with the data: the message names the file and the problem.
struct DataError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class Split { Train, Test };

// One record's pixels (R, G, B planes) to float / 255, channels-last (y, x, c).
// Division, not multiplication by 1/255, so the values are exactly float32(u8) / 255.
inline void record_to_float(const unsigned char* pixels, float* out) {
    for (int p = 0; p < kPixels; ++p)
        for (int c = 0; c < 3; ++c) out[p * 3 + c] = float(pixels[c * kPixels + p]) / 255.0f;
}

// A file descriptor that closes itself.
class FileHandle {
public:
    FileHandle() = default;
    explicit FileHandle(int fd) : fd_(fd) {}
    ~FileHandle() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileHandle(FileHandle&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    FileHandle& operator=(FileHandle&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    int get() const { return fd_; }

private:
    int fd_ = -1;
};

struct BatchFile {
    std::string path;
    long records = 0;
    FileHandle fd;
};

// The validated files of one split.
class Cifar10Set {
public:
    static std::vector<std::string> file_names(Split split) {
        if (split == Split::Test) return {"test_batch.bin"};
        return {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"};
    }

    // Opens and validates the files of `split` in `dir`. Throws DataError.
    Cifar10Set(const std::string& dir, Split split) : split_(split) {
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0)
            throw DataError(dir + (errno == ENOENT ? std::string(": no such directory (see --data)")
                                                   : ": cannot access (" + std::string(std::strerror(errno)) + ")"));
        if (!S_ISDIR(st.st_mode)) throw DataError(dir + ": not a directory (see --data)");
        for (const auto& name : file_names(split)) files_.push_back(open_file(dir + "/" + name));
        for (const auto& f : files_) records_ += f.records;
    }

    // All files of a CIFAR-10 set hold the same number of records; a file that differs
    // is truncated or from another dataset.
    static void check_same_size(const Cifar10Set& reference, const Cifar10Set& other) {
        const BatchFile& r = reference.files_.front();
        for (const auto& f : other.files_)
            if (f.records != r.records)
                throw DataError(f.path + ": " + std::to_string(f.records) + " records, but " + r.path + " has " +
                                std::to_string(r.records) + "; the files of a CIFAR-10 set all hold the same number");
    }

    long records() const { return records_; }
    Split split() const { return split_; }
    const std::vector<BatchFile>& files() const { return files_; }

    // Reads record `index` (file order) into `record` (3073 bytes). Throws DataError.
    void read_record(long index, unsigned char* record) const {
        for (const auto& f : files_) {
            if (index < f.records) {
                const off_t at = off_t(index) * kRecordBytes;
                long done = 0;
                while (done < kRecordBytes) {
                    const ssize_t n = ::pread(f.fd.get(), record + done, std::size_t(kRecordBytes - done), at + done);
                    if (n < 0 && errno == EINTR) continue;
                    if (n <= 0)
                        throw DataError(f.path + ": cannot read record " + std::to_string(index) +
                                        (n < 0 ? std::string(" (") + std::strerror(errno) + ")" : " (file shrank)"));
                    done += n;
                }
                if (record[0] >= kClasses)
                    throw DataError(f.path + ": record " + std::to_string(index) + " has label " +
                                    std::to_string(record[0]) + " (expected 0..9)");
                return;
            }
            index -= f.records;
        }
        throw DataError("record index out of range");
    }

private:
    static BatchFile open_file(const std::string& path) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            if (errno == ENOENT)
                throw DataError(path + ": missing (expected the CIFAR-10 binary version; see scripts/get-cifar10)");
            throw DataError(path + ": cannot access (" + std::strerror(errno) + ")");
        }
        if (S_ISDIR(st.st_mode)) throw DataError(path + ": is a directory, expected a file");
        if (!S_ISREG(st.st_mode)) throw DataError(path + ": not a regular file");
        BatchFile f;
        f.path = path;
        f.fd = FileHandle(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (f.fd.get() < 0) throw DataError(path + ": cannot open (" + std::strerror(errno) + ")");
        if (st.st_size == 0) throw DataError(path + ": empty file");
        if (st.st_size % kRecordBytes != 0)
            throw DataError(path + ": " + std::to_string(st.st_size) + " bytes is not a whole number of " +
                            std::to_string(kRecordBytes) + "-byte records");
        f.records = long(st.st_size / kRecordBytes);
        // Scan every label once, in chunks of whole records.
        constexpr long kChunkRecords = 512;
        std::vector<unsigned char> chunk(std::size_t(kChunkRecords) * kRecordBytes);
        for (long first = 0; first < f.records; first += kChunkRecords) {
            const long n = std::min(kChunkRecords, f.records - first);
            const std::size_t want = std::size_t(n) * kRecordBytes;
            std::size_t done = 0;
            while (done < want) {
                const ssize_t got = ::pread(f.fd.get(), chunk.data() + done, want - done, off_t(first) * kRecordBytes + off_t(done));
                if (got < 0 && errno == EINTR) continue;
                if (got <= 0)
                    throw DataError(path + ": cannot read (" + (got < 0 ? std::strerror(errno) : "unexpected end of file") + ")");
                done += std::size_t(got);
            }
            for (long r = 0; r < n; ++r) {
                const unsigned label = chunk[std::size_t(r) * kRecordBytes];
                if (label >= kClasses)
                    throw DataError(path + ": record " + std::to_string(first + r) + " has label " + std::to_string(label) +
                                    " (expected 0..9)");
            }
        }
        return f;
    }

    Split split_;
    std::vector<BatchFile> files_;
    long records_ = 0;
};

// Streams batches of one split. See the top of this file.
class Cifar10Reader {
public:
    // The first `limit` records (0 = all) of `set`, in batches of `batch` images,
    // augmented with `augment` (training sets only; the draws use `seed`) and normalised
    // with `normalization`. Throws std::invalid_argument for an augmentation of test
    // images or settings out of range.
    Cifar10Reader(const Cifar10Set& set, int batch, long limit, bool shuffle, std::uint64_t seed,
                  const Augmentation& augment = {}, const Normalization& normalization = {})
        : set_(set), batch_(batch), size_(limit > 0 && limit < set.records() ? limit : set.records()),
          shuffle_(shuffle), seed_(seed), augment_(augment), normalization_(normalization), order_(std::size_t(size_)),
          raw_(std::size_t(kRecordBytes)), slot_images_{std::vector<float>(std::size_t(batch) * kImageBytes),
                                                         std::vector<float>(std::size_t(batch) * kImageBytes)},
          slot_labels_{std::vector<std::int32_t>(std::size_t(batch)), std::vector<std::int32_t>(std::size_t(batch))} {
        if (batch <= 0) throw DataError("batch size must be positive");
        // Validation and test images are what a model is measured on: never altered.
        if (augment.enabled() && set.split() != Split::Train)
            throw std::invalid_argument("augmentation applies to training images only");
        check_augmentation(augment, kSide, kSide);
        check_normalization(normalization);
        for (auto& e : slot_errors_) e.reserve(512);
        worker_ = std::thread([this] { prefetch_loop(); });
    }

    ~Cifar10Reader() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        changed_.notify_all();
        worker_.join();
    }

    Cifar10Reader(const Cifar10Reader&) = delete;
    Cifar10Reader& operator=(const Cifar10Reader&) = delete;

    long size() const { return size_; }
    int batch() const { return batch_; }
    long batches_per_epoch() const { return (size_ + batch_ - 1) / batch_; }

    // Bytes this reader holds: the epoch order and the two batch slots.
    std::size_t buffer_bytes() const {
        return order_.size() * sizeof(std::uint32_t) + raw_.size() +
               2 * (slot_images_[0].size() * sizeof(float) + slot_labels_[0].size() * sizeof(std::int32_t));
    }

    // Starts epoch `epoch` (0-based) at batch `first_batch` and begins prefetching.
    void start_epoch(int epoch, long first_batch = 0) {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return !filling_; });  // the order must not change under the worker
        for (long i = 0; i < size_; ++i) order_[std::size_t(i)] = std::uint32_t(i);
        if (shuffle_) {
            Rng rng(splitmix64(seed_ ^ splitmix64(0xC1FA510ull + std::uint64_t(epoch))));
            for (long i = size_ - 1; i > 0; --i) std::swap(order_[std::size_t(i)], order_[rng.below(std::uint64_t(i) + 1)]);
        }
        for (auto& s : slot_state_) s = SlotState::Empty;
        epoch_ = std::uint32_t(epoch);
        next_to_fill_ = next_to_take_ = first_batch;
        active_ = true;
        changed_.notify_all();
    }

    // The order of the current epoch (record indices in file order).
    const std::vector<std::uint32_t>& order() const { return order_; }

    // Copies the next batch (channels-last floats / 255, int32 labels) and returns its
    // image count: `batch` except for the last batch of an epoch; 0 once the epoch is
    // done. Throws DataError if the data could not be read.
    int next(float* images, std::int32_t* labels) {
        ShardRows rows;
        return next_rows(images, labels, rows) ? rows.rows : 0;
    }

    // Data-parallel reading (distributed.hpp): every process walks the same global
    // batches and keeps only its share of each one's rows. Set before start_epoch.
    void set_shard(const BatchShard& shard) {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return !filling_; });
        shard_ = shard;
        for (auto& s : slot_state_) s = SlotState::Empty;
        active_ = false;
    }

    // The next global batch: this process's rows of it (at the start of images and
    // labels) and where they sit in the batch. False once the epoch is done. A share may
    // hold no rows (a last batch smaller than the number of processes).
    bool next_rows(float* images, std::int32_t* labels, ShardRows& rows) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!active_ || next_to_take_ >= batches_per_epoch()) return false;
        const int s = int(next_to_take_ % 2);
        changed_.wait(lock, [&] { return slot_state_[s] == SlotState::Ready || slot_state_[s] == SlotState::Failed; });
        if (slot_state_[s] == SlotState::Failed) {
            active_ = false;
            throw DataError(slot_errors_[s]);
        }
        const int n = slot_count_[s];
        std::memcpy(images, slot_images_[s].data(), std::size_t(n) * kImageBytes * sizeof(float));
        std::memcpy(labels, slot_labels_[s].data(), std::size_t(n) * sizeof(std::int32_t));
        rows = ShardRows{n, slot_first_[s], slot_total_[s]};
        slot_state_[s] = SlotState::Empty;
        ++next_to_take_;
        changed_.notify_all();
        return true;
    }

    const Cifar10Set& set() const { return set_; }
    const Augmentation& augmentation() const { return augment_; }

private:
    enum class SlotState { Empty, Filling, Ready, Failed };

    void prefetch_loop() {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            changed_.wait(lock, [&] {
                return stop_ || (active_ && next_to_fill_ < batches_per_epoch() &&
                                 slot_state_[next_to_fill_ % 2] == SlotState::Empty);
            });
            if (stop_) return;
            const long b = next_to_fill_;
            const int s = int(b % 2);
            slot_state_[s] = SlotState::Filling;
            filling_ = true;
            lock.unlock();
            bool ok = true;
            try {
                fill(b, s);
            } catch (const DataError& e) {
                slot_errors_[s].assign(e.what());
                ok = false;
            }
            lock.lock();
            filling_ = false;
            slot_state_[s] = ok ? SlotState::Ready : SlotState::Failed;
            ++next_to_fill_;
            changed_.notify_all();
        }
    }

    void fill(long b, int s) {
        const int total = int(std::min<long>(batch_, size_ - b * batch_));
        const long first = b * batch_ + shard_.begin(total);
        const int n = shard_.rows(total);
        for (int r = 0; r < n; ++r) {
            const std::uint32_t record = order_[std::size_t(first + r)];
            set_.read_record(long(record), raw_.data());
            slot_labels_[s][std::size_t(r)] = raw_[0];
            float* image = slot_images_[s].data() + std::size_t(r) * kImageBytes;
            if (augment_.enabled())
                transformed_image_to_float<kSide, kSide, 3>(raw_.data() + 1, draw_transform(augment_, seed_, epoch_, record), image,
                                                            augment_.reflect);
            else
                record_to_float(raw_.data() + 1, image);
            normalize_channels(image, kPixels, normalization_);
        }
        slot_count_[s] = n;
        slot_first_[s] = shard_.begin(total);
        slot_total_[s] = total;
    }

    const Cifar10Set& set_;
    const int batch_;
    const long size_;
    const bool shuffle_;
    const std::uint64_t seed_;
    const Augmentation augment_;
    const Normalization normalization_;
    std::uint32_t epoch_ = 0;  // of the order; set with it, read by the worker
    std::vector<std::uint32_t> order_;
    std::vector<unsigned char> raw_;
    std::vector<float> slot_images_[2];
    std::vector<std::int32_t> slot_labels_[2];
    int slot_count_[2] = {0, 0};
    int slot_first_[2] = {0, 0}, slot_total_[2] = {0, 0};
    BatchShard shard_{};
    SlotState slot_state_[2] = {SlotState::Empty, SlotState::Empty};
    std::string slot_errors_[2];
    std::mutex mutex_;
    std::condition_variable changed_;
    long next_to_fill_ = 0, next_to_take_ = 0;
    bool active_ = false, filling_ = false, stop_ = false;
    std::thread worker_;
};

// Class names from batches.meta.txt when it is there and sane, else CIFAR-10's.
inline std::vector<std::string> class_names(const std::string& dir) {
    std::vector<std::string> names = {"airplane", "automobile", "bird", "cat", "deer",
                                      "dog", "frog", "horse", "ship", "truck"};
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen((dir + "/batches.meta.txt").c_str(), "r"), &std::fclose);
    if (!f) return names;
    std::vector<std::string> read;
    char line[128];
    while (read.size() < 11 && std::fgets(line, sizeof line, f.get())) {
        std::string s(line);
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
        if (!s.empty()) read.push_back(s);
    }
    bool ok = read.size() == std::size_t(kClasses);
    for (const auto& s : read)
        for (char c : s) ok = ok && c >= 32 && c < 127;
    return ok ? read : names;
}

}  // namespace statnn::data
