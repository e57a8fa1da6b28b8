// statnn/statnn.hpp — everything needed to define, train and run a network.
#pragma once

#include "statnn/config.hpp"
#include "statnn/network.hpp"
#include "statnn/optim/sgd.hpp"
#include "statnn/summary.hpp"
