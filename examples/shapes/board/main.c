/* main.c — the shapes network's C export on the board: one clean drawing of each shape,
   its predicted class and probabilities. The same file builds for the host, so the two
   outputs can be compared. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "shapes.h"

#define SIDE 16

static float arena[SHAPES_ARENA_BYTES / sizeof(float)];

static void draw(int shape, uint8_t image[SIDE * SIDE]) {
    int i;
    memset(image, 20, SIDE * SIDE);
    for (i = 3; i < 13; ++i) {
        if (shape == 0) image[8 * SIDE + i] = 230;
        if (shape == 1) image[i * SIDE + 8] = 230;
        if (shape == 2) image[i * SIDE + i] = 230;
        if (shape == 3) {
            image[3 * SIDE + i] = image[12 * SIDE + i] = 230;
            image[i * SIDE + 3] = image[i * SIDE + 12] = 230;
        }
    }
}

int main(void) {
    uint8_t image[SIDE * SIDE];
    float probs[SHAPES_CLASSES];
    int shape, c;
    for (shape = 0; shape < 4; ++shape) {
        draw(shape, image);
        printf("shape %d: class %d", shape, shapes_infer(image, probs, arena));
        for (c = 0; c < SHAPES_CLASSES; ++c) printf(" %.6f", (double)probs[c]);
        printf("\n");
    }
    return 0;
}
