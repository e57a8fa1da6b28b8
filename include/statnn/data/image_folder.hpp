// statnn/data/image_folder.hpp — a dataset as a folder of image files, one sub-folder per
// class: <root>/train/<class>/<image> and, optionally, <root>/test/<class>/<image>.
//
// Training does not read such a folder directly: `<binary> import` decodes it once into
// statnn record files (statnn_records.hpp). This header finds and lists the files;
// decoding them is the program's (src/image_file.hpp). Classes are the sub-folders
// sorted by name and files within a class sorted by name (byte order, as strcmp), so
// that a listing, and an import, is the same on every machine. Images are the files
// named *.png, *.jpg, *.jpeg, *.ppm or *.pgm (any case); other files, entries whose name
// starts with '.', and folders inside a class folder are left out.
#pragma once

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "statnn/data/record_source.hpp"
#include "statnn/data/statnn_records.hpp"

namespace statnn::data {

// One class of an image folder.
struct ImageClass {
    std::string name;                // the sub-folder's name
    std::vector<std::string> files;  // the paths of its images, sorted by file name
};

// The classes of one split's folder (<root>/train or <root>/test), sorted by name.
struct ImageSplit {
    std::string dir;
    std::vector<ImageClass> classes;

    std::size_t images() const {
        std::size_t n = 0;
        for (const auto& c : classes) n += c.files.size();
        return n;
    }
};

namespace image_folder_detail {

inline bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

inline bool is_regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The entries of `dir` but hidden ones ('.', '..', '.DS_Store', ...), sorted by name.
// Throws DataError when it cannot be read.
inline std::vector<std::string> sorted_entries(const std::string& dir) {
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), &::closedir);
    if (!d) throw DataError(dir + ": cannot read the folder (" + std::strerror(errno) + ")");
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(d.get()))
        if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    std::sort(names.begin(), names.end());  // std::string's < compares bytes, as strcmp
    return names;
}

}  // namespace image_folder_detail

// True when `name` ends in .png, .jpg, .jpeg, .ppm or .pgm, in any case.
inline bool has_image_extension(const std::string& name) {
    const auto dot = name.find_last_of('.');
    if (dot == std::string::npos) return false;
    std::string ext = name.substr(dot + 1);
    for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext == "png" || ext == "jpg" || ext == "jpeg" || ext == "ppm" || ext == "pgm";
}

// The images directly in `dir`, sorted by name.
inline std::vector<std::string> image_files(const std::string& dir) {
    std::vector<std::string> files;
    for (const auto& name : image_folder_detail::sorted_entries(dir))
        if (has_image_extension(name) && image_folder_detail::is_regular_file(dir + "/" + name))
            files.push_back(dir + "/" + name);
    return files;
}

// True when `root` looks like an image folder: <root>/train holds a class folder with an
// image in it. Reads no further than the first such class folder.
inline bool is_image_folder(const std::string& root) {
    const std::string train = root + "/train";
    if (!image_folder_detail::is_directory(train)) return false;
    try {
        for (const auto& name : image_folder_detail::sorted_entries(train))
            if (image_folder_detail::is_directory(train + "/" + name) && !image_files(train + "/" + name).empty())
                return true;
    } catch (const DataError&) {
    }
    return false;
}

// The class folders of `dir` and their images. Throws DataError naming the folder when
// there is no class folder, a class folder holds no image, or its name cannot be a class
// name (class_name_problem).
inline ImageSplit list_image_split(const std::string& dir) {
    ImageSplit split;
    split.dir = dir;
    for (const auto& name : image_folder_detail::sorted_entries(dir)) {
        const std::string path = dir + "/" + name;
        if (!image_folder_detail::is_directory(path)) continue;
        if (auto problem = class_name_problem(name))
            throw DataError(path + ": the folder's name is a class name, and it " + *problem);
        ImageClass c{name, image_files(path)};
        if (c.files.empty()) throw DataError(path + ": no images (expected .png, .jpg, .jpeg, .ppm or .pgm files)");
        split.classes.push_back(std::move(c));
    }
    if (split.classes.empty())
        throw DataError(dir + ": no class folders (expected one folder of images per class, e.g. " + dir + "/cat/1.png)");
    return split;
}

}  // namespace statnn::data
