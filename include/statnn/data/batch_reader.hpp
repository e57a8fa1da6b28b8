// statnn/data/batch_reader.hpp — batches of any RecordSource, streamed from disk.
//
// The reader holds the record order of one epoch, never the data: a background thread
// reads the next batch (record by record) and converts it to float / 255, channels-last,
// while the network trains on the current one. The order of epoch e is a seeded
// permutation that depends only on (seed, e), so a run resumed at any epoch sees the
// same batches as an uninterrupted one. A training reader may augment its images
// (augment.hpp: shifts and flips drawn from seed, epoch and record index, so resuming
// keeps them too), and any reader may normalise them (normalize.hpp); both run on the
// background thread. With several processes (distributed.hpp) each reads only its rows
// of every global batch.
//
// Its two batch slots are caller-owned memory sized at compile time (BatchSlots): after
// construction the reader allocates nothing. The file format is the RecordSource's
// business; the image shape and the largest batch a process holds are the network's.
#pragma once

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "statnn/data/augment.hpp"
#include "statnn/data/image_bytes.hpp"
#include "statnn/data/normalize.hpp"
#include "statnn/data/record_source.hpp"
#include "statnn/distributed.hpp"
#include "statnn/rng.hpp"

namespace statnn::data {

// Two batches of at most Batch images of shape Image (channels-last floats) and their
// labels: the reader fills one while the caller trains on the other.
template <class Image, int Batch>
struct BatchSlots {
    static_assert(Batch > 0, "BatchSlots: the batch must hold at least one image");
    std::array<std::array<float, std::size_t(Batch) * Image::size>, 2> images;
    std::array<std::array<std::int32_t, std::size_t(Batch)>, 2> labels;
};

// Streams batches of `Image`s, at most `Capacity` of them per process. See the top of this file.
template <class Image, int Capacity>
class BatchReader {
public:
    using Slots = BatchSlots<Image, Capacity>;

    // The first `limit` records (0 = all) of `source` in global batches of `batch`
    // images, augmented with `augment` (training sets only; the draws use `seed`) and
    // normalised with `normalization`. Throws DataError for records of another shape
    // and std::invalid_argument for settings out of range.
    BatchReader(const RecordSource& source, Slots& slots, int batch, long limit, bool shuffle, std::uint64_t seed,
                const Augmentation& augment = {}, const Normalization& normalization = {})
        : source_(source), slots_(slots), batch_(batch),
          size_(limit > 0 && limit < source.records() ? limit : source.records()), shuffle_(shuffle), seed_(seed),
          augment_(augment), normalization_(normalization), order_(std::size_t(size_)), raw_(Image::size) {
        if (batch <= 0) throw DataError("batch size must be positive");
        const RecordShape want{Image::C, Image::H, Image::W};
        if (source.shape() != want)
            throw DataError("records of " + shape_text(source.shape()) + " pixels, but the network takes " + shape_text(want));
        // Validation and test images are what a model is measured on: never altered.
        if (augment.enabled() && source.split() != Split::Train)
            throw std::invalid_argument("augmentation applies to training images only");
        check_augmentation(augment, Image::H, Image::W);
        check_normalization(normalization, Image::C);
        for (auto& e : slot_errors_) e.reserve(512);
        worker_ = std::thread([this] { prefetch_loop(); });
    }

    ~BatchReader() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        changed_.notify_all();
        worker_.join();
    }

    BatchReader(const BatchReader&) = delete;
    BatchReader& operator=(const BatchReader&) = delete;

    long size() const { return size_; }
    int batch() const { return batch_; }
    long batches_per_epoch() const { return (size_ + batch_ - 1) / batch_; }

    // Bytes this reader holds besides the caller's slots: the epoch order and one record.
    std::size_t buffer_bytes() const { return order_.size() * sizeof(std::uint32_t) + raw_.size(); }

    // Starts epoch `epoch` (0-based) at batch `first_batch` and begins prefetching.
    void start_epoch(int epoch, long first_batch = 0) {
        check_fits(shard_, batch_);
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

    // Copies the next batch (channels-last floats, int32 labels) and returns its image
    // count: `batch` except for the last batch of an epoch; 0 once the epoch is done.
    // Throws DataError if the data could not be read.
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
        std::memcpy(images, slots_.images[std::size_t(s)].data(), std::size_t(n) * Image::size * sizeof(float));
        std::memcpy(labels, slots_.labels[std::size_t(s)].data(), std::size_t(n) * sizeof(std::int32_t));
        rows = ShardRows{n, slot_first_[s], slot_total_[s]};
        slot_state_[s] = SlotState::Empty;
        ++next_to_take_;
        changed_.notify_all();
        return true;
    }

    const RecordSource& source() const { return source_; }
    const Augmentation& augmentation() const { return augment_; }

private:
    enum class SlotState { Empty, Filling, Ready, Failed };

    // A process's share of a global batch must fit the slots (checked when an epoch
    // starts: the shard is set after construction).
    static void check_fits(const BatchShard& shard, int batch) {
        int most = 0;
        for (int r = 0; r < shard.ranks; ++r) most = std::max(most, BatchShard{r, shard.ranks}.rows(batch));
        if (most > Capacity)
            throw std::invalid_argument("a batch of " + std::to_string(batch) + " images over " +
                                        std::to_string(shard.ranks) + " process(es) gives one process " +
                                        std::to_string(most) + " rows; the reader holds at most " +
                                        std::to_string(Capacity));
    }

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
            float* image = slots_.images[std::size_t(s)].data() + std::size_t(r) * Image::size;
            source_.read(long(record), raw_.data(), slots_.labels[std::size_t(s)][std::size_t(r)]);
            to_float(record, image);
        }
        slot_count_[s] = n;
        slot_first_[s] = shard_.begin(total);
        slot_total_[s] = total;
    }

    // One record's bytes (raw_) as the network's input: augmented, then normalised.
    void to_float(std::uint32_t record, float* image) const {
        constexpr std::size_t kPixels = std::size_t(Image::H) * Image::W;
        if (augment_.enabled())
            transformed_image_to_float<Image::H, Image::W, Image::C>(raw_.data(), draw_transform(augment_, seed_, epoch_, record),
                                                                     image, augment_.reflect);
        else
            planes_to_float(raw_.data(), image, kPixels, Image::C);
        normalize_channels(image, kPixels, Image::C, normalization_);
    }

    const RecordSource& source_;
    Slots& slots_;
    const int batch_;
    const long size_;
    const bool shuffle_;
    const std::uint64_t seed_;
    const Augmentation augment_;
    const Normalization normalization_;
    std::uint32_t epoch_ = 0;  // of the order; set with it, read by the worker
    std::vector<std::uint32_t> order_;
    std::vector<unsigned char> raw_;
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

}  // namespace statnn::data
