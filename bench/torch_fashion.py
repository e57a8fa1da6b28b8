#!/usr/bin/python3
"""fashion in PyTorch (CPU, float32 or --bf16): the twin of statnn's targets/fashion.hpp.

statnn's fashion is measured against this script for accuracy and speed, so it computes
what statnn's recipe computes rather than what PyTorch would by default. The recipe is
fastcifar's (targets/fastcifar.hpp, bench/torch_fastcifar.py) fitted to one grey channel;
its numbers are the constants at the top of this file, to be changed in one place when
targets/fashion.hpp changes:

  input     Fashion-MNIST idx files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
            t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, plain or .gz; the plain file
            when both are there, as statnn reads them): 60,000 training and 10,000 test
            images of 1 x 28 x 28 bytes, 10 classes. Pixels float32(byte) / 255, nothing
            else (NORMALISE = False; with True, (x - MEAN) / STD as fastcifar's inputs)
  network   stem conv3x3 (padding 1, no bias) 1->16 -> BN -> GELU (erf) at 28x28; three
            blocks conv3x3 (no bias) -> max-pool 2 -> BN -> GELU -> conv3x3 (no bias) ->
            BN -> GELU of widths 64, 128, 256 (28 -> 14 -> 7 -> 3 pixels); max-pool 3;
            linear 256->10 (bias); logits x 1/9. About 63 M multiply-adds per image
            forward. Everything trains, so the stem computes no input gradient.
  BN        eps 1e-12, PyTorch momentum 0.4, scale frozen at 1 (not trained), shift trained
  weights   convolutions, the stem included: PyTorch's default, then the first in_channels
            filters an identity (nn.init.dirac_ on w[:in_channels]; statnn's
            PartialIdentityInit, whose identities are the first min(C, F) filters: the
            stem's first filter is the centre tap); linear: glorot-uniform, zero bias
  loss      mean cross-entropy against targets smoothed by 0.2; evaluation unsmoothed
  SGD       torch.optim.SGD, Nesterov momentum 0.85, L2 weight decay 1.949e-6, batch 1024 (the last batch
            of an epoch partial); BN shifts at 64x the learning rate and 1/64 the decay
  schedule  lr_t = 1.5 * f(t), t = updates already applied; W warm-up steps of T:
              t < W:       f = 0.2 + 0.8 * t / W
              W <= t < T:  f = 1 + (0.07 - 1) * (t - W) / (T - W)
              t >= T:      f = 0.07
            The recipe is written for 10 epochs of 60,000 images: T = 10 * 59 = 590,
            W = 590*23 // 100 = 135. Another run length T keeps that share:
            W = llround(135 / 590 * T) (at most T - 1), as statnn's fit_schedule_to_run.
  lookahead statnn's optim/lookahead.hpp (bench/torch_fastcifar.py has no Lookahead; this
            script implements it from that header): with T the run's steps, before the
            first update the average a = w; after update t (s = t + 1), when s % 5 == 0 or
            s == T:
              d = 1 if s >= T else 0.77378094 * (s / T)^3     (0.77378094 = 0.95^5)
              a = a + (1 - d) * (w - a);   w = a
            over every trained tensor (BN running statistics are not averaged). The last
            update (s == T, d = 1) leaves w = a: the run ends on the average, and the
            updates after the last multiple of 5 are dropped. A run of fewer than 5 steps
            therefore ends on its initial weights.
  augment   training only, drawn afresh each epoch: a shift by dx, dy uniform in -2..2 with
            the image's border pixels mirrored in (reflect padding), then a left-right mirror
            with probability 1/2. --pad-fill black moves in black (0 byte) pixels, --pad-fill
            mean pads with 0 after normalising (the mean, when NORMALISE).
  shuffle   a new permutation of the training set every epoch

statnn's shuffle and augmentation draw from its own counter-based streams; here both come
from a torch.Generator seeded with --seed, so runs agree in distribution, not image by image.

Modes (--mode):
  train              --epochs of training, each followed by loss and accuracy on the test set
  train-throughput   images/s of whole training steps (forward, backward, SGD and Lookahead
                     update), after --warmup untimed steps; uniform-noise images unless
                     --data is given
  infer-throughput   images/s of forward passes with softmax, eval mode, no gradients
--bf16 runs forward and loss under torch.autocast("cpu", dtype=torch.bfloat16) (weights,
gradients and updates stay float32): PyTorch at its best on a CPU with AVX512_BF16.

Prints one JSON object on one line on stdout; the train mode also prints each epoch's
record on stderr as it finishes. The train mode's "epochs" is the list of those records,
as bench/compare_accuracy.sh reads it (TORCH_PEER=bench/torch_fashion.py, model fashion).
Run it with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import contextlib
import gzip
import json
import math
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# The machine-load and thread-pool helpers are the seed models' peer's, the logit scale and
# memory-format helper fastcifar's peer's.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_cifar import CpuWatch, limit_openblas_threads, positive_int  # noqa: E402
from torch_fastcifar import Scale, to_layout  # noqa: E402

# ---------------------------------------------------------------------------------------
# The target (targets/fashion.hpp): change these with it
# ---------------------------------------------------------------------------------------
CLASSES = 10
IMAGE_SHAPE = (1, 28, 28)
TRAIN_IMAGES = 60000  # the recipe's steps are counted for these (kFashionSteps)
TEST_IMAGES = 10000
DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist
NORMALISE = False  # the current recipe feeds byte / 255; True: (x - MEAN) / STD per channel
MEAN = (0.2860,)  # Fashion-MNIST's training images (byte / 255)
STD = (0.3530,)

STEM_WIDTH = 16
WIDTHS = (64, 128, 256)  # FashionNetOf<STEM_WIDTH, *WIDTHS>
BATCH = 1024  # kFashionBatch
EPOCHS = 10  # kFashionEpochs
PEAK_LR = 1.5
MOMENTUM = 0.85
WEIGHT_DECAY_AT_1024 = 1.949e-6  # kFashionRecipe's, whatever the batch
LABEL_SMOOTHING = 0.2
START_FACTOR = 0.2
END_FACTOR = 0.07
WARMUP_PERCENT = 23  # warm-up steps = recipe steps * 23 / 100 (integer division)
PAD = 2  # largest shift in pixels
FLIP = True  # mirror left to right with probability 1/2
BN_EPS = 1e-12
BN_MOMENTUM = 0.4
LOGIT_SCALE = 1.0 / 9.0
SHIFT_LR_SCALE = 64.0  # BatchNorm shifts: 64x the learning rate ...
SHIFT_DECAY_SCALE = 1.0 / 64.0  # ... and 1/64 the weight decay
LOOKAHEAD_EVERY = 5
LOOKAHEAD_DECAY = 0.77378094  # 0.95^5
LOOKAHEAD_POWER = 3.0
# statnn's frozen BatchNorm scale is a parameter with a zero gradient, so its L2 weight
# decay still shrinks it a little (to about 0.99 over a run) and Lookahead averages it;
# True reproduces that, False (the intent, and fastcifar's peer) keeps it at exactly 1.
FROZEN_SCALE_DECAYS = False
REACHED_LEVELS = (0.90, 0.93)  # "time_to_90", "time_to_93": training seconds to these test accuracies

IMAGE_MAGIC = 0x00000803  # 2051: unsigned bytes, 3 dimensions
LABEL_MAGIC = 0x00000801  # 2049: unsigned bytes, 1 dimension
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def recipe_steps(batch):
    """The steps the recipe is written for: EPOCHS epochs of TRAIN_IMAGES images."""
    return EPOCHS * ((TRAIN_IMAGES + batch - 1) // batch)


def weight_decay(batch):
    return WEIGHT_DECAY_AT_1024


def default_data_dir():
    return os.environ.get("FASHION_MNIST_DIR") or DEFAULT_DATA_DIR


# ---------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------
def batch_norm(width):
    bn = nn.BatchNorm2d(width, eps=BN_EPS, momentum=BN_MOMENTUM)
    # Scale frozen at 1: only the shift is trained (see FROZEN_SCALE_DECAYS).
    bn.weight.requires_grad_(FROZEN_SCALE_DECAYS)
    return bn


def conv3x3(cin, width):
    return nn.Conv2d(cin, width, kernel_size=3, padding=1, bias=False)


def block_layers(name, cin, width):
    return [
        (name + "_conv1", conv3x3(cin, width)),
        (name + "_pool", nn.MaxPool2d(2)),
        (name + "_bn1", batch_norm(width)),
        (name + "_gelu1", nn.GELU()),
        (name + "_conv2", conv3x3(width, width)),
        (name + "_bn2", batch_norm(width)),
        (name + "_gelu2", nn.GELU()),
    ]


@torch.no_grad()
def build_network():
    """The network, flat so that shapes and work can be followed layer by layer, with
    statnn's initial weights (the BN layers already start at scale 1, shift 0, running
    mean 0 and variance 1)."""
    layers = [("stem", conv3x3(IMAGE_SHAPE[0], STEM_WIDTH)), ("stem_bn", batch_norm(STEM_WIDTH)),
              ("stem_gelu", nn.GELU())]
    cin = STEM_WIDTH
    for i, width in enumerate(WIDTHS, 1):
        layers += block_layers("block%d" % i, cin, width)
        cin = width
    layers += [("pool", nn.MaxPool2d(3)), ("flatten", nn.Flatten()),
               ("linear", nn.Linear(cin, CLASSES, bias=True)), ("scale", Scale(LOGIT_SCALE))]
    net = nn.Sequential(OrderedDict(layers))
    for m in net.children():
        if isinstance(m, nn.Conv2d):
            # After PyTorch's default initialisation; filters f < min(in, out) become the
            # identity on channel f (w[:in] of a 1-channel stem: its first filter).
            nn.init.dirac_(m.weight[:min(m.in_channels, m.out_channels)])
        elif isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return net


def frozen_scales(net):
    return [m.weight for m in net.modules() if isinstance(m, nn.BatchNorm2d)]


def forward_macs(net):
    """Multiply-adds per image of the convolutions and the linear layer, from their
    shapes; BN, GELU and pooling are per-element work and not counted, as in statnn."""
    _, height, width = IMAGE_SHAPE
    macs = []
    for m in net.children():
        if isinstance(m, nn.Conv2d):
            (kh, kw), (sh, sw), (ph, pw) = m.kernel_size, m.stride, m.padding
            height = (height + 2 * ph - kh) // sh + 1
            width = (width + 2 * pw - kw) // sw + 1
            macs.append(m.out_channels * m.in_channels * kh * kw * height * width)
        elif isinstance(m, nn.MaxPool2d):
            k = m.kernel_size
            height, width = height // k, width // k  # floor: 7 -> 3
        elif isinstance(m, nn.Linear):
            macs.append(m.in_features * m.out_features)
    return macs


def flops_per_image(net):
    """FLOPs (2 per multiply-add). Training counts the forward pass, the kernel gradients
    of every layer (all train here) and the input gradients of every layer but the first
    (the stem: nothing below it needs one), the count statnn's include/statnn/flops.hpp
    uses, so the GFLOP/s figures compare."""
    macs = forward_macs(net)
    forward = sum(macs)
    return {"infer": 2 * forward, "train": 2 * (forward + 2 * forward - macs[0])}


def trainable_parameters(net):
    return [p for p in net.parameters() if p.requires_grad]


# ---------------------------------------------------------------------------------------
# Recipe: schedule, optimizer, Lookahead, step
# ---------------------------------------------------------------------------------------
def llround(x):
    """C's llround for x >= 0: halves away from zero (x - int(x) is exact in binary)."""
    whole = int(x)
    return whole + (1 if x - whole >= 0.5 else 0)


class Schedule:
    """Warm-up then linear decay, as a function of the updates already applied; written for
    recipe_steps(batch) and stretched to a run of total_steps as statnn's
    fit_schedule_to_run stretches it."""

    def __init__(self, total_steps, batch):
        steps = recipe_steps(batch)
        warmup = steps * WARMUP_PERCENT // 100
        self.total = total_steps
        if total_steps != steps:
            warmup = min(llround(warmup / steps * total_steps), total_steps - 1)
        self.warmup = max(warmup, 0)

    def factor(self, t):
        if t < self.warmup:
            return START_FACTOR + (1.0 - START_FACTOR) * t / self.warmup
        if t >= self.total:
            return END_FACTOR
        return 1.0 + (END_FACTOR - 1.0) * (t - self.warmup) / (self.total - self.warmup)

    def lr(self, t):
        return PEAK_LR * self.factor(t)


class Lookahead:
    """statnn's Lookahead (include/statnn/optim/lookahead.hpp) around the SGD step: a slow
    average of the trained tensors that they are pulled back to every LOOKAHEAD_EVERY
    updates, with an averaging weight growing as LOOKAHEAD_DECAY * (s / T)^LOOKAHEAD_POWER,
    and the average taken as the final weights at update T. Its coefficients are computed in
    double and rounded to float32, as statnn's are."""

    def __init__(self, params, total_steps):
        self.params = list(params)
        self.total = int(total_steps)
        self.average = None
        self.pulls = 0

    @torch.no_grad()
    def before_update(self, t):
        if t == 0:  # the average starts at the weights
            self.average = [p.detach().clone() for p in self.params]

    @torch.no_grad()
    def after_update(self, t):
        s = t + 1
        if s % LOOKAHEAD_EVERY != 0 and s != self.total:
            return
        keep = np.float32(1.0 if s >= self.total else LOOKAHEAD_DECAY * math.pow(s / self.total, LOOKAHEAD_POWER))
        pull = float(np.float32(1.0) - keep)
        for w, a in zip(self.params, self.average):
            a.add_(w - a, alpha=pull)
            w.copy_(a)
        self.pulls += 1


class Optimizer:
    """torch.optim.SGD (PyTorch's Nesterov form, b = m*b + (g + wd*w); w -= lr * (g + wd*w
    + m*b), the update of statnn's MomentumSgd<WeightDecay::L2>; BN shifts a group of their
    own) inside statnn's Lookahead."""

    def __init__(self, net, batch, total_steps):
        shifts = [m.bias for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
        shift_ids = {id(p) for p in shifts}
        others = [p for p in trainable_parameters(net) if id(p) not in shift_ids]
        decay = weight_decay(batch)
        self.sgd = torch.optim.SGD(
            [{"params": others, "lr_scale": 1.0, "weight_decay": decay},
             {"params": shifts, "lr_scale": SHIFT_LR_SCALE, "weight_decay": decay * SHIFT_DECAY_SCALE}],
            lr=PEAK_LR * START_FACTOR, momentum=MOMENTUM, nesterov=True)
        self.lookahead = Lookahead(trainable_parameters(net), total_steps)
        self.scales = frozen_scales(net) if FROZEN_SCALE_DECAYS else []

    def zero_grad(self):
        self.sgd.zero_grad(set_to_none=True)

    def step(self, lr, t):
        for scale in self.scales:  # statnn's frozen scale: a zero gradient, decay still applied
            if scale.grad is not None:
                scale.grad.zero_()
        for group in self.sgd.param_groups:
            group["lr"] = lr * group["lr_scale"]
        self.lookahead.before_update(t)
        self.sgd.step()
        self.lookahead.after_update(t)


def precision(bf16):
    return torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()


def train_step(net, optimizer, lr, t, images, labels, bf16=False):
    """Update t (0 for the first) at learning rate lr: returns the batch's mean (smoothed)
    loss and the logits."""
    optimizer.zero_grad()
    with precision(bf16):
        logits = net(images)
        loss = F.cross_entropy(logits, labels, label_smoothing=LABEL_SMOOTHING)
    loss.backward()
    optimizer.step(lr, t)
    return loss.detach().float(), logits.detach()


# ---------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------
def idx_path(data_dir, name):
    """The plain file when it is there, else the .gz (statnn's preference)."""
    plain = os.path.join(data_dir, name)
    if os.path.isfile(plain):
        return plain
    if os.path.isfile(plain + ".gz"):
        return plain + ".gz"
    return None


def read_idx(path, magic, limit=None):
    """The records of an idx file (images: N x rows x cols, labels: N) as uint8, no more
    than `limit` of them (a .gz is then decompressed only that far). Checks the magic
    number, the header and that the file holds the records its header counts."""
    opener = gzip.open if path.endswith(".gz") else open
    header_bytes = 16 if magic == IMAGE_MAGIC else 8
    try:
        with opener(path, "rb") as f:
            header = f.read(header_bytes)
            if len(header) < header_bytes:
                raise SystemExit("%s: %d bytes, shorter than an idx header (%d)" % (path, len(header), header_bytes))
            fields = np.frombuffer(header, dtype=">u4").astype(np.int64)
            if fields[0] != magic:
                raise SystemExit("%s: magic number %d, expected %d (%s)" % (
                    path, fields[0], magic, "idx3 unsigned-byte images" if magic == IMAGE_MAGIC else "idx1 unsigned-byte labels"))
            count = int(fields[1])
            shape = (int(fields[2]), int(fields[3])) if magic == IMAGE_MAGIC else ()
            if shape and shape != IMAGE_SHAPE[1:]:
                raise SystemExit("%s: images of %d x %d pixels, expected %d x %d" % ((path,) + shape + IMAGE_SHAPE[1:]))
            record = int(np.prod(shape)) if shape else 1
            wanted = count if limit is None else min(count, limit)
            body = f.read(wanted * record)
            if len(body) != wanted * record:
                raise SystemExit("%s: the header counts %d records, the file ends after %d" % (path, count, len(body) // record))
            if wanted == count and f.read(1):
                raise SystemExit("%s: data after the %d records its header counts" % (path, count))
    except (OSError, EOFError) as e:  # unreadable, or a damaged .gz
        raise SystemExit("%s: %s" % (path, e))
    return np.frombuffer(body, dtype=np.uint8).reshape((wanted,) + shape), count


def read_split(data_dir, split, limit=None):
    """Images (uint8, N x 1 x 28 x 28) and labels (int64) of one split."""
    image_name, label_name = FILES[split]
    image_path, label_path = idx_path(data_dir, image_name), idx_path(data_dir, label_name)
    images, image_count = read_idx(image_path, IMAGE_MAGIC, limit)
    labels, label_count = read_idx(label_path, LABEL_MAGIC, limit)
    if image_count != label_count:
        raise SystemExit("%s holds %d images but %s %d labels" % (image_path, image_count, label_path, label_count))
    if labels.max(initial=0) >= CLASSES:
        raise SystemExit("%s: label %d, above the %d classes" % (label_path, labels.max(), CLASSES))
    return images.reshape((-1,) + IMAGE_SHAPE), labels.astype(np.int64)


def load_fashion(data_dir, train_limit=None, test_limit=None):
    missing = [name + "[.gz]" for pair in FILES.values() for name in pair if idx_path(data_dir, name) is None]
    if missing:
        raise SystemExit("Fashion-MNIST idx files missing in %r: %s (set --data or FASHION_MNIST_DIR; Debian: "
                         "apt install dataset-fashion-mnist)" % (data_dir, ", ".join(missing)))
    return read_split(data_dir, "train", train_limit), read_split(data_dir, "test", test_limit)


def channel_constants():
    shape = (1, IMAGE_SHAPE[0], 1, 1)
    return (torch.tensor(MEAN, dtype=torch.float32).view(shape), torch.tensor(STD, dtype=torch.float32).view(shape))


def normalise(images):
    """float32(byte) / 255 (then, with NORMALISE, (x - mean) / std per channel), each
    operation in float32 as statnn does it."""
    x = torch.from_numpy(images.astype(np.float32)) / torch.tensor(255.0, dtype=torch.float32)
    if not NORMALISE:
        return x
    mean, std = channel_constants()
    return (x - mean) / std


def padding_values(pad_fill):
    """Per-channel value of the pixels a shift moves in, in input units (None: the image's
    own pixels mirrored at its border)."""
    if pad_fill == "reflect":
        return None
    mean, std = channel_constants()
    if pad_fill == "black" and NORMALISE:
        return (torch.zeros_like(mean) - mean) / std  # a 0 byte, normalised
    return torch.zeros_like(mean)  # a 0 byte, or the mean after normalising


class Augmenter:
    """Random shifts (up to PAD pixels, padded) and mirror images of a batch, gathered in
    one indexing operation:
        out(y, x) = padded(y - dy + PAD, sx - dx + PAD),  sx = W - 1 - x if mirrored else x
    as statnn's transformed_image_to_float (data/augment.hpp)."""

    def __init__(self, pad_fill, generator):
        self.fill = padding_values(pad_fill)
        self.generator = generator
        _, h, w = IMAGE_SHAPE
        self.ys = torch.arange(h)
        self.xs = torch.arange(w)

    def __call__(self, x):
        n, c, h, w = x.shape
        if self.fill is None:  # reflected border, as statnn's Augmentation{..., reflect}
            padded = F.pad(x, (PAD, PAD, PAD, PAD), mode="reflect")
        else:
            padded = self.fill.expand(n, c, h + 2 * PAD, w + 2 * PAD).clone()
            padded[:, :, PAD:PAD + h, PAD:PAD + w] = x
        draw = torch.randint(-PAD, PAD + 1, (2, n), generator=self.generator)
        dx, dy = draw[0], draw[1]
        mirror = torch.rand(n, generator=self.generator) < 0.5
        if not FLIP:
            mirror[:] = False
        source_x = torch.where(mirror[:, None], (w - 1 - self.xs)[None, :], self.xs[None, :])
        rows = self.ys[None, :] - dy[:, None] + PAD  # n x h
        cols = source_x - dx[:, None] + PAD  # n x w
        return padded[torch.arange(n)[:, None, None, None], torch.arange(c)[None, :, None, None],
                      rows[:, None, :, None], cols[:, None, None, :]]


# ---------------------------------------------------------------------------------------
# Modes
# ---------------------------------------------------------------------------------------
def new_network(args):
    torch.manual_seed(args.seed)
    net = build_network()
    return net.to(memory_format=torch.channels_last) if args.channels_last else net


def evaluate(net, x, y, batch, channels_last, bf16=False, tta=None):
    """Mean unsmoothed loss and accuracy over the test images in eval mode; with tta
    "flip" the scores are the mean of the softmax of each image and of its mirror image,
    with "flip-translate" (statnn's evaluate --tta flip-translate) image and mirror weigh
    1/4 each, and both moved by one pixel up-left and down-right (reflected border) 1/8."""
    net.eval()
    loss_sum, correct = 0.0, 0
    _, h, w = IMAGE_SHAPE

    def softmax(images):
        with precision(bf16):
            logits = net(to_layout(images, channels_last))
        return F.softmax(logits.float(), dim=1)

    def mirrored(images):
        return 0.5 * (softmax(images) + softmax(images.flip(3)))

    with torch.no_grad():
        for i in range(0, len(x), batch):
            images, labels = x[i:i + batch], y[i:i + batch]
            if tta:
                probs = mirrored(images)
                if tta == "flip-translate":
                    padded = F.pad(images, (1, 1, 1, 1), mode="reflect")
                    moved = 0.5 * (mirrored(padded[:, :, 0:h, 0:w]) + mirrored(padded[:, :, 2:h + 2, 2:w + 2]))
                    probs = 0.5 * probs + 0.5 * moved
                loss_sum += F.nll_loss(torch.log(probs), labels, reduction="sum").item()
                correct += (probs.argmax(dim=1) == labels).sum().item()
            else:
                with precision(bf16):
                    logits = net(to_layout(images, channels_last))
                logits = logits.float()
                loss_sum += F.cross_entropy(logits, labels, reduction="sum").item()
                correct += (logits.argmax(dim=1) == labels).sum().item()
    return loss_sum / len(x), correct / len(x)


def train(args):
    data_dir = args.data or default_data_dir()
    (train_images, train_labels), (test_images, test_labels) = load_fashion(data_dir, args.limit, args.val_limit)
    x_train, y_train = normalise(train_images), torch.from_numpy(train_labels)
    x_test, y_test = normalise(test_images), torch.from_numpy(test_labels)
    net = new_network(args)
    n = len(x_train)
    steps_per_epoch = (n + args.batch - 1) // args.batch
    total_steps = args.epochs * steps_per_epoch
    schedule = Schedule(total_steps, args.batch)
    optimizer = Optimizer(net, args.batch, total_steps)
    generator = torch.Generator().manual_seed(args.seed)
    augment = Augmenter(args.pad_fill, generator)

    history, t = [], 0
    train_seconds = total_seconds = 0.0
    reached = {level: None for level in REACHED_LEVELS}
    for epoch in range(1, args.epochs + 1):
        net.train()
        loss_sum, correct = 0.0, 0
        with CpuWatch() as train_watch:
            order = torch.randperm(n, generator=generator)
            for i in range(0, n, args.batch):
                picked = order[i:i + args.batch]
                labels = y_train[picked]
                images = to_layout(augment(x_train[picked]), args.channels_last)
                loss, logits = train_step(net, optimizer, schedule.lr(t), t, images, labels, args.bf16)
                t += 1
                loss_sum += loss.item() * len(picked)
                correct += (logits.argmax(dim=1) == labels).sum().item()
        with CpuWatch() as val_watch:
            val_loss, val_acc = evaluate(net, x_test, y_test, args.batch, args.channels_last, args.bf16)
        train_seconds += train_watch.wall
        total_seconds += train_watch.wall + val_watch.wall
        for level in reached:
            if reached[level] is None and val_acc >= level:
                reached[level] = train_seconds
        record = {
            "epoch": epoch,
            "loss": loss_sum / n,  # running means over the epoch's batches (fast weights, augmented)
            "acc": correct / n,
            "val_loss": val_loss,
            "val_acc": val_acc,
            "lr": schedule.lr(t),  # of the next update, as statnn logs it
            "seconds": train_watch.wall + val_watch.wall,
            "train_seconds": train_watch.wall,
            "train_images_per_s": n / train_watch.wall,
            "foreign_cpu_frac": train_watch.foreign_cpu_frac,
        }
        history.append(record)
        print(json.dumps(record), file=sys.stderr, flush=True)

    result = {
        "data": data_dir,
        "train_images": n,
        "val_images": len(x_test),
        "steps": t,
        "warmup_steps": schedule.warmup,
        "lookahead_pulls": optimizer.lookahead.pulls,
        "accuracy": history[-1]["val_acc"],
        "val_loss": history[-1]["val_loss"],
    }
    if args.tta:
        with CpuWatch() as tta_watch:
            result["val_loss_tta"], result["accuracy_tta"] = evaluate(net, x_test, y_test, args.batch, args.channels_last,
                                                                      args.bf16, tta=args.tta)
        result["tta"] = args.tta
        result["tta_seconds"] = tta_watch.wall
    result.update({
        "seconds": total_seconds,  # training and the evaluation after each epoch
        "train_seconds": train_seconds,
        "epoch_count": args.epochs,
        "images_per_s": n * args.epochs / train_seconds,
    })
    for level in REACHED_LEVELS:  # training seconds (evaluations excluded) at the first epoch >= level
        result["time_to_%d" % round(100 * level)] = reached[level]
    result["epochs"] = history
    return result


def throughput_batch(args):
    """statnn's bench batch: with --data the first training images, as the recipe feeds
    them and not augmented; without, uniform noise in [0, 1) and labels cycling through
    the classes."""
    if args.data:
        (images, labels), _ = load_fashion(args.data, train_limit=args.batch, test_limit=1)
        if len(images) < args.batch:
            raise SystemExit("fewer than --batch %d training images" % args.batch)
        return normalise(images), torch.from_numpy(labels), "fashion-mnist-idx"
    generator = torch.Generator().manual_seed(args.seed)
    return (torch.rand((args.batch,) + IMAGE_SHAPE, generator=generator),
            torch.arange(args.batch) % CLASSES, "synthetic")


def measure_throughput(args, training):
    net = new_network(args)
    x, y, source = throughput_batch(args)
    x = to_layout(x, args.channels_last)
    if training:
        net.train()
        steps = recipe_steps(args.batch)  # statnn's bench: the recipe as written
        optimizer = Optimizer(net, args.batch, steps)
        schedule = Schedule(steps, args.batch)
        step = [0]

        def run():
            train_step(net, optimizer, schedule.lr(step[0]), step[0], x, y, args.bf16)
            step[0] += 1
    else:
        net.eval()

        def run():
            with torch.no_grad():
                with precision(args.bf16):
                    logits = net(x)
                F.softmax(logits.float(), dim=1)

    for _ in range(args.warmup):
        run()
    with CpuWatch() as watch:
        for _ in range(args.steps):
            run()
    images = args.steps * args.batch
    flops = flops_per_image(net)["train" if training else "infer"]
    return {
        "data": source,
        "warmup": args.warmup,
        "steps": args.steps,
        "images": images,
        "seconds": watch.wall,
        "flops_per_image": flops,
        "gflops_per_s": images * flops / watch.wall / 1e9,
        "self_cpu_per_wall": watch.own_cpu_per_wall,
        "foreign_cpu_frac": watch.foreign_cpu_frac,
        "images_per_s": images / watch.wall,
    }


def cpu_flags(*wanted):
    """Which of `wanted` /proc/cpuinfo lists (avx512_bf16: native bfloat16 dot products)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        flags = []
    return [w for w in wanted if w in flags]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", required=True, choices=["train", "train-throughput", "infer-throughput"])
    parser.add_argument("--model", default="fashion", choices=["fashion"],
                        help="accepted so that the bench/compare_*.sh scripts can call this script")
    parser.add_argument("--threads", type=positive_int, default=2, help="intra-op and OpenBLAS threads (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="initial weights, shuffling and augmentation (default 1)")
    parser.add_argument("--batch", type=positive_int, default=BATCH,
                        help="default %d; the recipe's %d epochs are ceil(60000 / batch) steps each" % (BATCH, EPOCHS))
    parser.add_argument("--data", default=None,
                        help="folder of Fashion-MNIST idx files (plain or .gz); train mode default: "
                             "$FASHION_MNIST_DIR, else %s; throughput modes use uniform noise without it"
                             % DEFAULT_DATA_DIR)
    parser.add_argument("--epochs", type=positive_int, default=EPOCHS, help="train mode (default %d)" % EPOCHS)
    parser.add_argument("--limit", type=positive_int, default=None, help="train mode: the first N training images")
    parser.add_argument("--val-limit", type=positive_int, default=None, help="train mode: the first N test images")
    parser.add_argument("--tta", choices=["flip", "flip-translate"], default=None,
                        help="train mode: also score the final network on each test image and its mirror image "
                             "(flip), or in six views (flip-translate, as statnn's evaluate --tta)")
    parser.add_argument("--pad-fill", choices=["reflect", "black", "mean"], default="reflect",
                        help="pixels a shift moves in: the border mirrored (as statnn's fashion), black (a 0 byte) "
                             "or the channel mean")
    parser.add_argument("--channels-last", action="store_true", help="NHWC memory format instead of NCHW")
    parser.add_argument("--bf16", action="store_true",
                        help="forward and loss under torch.autocast('cpu', dtype=torch.bfloat16); float32 weights "
                             "and updates")
    parser.add_argument("--steps", type=positive_int, default=3, help="timed steps of a throughput mode (default 3)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps before a throughput timing (default 2)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    openblas_threads = limit_openblas_threads(args.threads)
    net = build_network()  # for the counts only: the runs build their own, seeded
    result = {
        "model": "fashion",
        "mode": args.mode,
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "openblas_threads": openblas_threads,
        "seed": args.seed,
        "channels_last": args.channels_last,
        "bf16": args.bf16,
        "cpu_bf16": cpu_flags("avx512_bf16", "amx_bf16"),
        "torch": torch.__version__,
        "widths": [STEM_WIDTH] + list(WIDTHS),
        "params": sum(p.numel() for p in trainable_parameters(net)),
        "macs_per_image": sum(forward_macs(net)),
    }
    if args.mode == "train":
        result["pad_fill"] = args.pad_fill
        result.update(train(args))
    else:
        result.update(measure_throughput(args, training=args.mode == "train-throughput"))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
