#!/usr/bin/python3
"""fastcifar in PyTorch (CPU, float32): the twin of statnn's targets/fastcifar.hpp.

statnn's fastcifar is measured against this script for accuracy and speed, so it computes
what statnn's recipe computes rather than what airbench or PyTorch would by default:

  input     CIFAR-10 binary batches, pixels / 255, then per channel (x - mean) / std with
            mean (0.4914, 0.4822, 0.4465) and std (0.2470, 0.2435, 0.2616)
  network   frozen patch-whitening stem: conv 2x2 3->24 (no bias, not trained) + GELU (erf),
            32 -> 31 pixels; three blocks conv3x3 (no bias) -> max-pool 2 -> BN -> GELU ->
            conv3x3 (no bias) -> BN -> GELU of widths 64, 256, 256 (31 -> 15 -> 7 -> 3
            pixels); max-pool 3; linear 256->10 (bias); logits x 1/9. About 118 M
            multiply-adds per image forward.
  stem      from the first 5,000 training images (normalised, not augmented): the
            eigenvectors v_k of the covariance of their 2x2x3 patches (torch.cov: mean
            removed, divisor N-1), as filters v_k / sqrt(lambda_k + 5e-4) and their negatives
  BN        eps 1e-12, PyTorch momentum 0.4, scale frozen at 1 (not trained), shift trained
  weights   convolutions: PyTorch's default, then the first in_channels filters an identity
            (nn.init.dirac_); linear: glorot-uniform kernel, zero bias
  loss      mean cross-entropy against targets smoothed by 0.2; evaluation unsmoothed
  SGD       torch.optim.SGD, Nesterov momentum 0.85, L2 weight decay 1.949e-6, batch 1024
            (the last batch of an epoch partial); BN shifts at 64x the learning rate and
            1/64 the decay
  schedule  lr_t = 1.5 * f(t), t = updates already applied; W warm-up steps of T:
              t < W:       f = 0.2 + 0.8 * t / W
              W <= t < T:  f = 1 + (0.07 - 1) * (t - W) / (T - W)
              t >= T:      f = 0.07
            The recipe is written for 10 epochs of 50,000 images: T = 490, W = 490*23 // 100
            = 112. Another run length T keeps that share: W = round(112 / 490 * T).
  augment   training only, drawn afresh each epoch: a shift by dx, dy uniform in -2..2 with
            the image's border pixels mirrored in (reflect padding), then a left-right mirror
            with probability 1/2. --pad-fill black moves in black (0 byte) pixels, as
            statnn's seed models do (-mean / std after normalising); --pad-fill mean pads
            with 0 after normalising (the channel mean).
  shuffle   a new permutation of the training set every epoch

statnn's shuffle and augmentation draw from its own counter-based streams; here both come
from a torch.Generator seeded with --seed, so runs agree in distribution, not image by image.

Modes (--mode):
  train              --epochs of training, each followed by loss and accuracy on the test set
  train-throughput   images/s of whole training steps (forward, backward, update), after
                     --warmup untimed steps; uniform-noise images unless --data is given
  infer-throughput   images/s of forward passes with softmax, eval mode, no gradients

Prints one JSON object on one line on stdout; the train mode also prints each epoch's
record on stderr as it finishes. The train mode's "epochs" is the list of those records,
as bench/compare_accuracy.sh reads it (TORCH_PEER=bench/torch_fastcifar.py, model
fastcifar). Run it with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import json
import math
import os
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# The CIFAR-10 reading, machine-load and thread-pool helpers are the seed models' peer's.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_cifar import (IMAGE_SHAPE, RECORD_BYTES, CpuWatch, limit_openblas_threads,  # noqa: E402
                         positive_int)

CLASSES = 10
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)

BATCH = 1024
EPOCHS = 10
PEAK_LR = 1.5
MOMENTUM = 0.85
WEIGHT_DECAY = 1.949e-6
LABEL_SMOOTHING = 0.2
START_FACTOR = 0.2
END_FACTOR = 0.07
# The schedule as the recipe writes it: 10 epochs of 49 steps (50,000 images, batch 1024).
RECIPE_STEPS = EPOCHS * ((50000 + BATCH - 1) // BATCH)
RECIPE_WARMUP = RECIPE_STEPS * 23 // 100
PAD = 2
BN_EPS = 1e-12
BN_MOMENTUM = 0.4
LOGIT_SCALE = 1.0 / 9.0
WIDTHS = (64, 256, 256)
WHITEN_PATCH = 2
WHITEN_WIDTH = 2 * 3 * WHITEN_PATCH * WHITEN_PATCH  # 24: every eigenvector, positive and negated
WHITEN_EPS = 5e-4
WHITEN_IMAGES = 5000
SHIFT_LR_SCALE = 64.0


def default_data_dir():
    return os.environ.get("CIFAR10_DIR") or str(Path(__file__).resolve().parents[2] / "shared/cifar-10/cifar-10-batches-bin")


# ---------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------
class Scale(nn.Module):
    """Multiplies by a constant: airbench's logit temperature, without a parameter."""

    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        return x * self.factor


def batch_norm(width):
    bn = nn.BatchNorm2d(width, eps=BN_EPS, momentum=BN_MOMENTUM)
    bn.weight.requires_grad_(False)  # scale frozen at 1: only the shift is trained
    return bn


def block_layers(name, cin, width):
    return [
        (name + "_conv1", nn.Conv2d(cin, width, kernel_size=3, padding=1, bias=False)),
        (name + "_pool", nn.MaxPool2d(2)),
        (name + "_bn1", batch_norm(width)),
        (name + "_gelu1", nn.GELU()),
        (name + "_conv2", nn.Conv2d(width, width, kernel_size=3, padding=1, bias=False)),
        (name + "_bn2", batch_norm(width)),
        (name + "_gelu2", nn.GELU()),
    ]


@torch.no_grad()
def build_network():
    """The network, flat so that shapes and work can be followed layer by layer, with
    statnn's initial weights (the BN layers already start at scale 1, shift 0, running
    mean 0 and variance 1)."""
    stem = nn.Conv2d(3, WHITEN_WIDTH, kernel_size=WHITEN_PATCH, padding=0, bias=False)
    stem.weight.requires_grad_(False)
    layers = [("stem", stem), ("stem_gelu", nn.GELU())]
    cin = WHITEN_WIDTH
    for i, width in enumerate(WIDTHS, 1):
        layers += block_layers("block%d" % i, cin, width)
        cin = width
    layers += [("pool", nn.MaxPool2d(3)), ("flatten", nn.Flatten()),
               ("linear", nn.Linear(cin, CLASSES, bias=True)), ("scale", Scale(LOGIT_SCALE))]
    net = nn.Sequential(OrderedDict(layers))
    for name, m in net.named_children():
        if isinstance(m, nn.Conv2d) and name != "stem":
            nn.init.dirac_(m.weight[:m.in_channels])  # after PyTorch's default initialisation
        elif isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    whiten(net.stem, torch.eye(3 * WHITEN_PATCH * WHITEN_PATCH))  # until data comes: a unit covariance
    return net


@torch.no_grad()
def whiten(stem, covariance):
    eigenvalues, eigenvectors = torch.linalg.eigh(covariance.double())  # ascending
    order = torch.argsort(eigenvalues, descending=True)
    eigenvalues, eigenvectors = eigenvalues[order].clamp(min=0), eigenvectors[:, order]
    filters = (eigenvectors / torch.sqrt(eigenvalues + WHITEN_EPS)).t()  # row k: v_k / sqrt(lambda_k + eps)
    # Patch element order (dy, dx, c) -> conv weight [k, c, dy, dx].
    filters = filters.reshape(-1, WHITEN_PATCH, WHITEN_PATCH, 3).permute(0, 3, 1, 2).float()
    stem.weight.copy_(torch.cat([filters, -filters]))


@torch.no_grad()
def whiten_from(stem, images):
    """The stem's filters from normalised images (N x 3 x 32 x 32)."""
    patches = F.unfold(images.double(), WHITEN_PATCH)  # N x (3*P*P, channel-major) x L
    n, d, count = patches.shape
    # unfold orders a patch (c, dy, dx); statnn orders it (dy, dx, c): reorder.
    patches = patches.reshape(n, 3, WHITEN_PATCH * WHITEN_PATCH, count).transpose(1, 2).reshape(n, d, count)
    whiten(stem, torch.cov(patches.transpose(0, 1).reshape(d, -1)))


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
            height, width = height // k, width // k  # floor: 31 -> 15, 7 -> 3
        elif isinstance(m, nn.Linear):
            macs.append(m.in_features * m.out_features)
    return macs


def flops_per_image(net):
    """FLOPs (2 per multiply-add). Training counts the forward pass, the kernel gradients
    of the trained layers and the input gradients of every trained layer but the first
    (the frozen stem needs none), the count statnn's include/statnn/flops.hpp uses, so the
    GFLOP/s figures compare."""
    macs = forward_macs(net)
    forward, trained = sum(macs), macs[1:]
    return {"infer": 2 * forward, "train": 2 * (forward + 2 * sum(trained) - trained[0])}


def trainable_parameters(net):
    return [p for p in net.parameters() if p.requires_grad]


# ---------------------------------------------------------------------------------------
# Recipe: schedule, optimizer, step
# ---------------------------------------------------------------------------------------
class Schedule:
    """Warm-up then linear decay, as a function of the updates already applied."""

    def __init__(self, total_steps):
        self.total = total_steps
        if total_steps == RECIPE_STEPS:
            warmup = RECIPE_WARMUP
        else:
            # statnn rounds half away from zero (llround); the warm-up must leave a step.
            warmup = int(math.floor(RECIPE_WARMUP / RECIPE_STEPS * total_steps + 0.5))
            warmup = min(warmup, total_steps - 1)
        self.warmup = max(warmup, 0)

    def factor(self, t):
        if t < self.warmup:
            return START_FACTOR + (1.0 - START_FACTOR) * t / self.warmup
        if t >= self.total:
            return END_FACTOR
        return 1.0 + (END_FACTOR - 1.0) * (t - self.warmup) / (self.total - self.warmup)

    def lr(self, t):
        return PEAK_LR * self.factor(t)


def make_optimizer(net):
    # PyTorch's Nesterov form, b = m*b + (g + wd*w); w -= lr * (g + wd*w + m*b), is the
    # update of statnn's MomentumSgd<WeightDecay::L2>; BN shifts are a group of their own.
    shifts = [m.bias for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    shift_ids = {id(p) for p in shifts}
    others = [p for p in trainable_parameters(net) if id(p) not in shift_ids]
    return torch.optim.SGD([{"params": others, "lr_scale": 1.0, "weight_decay": WEIGHT_DECAY},
                            {"params": shifts, "lr_scale": SHIFT_LR_SCALE, "weight_decay": WEIGHT_DECAY / SHIFT_LR_SCALE}],
                           lr=PEAK_LR * START_FACTOR, momentum=MOMENTUM, nesterov=True)


def train_step(net, optimizer, lr, images, labels):
    """One update at learning rate lr: returns the batch's mean (smoothed) loss and logits."""
    for group in optimizer.param_groups:
        group["lr"] = lr * group["lr_scale"]
    optimizer.zero_grad(set_to_none=True)
    logits = net(images)
    loss = F.cross_entropy(logits, labels, label_smoothing=LABEL_SMOOTHING)
    loss.backward()
    optimizer.step()
    return loss.detach(), logits.detach()


# ---------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------
def read_records(paths, limit=None):
    """Images (uint8, N x 3 x 32 x 32) and labels of CIFAR-10 binary files; reads no more
    than `limit` records so that short runs start quickly."""
    chunks, left = [], limit
    for path in paths:
        count = -1 if left is None else left * RECORD_BYTES
        records = np.fromfile(path, dtype=np.uint8, count=count)
        if records.size % RECORD_BYTES:
            raise SystemExit("%s: not a whole number of %d-byte records" % (path, RECORD_BYTES))
        chunks.append(records.reshape(-1, RECORD_BYTES))
        if left is not None:
            left -= len(chunks[-1])
            if left <= 0:
                break
    records = np.concatenate(chunks)
    labels = records[:, 0].astype(np.int64)
    if labels.max(initial=0) >= CLASSES:
        raise SystemExit("labels above %d in %s" % (CLASSES - 1, paths))
    return records[:, 1:].reshape((-1,) + IMAGE_SHAPE), labels


def load_cifar(data_dir, train_limit=None, test_limit=None):
    train_paths = [os.path.join(data_dir, "data_batch_%d.bin" % i) for i in range(1, 6)]
    test_path = os.path.join(data_dir, "test_batch.bin")
    missing = [p for p in train_paths + [test_path] if not os.path.isfile(p)]
    if missing:
        raise SystemExit("CIFAR-10 binary files missing in %r: %s (set --data or CIFAR10_DIR)"
                         % (data_dir, ", ".join(os.path.basename(p) for p in missing)))
    return read_records(train_paths, train_limit), read_records([test_path], test_limit)


def channel_constants():
    shape = (1, 3, 1, 1)
    return (torch.tensor(MEAN, dtype=torch.float32).view(shape), torch.tensor(STD, dtype=torch.float32).view(shape))


def normalise(images):
    """float32(byte) / 255, then (x - mean) / std per channel, each operation in float32
    as statnn does it."""
    mean, std = channel_constants()
    x = torch.from_numpy(images.astype(np.float32)) / torch.tensor(255.0, dtype=torch.float32)
    return (x - mean) / std


def padding_values(pad_fill):
    """Per-channel value of the pixels a shift moves in, in normalised units (None: the
    image's own pixels mirrored at its border)."""
    if pad_fill == "reflect":
        return None
    mean, std = channel_constants()
    if pad_fill == "black":
        return (torch.zeros_like(mean) - mean) / std  # a 0 byte, normalised
    return torch.zeros_like(mean)


class Augmenter:
    """Random shifts (up to PAD pixels, padded) and mirror images of a normalised batch,
    gathered in one indexing operation:
        out(y, x) = padded(y - dy + PAD, sx - dx + PAD),  sx = W - 1 - x if mirrored else x
    i.e. shift first, then mirror, as statnn's transformed_image_to_float."""

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
        source_x = torch.where(mirror[:, None], (w - 1 - self.xs)[None, :], self.xs[None, :])
        rows = self.ys[None, :] - dy[:, None] + PAD  # n x h
        cols = source_x - dx[:, None] + PAD  # n x w
        return padded[torch.arange(n)[:, None, None, None], torch.arange(c)[None, :, None, None],
                      rows[:, None, :, None], cols[:, None, None, :]]


# ---------------------------------------------------------------------------------------
# Modes
# ---------------------------------------------------------------------------------------
def to_layout(x, channels_last):
    return x.contiguous(memory_format=torch.channels_last) if channels_last else x.contiguous()


def new_network(args):
    torch.manual_seed(args.seed)
    net = build_network()
    return net.to(memory_format=torch.channels_last) if args.channels_last else net


def evaluate(net, x, y, batch, channels_last, tta=None):
    """Mean unsmoothed loss and accuracy over the test images in eval mode; with tta
    "flip" the scores are the mean of the softmax of each image and of its mirror image,
    with "flip-translate" (statnn's evaluate --tta flip-translate) image and mirror weigh
    1/4 each, and both moved by one pixel up-left and down-right (reflected border) 1/8."""
    net.eval()
    loss_sum, correct = 0.0, 0

    def mirrored(images):
        return 0.5 * (F.softmax(net(to_layout(images, channels_last)), dim=1) +
                      F.softmax(net(to_layout(images.flip(3), channels_last)), dim=1))

    with torch.no_grad():
        for i in range(0, len(x), batch):
            images, labels = x[i:i + batch], y[i:i + batch]
            if tta:
                probs = mirrored(images)
                if tta == "flip-translate":
                    padded = F.pad(images, (1, 1, 1, 1), mode="reflect")
                    moved = 0.5 * (mirrored(padded[:, :, 0:32, 0:32]) + mirrored(padded[:, :, 2:34, 2:34]))
                    probs = 0.5 * probs + 0.5 * moved
                loss_sum += F.nll_loss(torch.log(probs), labels, reduction="sum").item()
                correct += (probs.argmax(dim=1) == labels).sum().item()
            else:
                logits = net(to_layout(images, channels_last))
                loss_sum += F.cross_entropy(logits, labels, reduction="sum").item()
                correct += (logits.argmax(dim=1) == labels).sum().item()
    return loss_sum / len(x), correct / len(x)


def train(args):
    data_dir = args.data or default_data_dir()
    (train_images, train_labels), (test_images, test_labels) = load_cifar(data_dir, args.limit, args.val_limit)
    x_train, y_train = normalise(train_images), torch.from_numpy(train_labels)
    x_test, y_test = normalise(test_images), torch.from_numpy(test_labels)
    net = new_network(args)
    whiten_from(net.stem, x_train[:WHITEN_IMAGES])
    optimizer = make_optimizer(net)
    n = len(x_train)
    steps_per_epoch = (n + args.batch - 1) // args.batch
    schedule = Schedule(args.epochs * steps_per_epoch)
    generator = torch.Generator().manual_seed(args.seed)
    augment = Augmenter(args.pad_fill, generator)

    history, t = [], 0
    train_seconds = total_seconds = 0.0
    reached = {0.90: None, 0.93: None}
    for epoch in range(1, args.epochs + 1):
        net.train()
        loss_sum, correct = 0.0, 0
        with CpuWatch() as train_watch:
            order = torch.randperm(n, generator=generator)
            for i in range(0, n, args.batch):
                picked = order[i:i + args.batch]
                labels = y_train[picked]
                images = to_layout(augment(x_train[picked]), args.channels_last)
                loss, logits = train_step(net, optimizer, schedule.lr(t), images, labels)
                t += 1
                loss_sum += loss.item() * len(picked)
                correct += (logits.argmax(dim=1) == labels).sum().item()
        with CpuWatch() as val_watch:
            val_loss, val_acc = evaluate(net, x_test, y_test, args.batch, args.channels_last)
        train_seconds += train_watch.wall
        total_seconds += train_watch.wall + val_watch.wall
        for level in reached:
            if reached[level] is None and val_acc >= level:
                reached[level] = train_seconds
        record = {
            "epoch": epoch,
            "loss": loss_sum / n,
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
        "accuracy": history[-1]["val_acc"],
        "val_loss": history[-1]["val_loss"],
    }
    if args.tta:
        with CpuWatch() as tta_watch:
            result["val_loss_tta"], result["accuracy_tta"] = evaluate(net, x_test, y_test, args.batch,
                                                                      args.channels_last, tta=args.tta)
        result["tta_seconds"] = tta_watch.wall
    result.update({
        "seconds": total_seconds,  # training and the evaluation after each epoch
        "train_seconds": train_seconds,
        "epoch_count": args.epochs,
        "images_per_s": n * args.epochs / train_seconds,
        "time_to_90": reached[0.90],  # training seconds (evaluations excluded) at the first epoch >= 90%
        "time_to_93": reached[0.93],
        "epochs": history,
    })
    return result


def throughput_batch(args):
    """statnn's bench batch: with --data the first training images, normalised and not
    augmented; without, uniform noise in [0, 1) and labels cycling through the classes."""
    if args.data:
        (images, labels), _ = load_cifar(args.data, train_limit=args.batch, test_limit=1)
        if len(images) < args.batch:
            raise SystemExit("fewer than --batch %d training images" % args.batch)
        return normalise(images), torch.from_numpy(labels), "cifar10-bin"
    generator = torch.Generator().manual_seed(args.seed)
    return (torch.rand((args.batch,) + IMAGE_SHAPE, generator=generator),
            torch.arange(args.batch) % CLASSES, "synthetic")


def measure_throughput(args, training):
    net = new_network(args)
    x, y, source = throughput_batch(args)
    x = to_layout(x, args.channels_last)
    if training:
        net.train()
        optimizer = make_optimizer(net)
        schedule = Schedule(RECIPE_STEPS)
        step = [0]

        def run():
            train_step(net, optimizer, schedule.lr(step[0]), x, y)
            step[0] += 1
    else:
        net.eval()

        def run():
            with torch.no_grad():
                F.softmax(net(x), dim=1)

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
        "foreign_cpu_frac": watch.foreign_cpu_frac,
        "images_per_s": images / watch.wall,
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", required=True, choices=["train", "train-throughput", "infer-throughput"])
    parser.add_argument("--model", default="fastcifar", choices=["fastcifar"],
                        help="accepted so that the bench/compare_*.sh scripts can call this script")
    parser.add_argument("--threads", type=positive_int, default=2, help="intra-op and OpenBLAS threads (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="initial weights, shuffling and augmentation (default 1)")
    parser.add_argument("--batch", type=positive_int, default=BATCH, help="default %d" % BATCH)
    parser.add_argument("--data", default=None,
                        help="folder of CIFAR-10 binary files; train mode default: $CIFAR10_DIR, else "
                             "../shared/cifar-10/cifar-10-batches-bin from the repository; throughput "
                             "modes use uniform noise without it")
    parser.add_argument("--epochs", type=positive_int, default=EPOCHS, help="train mode (default %d)" % EPOCHS)
    parser.add_argument("--limit", type=positive_int, default=None, help="train mode: the first N training images")
    parser.add_argument("--val-limit", type=positive_int, default=None, help="train mode: the first N test images")
    parser.add_argument("--tta", choices=["flip", "flip-translate"], default=None,
                        help="train mode: also score the final network on each test image and its mirror image "
                             "(flip), or in six views (flip-translate, as statnn's evaluate --tta)")
    parser.add_argument("--pad-fill", choices=["reflect", "black", "mean"], default="reflect",
                        help="pixels a shift moves in: the border mirrored (as statnn's fastcifar), black (a 0 byte, as "
                             "statnn's seed models) or the channel mean")
    parser.add_argument("--channels-last", action="store_true", help="NHWC memory format instead of NCHW")
    parser.add_argument("--steps", type=positive_int, default=3, help="timed steps of a throughput mode (default 3)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps before a throughput timing (default 2)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    openblas_threads = limit_openblas_threads(args.threads)
    net = build_network()  # for the counts only: the runs build their own, seeded
    result = {
        "model": "fastcifar",
        "mode": args.mode,
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "openblas_threads": openblas_threads,
        "seed": args.seed,
        "channels_last": args.channels_last,
        "torch": torch.__version__,
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
