// statnn/train/test_time_augmentation.hpp — which views of each test image an evaluation
// scores: `evaluate --tta`, and the final evaluation of `train` (a recipe's choice).
#pragma once

namespace statnn {

enum class TestTimeAugmentation {
    None,
    Flip,           // the mean of the softmax of each image and of its mirror image
    FlipTranslate,  // airbench's six views: 1/2 for the image and its mirror, 1/2 for both moved by
                    // one pixel up-left and down-right (reflected border), each with its mirror
};

}  // namespace statnn
