// tests/main.cpp — Catch2's main, built here so cross builds need no prebuilt library.
#define CATCH_CONFIG_MAIN
#include "catch.hpp"
