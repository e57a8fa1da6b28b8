// src/run_folder.hpp — what `train` keeps in its run folder besides the reports: the
// folder's lock, run.json (the run's recipe, data and sessions, read by `compare`) and
// the folders of kept epochs.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "cli.hpp"
#include "statnn/data/augment.hpp"
#include "statnn/data/dataset_description.hpp"
#include "statnn/data/normalize.hpp"
#include "statnn/io/atomic_file.hpp"
#include "statnn/io/checkpoint.hpp"

namespace statnn {

// Another process holds the run folder.
struct RunFolderBusy : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline bool directory_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// An exclusive flock on <dir>/.lock for as long as the object lives. The kernel drops it
// when the process ends, however it ends, so a killed run never leaves the folder
// locked. The file itself stays: removing it would let a third process lock a new file
// while a second still holds the old one. The holder writes its process id into it, for
// the message of the run that is refused.
class RunFolderLock {
public:
    RunFolderLock() = default;
    // Throws RunFolderBusy if another process holds the lock, cli::UsageError if the lock
    // file cannot be created. `flag` names the folder in messages ("--out").
    RunFolderLock(const std::string& dir, const std::string& flag) {
        const std::string path = dir + "/.lock";
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) throw cli::UsageError(flag + " " + dir + ": not writable (" + std::strerror(errno) + ")");
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            char holder[32] = {};
            const ssize_t n = ::pread(fd_, holder, sizeof holder - 1, 0);
            ::close(fd_);
            fd_ = -1;
            if (error != EWOULDBLOCK)
                throw std::runtime_error(flag + " " + dir + ": cannot lock " + path + " (" + std::strerror(error) + ")");
            const long pid = n > 0 ? std::strtol(holder, nullptr, 10) : 0;
            throw RunFolderBusy(flag + " " + dir + ": another train run is using it (" +
                                (pid > 0 ? "pid " + std::to_string(pid) + ", " : std::string()) + "lock " + path + ")");
        }
        const std::string pid = std::to_string(::getpid()) + "\n";
        if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
            // The pid is a courtesy for the message above; the lock is what matters.
        }
    }
    ~RunFolderLock() {
        if (fd_ >= 0) ::close(fd_);  // releases the flock
    }
    RunFolderLock(RunFolderLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    RunFolderLock& operator=(RunFolderLock&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    bool held() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

// ---- run.json ------------------------------------------------------------------

// "2026-12-02T17:50:00Z"
inline std::string utc_timestamp() {
    char buf[32];
    const std::time_t t = std::time(nullptr);
    std::tm utc {};
    ::gmtime_r(&t, &utc);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buf;
}

// The CPU's model name from /proc/cpuinfo ("AMD EPYC 9R14 96-Core Processor"), or
// "unknown" where it has none (many ARM kernels).
inline std::string cpu_model_name() {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("model name", 0) != 0) continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(colon + 1);
        const auto first = name.find_first_not_of(" \t");
        const auto last = name.find_last_not_of(" \t\r");
        if (first != std::string::npos) return name.substr(first, last - first + 1);
    }
    return "unknown";
}

inline std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += char(c);
                }
        }
    }
    return out + "\"";
}

// The shortest of %.15g, %.16g, %.17g that reads back as the same double: 0.01 stays
// "0.01", 1e-6 "1e-06".
inline std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[40];
    for (int digits = 15; digits <= 17; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

// The shortest of %.6g to %.9g that reads back as the same float: 0.4914f stays "0.4914".
inline std::string json_float(float v) {
    if (!std::isfinite(v)) return "null";
    char buf[32];
    for (int digits = 6; digits <= 9; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, double(v));
        if (std::strtof(buf, nullptr) == v) break;
    }
    return buf;
}

// What run.json says about a run (docs/usage.md, "train").
struct RunInfo {
    std::string model, title;
    std::int64_t parameters = 0;
    int batch = 0;
    std::uint64_t seed = 1;
    RecipeSettings recipe;  // optimizer, schedule, loss
    data::Augmentation augment;
    long train_images = 0, val_images = 0;
    std::string data;
    data::DatasetDescription dataset;  // the data's format, record shape and classes
    data::Normalization normalization;
    int epochs_planned = 0;
    std::vector<std::uint32_t> keep_epochs;
    std::vector<io::TrainingSession> sessions;
    std::string init_from;               // train --init-from ("": none)
    std::vector<std::uint32_t> classes;  // train --classes (empty: all)
    std::int64_t per_class = 0;          // train --per-class (0: all)
};

// Version 2: the optimizer's own fields, the schedule (with the learning rate) and the loss
// apart; version 1 had one Keras SGD object with lr and decay in it.
inline constexpr int kRunJsonVersion = 2;

// {"format": "CIFAR-10 binary", "height": 32, "width": 32, "channels": 3, "classes": 10, "class_names": [...]}
inline std::string dataset_json(const data::DatasetDescription& d) {
    std::string names;
    for (std::size_t k = 0; k < d.class_names.size(); ++k) names += (k ? ", " : "") + json_string(d.class_names[k]);
    return "{\"format\": " + json_string(d.format) + ", \"height\": " + std::to_string(d.shape.height) +
           ", \"width\": " + std::to_string(d.shape.width) + ", \"channels\": " + std::to_string(d.shape.channels) +
           ", \"classes\": " + std::to_string(d.classes) + ", \"class_names\": [" + names + "]}";
}

// {"mode": "off"}, or the mode ("recipe", "training-data") and one mean and deviation per channel.
inline std::string normalization_json(const data::Normalization& n) {
    if (!n.enabled) return "{\"mode\": \"off\"}";
    std::string mean, stddev;
    for (int c = 0; c < n.channels && c < data::kMaxNormalizedChannels; ++c) {
        mean += (c ? ", " : "") + json_float(n.mean[c]);
        stddev += (c ? ", " : "") + json_float(n.stddev[c]);
    }
    const char* mode = n.source == data::NormalizationSource::TrainingData ? "training-data" : "recipe";
    return std::string("{\"mode\": \"") + mode + "\", \"mean\": [" + mean + "], \"stddev\": [" + stddev + "]}";
}

inline std::string run_json(const RunInfo& r) {
    std::string j = "{\n";
    auto field = [&](const char* key, const std::string& value, bool last = false) {
        j += std::string("  \"") + key + "\": " + value + (last ? "\n" : ",\n");
    };
    field("format", json_string("statnn-run"));
    field("version", std::to_string(kRunJsonVersion));
    field("model", json_string(r.model));
    field("title", json_string(r.title));
    field("parameters", std::to_string(r.parameters));
    field("batch", std::to_string(r.batch));
    field("seed", std::to_string(r.seed));
    auto part = [](const PartSettings& p) {
        std::string o = "{\"kind\": " + json_string(p.kind);
        for (const NamedValue& f : p.fields) o += ", " + json_string(f.name) + ": " + json_number(f.value);
        return o + "}";
    };
    // Version 1 had the optimizer only (Keras SGD: momentum, nesterov; lr and decay in it
    // too). Its fields now are the optimizer's own; the learning rate is the schedule's.
    field("optimizer", part(r.recipe.optimizer));
    field("schedule", part(r.recipe.schedule));
    field("loss", part(r.recipe.loss));
    // Added within version 1: a run.json without it is a run without augmentation.
    field("augment", "{\"pad\": " + std::to_string(r.augment.pad) + ", \"flip\": " + (r.augment.flip ? "true" : "false") +
                         ", \"border\": \"" + (r.augment.reflect ? "reflect" : "zero") + "\"}");
    field("train_images", std::to_string(r.train_images));
    field("val_images", std::to_string(r.val_images));
    field("data", json_string(r.data));
    // Added within version 2: what the data was and how its images were normalised.
    field("dataset", dataset_json(r.dataset));
    field("normalization", normalization_json(r.normalization));
    // Added within version 2: where the first weights came from, which classes and how many images of each.
    field("init_from", json_string(r.init_from));
    std::string classes = "[";
    for (std::size_t i = 0; i < r.classes.size(); ++i) classes += (i ? ", " : "") + std::to_string(r.classes[i]);
    field("classes", classes + "]");
    field("per_class", std::to_string(r.per_class));
    field("epochs_planned", std::to_string(r.epochs_planned));
    std::string kept = "[";
    for (std::size_t i = 0; i < r.keep_epochs.size(); ++i) kept += (i ? ", " : "") + std::to_string(r.keep_epochs[i]);
    field("keep_epochs", kept + "]");
    std::string sessions = "[";
    for (std::size_t i = 0; i < r.sessions.size(); ++i) {
        const auto& s = r.sessions[i];
        sessions += std::string(i ? "," : "") + "\n    {\"started\": " + json_string(s.started) +
                    ", \"first_epoch\": " + std::to_string(s.first_epoch) + ", \"machine\": " + json_string(s.machine) +
                    ", \"cores\": " + std::to_string(s.cores) + ", \"simd\": " + json_string(s.simd) +
                    ", \"threads\": " + std::to_string(s.threads) + "}";
    }
    field("sessions", sessions + (r.sessions.empty() ? "]" : "\n  ]"), true);
    return j + "}\n";
}

// ---- kept epochs ---------------------------------------------------------------

// <out>/epoch-007
inline std::string kept_epoch_dir(const std::string& out, int epoch) {
    char name[32];
    std::snprintf(name, sizeof name, "/epoch-%03d", epoch);
    return out + name;
}

// Creates `dir` if it is missing. Throws io::IoError.
inline void make_dir(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0755) != 0 && !(errno == EEXIST && directory_exists(dir)))
        throw io::IoError(io::errno_message(dir, "cannot create the folder"));
}

}  // namespace statnn
