// tests/catch.hpp — the one place that names the Catch2 header (v2 single header).
#pragma once
#include <catch2/catch.hpp>
