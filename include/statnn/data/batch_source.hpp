// statnn/data/batch_source.hpp — what training and evaluation read batches from.
//
// A batch source hands out the batches of one epoch after another into memory the
// caller owns (the network's input and labels), in an order fixed by the epoch:
//
//   long size() const;                    images per epoch
//   long batches_per_epoch() const;
//   void start_epoch(int epoch, long first_batch = 0);
//   bool next_rows(float* images, std::int32_t* labels, ShardRows& rows);
//   int next(float* images, std::int32_t* labels);   rows of the next batch, 0 at the end
//
// BatchReader (batch_reader.hpp) is the one the program uses, over any RecordSource;
// tests may pass anything of this shape. The trainer names no file format.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

#include "statnn/distributed.hpp"

namespace statnn::data {

template <class S, class = void>
struct is_batch_source : std::false_type {};

template <class S>
struct is_batch_source<
    S, std::void_t<decltype(std::declval<const S&>().size()), decltype(std::declval<const S&>().batches_per_epoch()),
                   decltype(std::declval<S&>().start_epoch(0, 0L)),
                   decltype(std::declval<S&>().next_rows(std::declval<float*>(), std::declval<std::int32_t*>(),
                                                         std::declval<ShardRows&>())),
                   decltype(std::declval<S&>().next(std::declval<float*>(), std::declval<std::int32_t*>()))>>
    : std::true_type {};

template <class S>
inline constexpr bool is_batch_source_v = is_batch_source<S>::value;

}  // namespace statnn::data
