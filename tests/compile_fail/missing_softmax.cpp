// A network to train must end in Softmax (softmax + categorical cross-entropy).
// expect: Network: the last layer must be Softmax
#include "statnn/network.hpp"
using namespace statnn;
#ifdef STATNN_WRONG
using Net = Sequential<Input<3, 8, 8>, Flatten, Dense<10>>;
#else
using Net = Sequential<Input<3, 8, 8>, Flatten, Dense<10>, Softmax>;
#endif
int main() { return int(Network<Net, 2>::kArenaBytes == 0); }
