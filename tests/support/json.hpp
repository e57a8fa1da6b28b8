// tests/support/json.hpp — the JSON reader of src/json.hpp, under the name the golden
// tests use (statnn::test::Json).
#pragma once

#include "../../src/json.hpp"

namespace statnn::test {

using Json = statnn::Json;

}  // namespace statnn::test
