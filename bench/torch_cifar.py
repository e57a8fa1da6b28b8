#!/usr/bin/python3
"""cnn4 and cnn6 in PyTorch (CPU), trained the way Keras 2 trains them.

statnn's speed and accuracy are measured against this script (bench/compare_torch.sh,
bench/compare_accuracy.sh), so it has to compute what the Keras tutorial models compute,
not what PyTorch does by default:

  input     CIFAR-10 as stored (channels first, R, G, B planes), pixels / 255, nothing else
  weights   glorot-uniform kernels, zero biases
  dropout   inverted (kept units scaled by 1 / (1 - rate)), training only
  loss      mean categorical cross-entropy of the softmax of the logits
  SGD       Keras 2: lr_t = lr * 1 / (1 + decay * iterations), iterations = updates so far;
            v = momentum * v - lr_t * g;  w += v, or with Nesterov w += momentum * v - lr_t * g
  max-norm  cnn6's dense1 kernel, after every update: each output unit's incoming weights
            scaled by min(n, 3) / (n + 1e-7), n their L2 norm

Modes (--mode):
  train-throughput   images/s of whole SGD steps (forward, backward, update) after a warm-up
  infer-throughput   images/s of forward passes with softmax, no gradients, after a warm-up
  train              Keras-style fit: shuffled epochs, then loss and accuracy on the test set

Prints one JSON object on one line on stdout; the train mode also prints each epoch's
record on stderr as it finishes. Run it with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import ctypes
import glob
import json
import os
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

IMAGE_SHAPE = (3, 32, 32)
RECORD_BYTES = 1 + 3 * 32 * 32  # label byte, then the R, G and B planes
KERAS_EPSILON = 1e-7  # K.epsilon(), the guard in Keras's MaxNorm
THROUGHPUT_BATCHES = 8  # distinct batches the throughput modes cycle through


# ---------------------------------------------------------------------------------------
# The two networks
# ---------------------------------------------------------------------------------------
def conv3x3(in_channels, out_channels, padding):
    """Keras Conv2D(3x3): padding 1 is 'same', 0 is 'valid'."""
    return nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=1, padding=padding)


def cnn6_layers():
    return [
        ("conv1", conv3x3(3, 32, 1)), ("relu1", nn.ReLU()), ("drop1", nn.Dropout(0.2)),
        ("conv2", conv3x3(32, 32, 1)), ("relu2", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv3", conv3x3(32, 64, 1)), ("relu3", nn.ReLU()), ("drop2", nn.Dropout(0.2)),
        ("conv4", conv3x3(64, 64, 1)), ("relu4", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("conv5", conv3x3(64, 128, 1)), ("relu5", nn.ReLU()), ("drop3", nn.Dropout(0.2)),
        ("conv6", conv3x3(128, 128, 1)), ("relu6", nn.ReLU()), ("pool3", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()), ("drop4", nn.Dropout(0.2)),
        ("dense1", nn.Linear(128 * 4 * 4, 1024)), ("relu7", nn.ReLU()), ("drop5", nn.Dropout(0.2)),
        ("dense2", nn.Linear(1024, 10)),
    ]


def cnn4_layers():
    return [
        ("conv1", conv3x3(3, 32, 1)), ("relu1", nn.ReLU()),
        ("conv2", conv3x3(32, 32, 0)), ("relu2", nn.ReLU()),
        ("pool1", nn.MaxPool2d(2)), ("drop1", nn.Dropout(0.25)),
        ("conv3", conv3x3(32, 64, 1)), ("relu3", nn.ReLU()),
        ("conv4", conv3x3(64, 64, 0)), ("relu4", nn.ReLU()),
        ("pool2", nn.MaxPool2d(2)), ("drop2", nn.Dropout(0.25)),
        ("flatten", nn.Flatten()),
        ("dense1", nn.Linear(64 * 6 * 6, 512)), ("relu5", nn.ReLU()), ("drop3", nn.Dropout(0.5)),
        ("dense2", nn.Linear(512, 10)),
    ]


# Each model's layers, its Keras optimizer, its max-norm bounds (layer -> bound) and the
# parameter count of each layer with weights, as Keras's summary() lists them.
MODELS = {
    "cnn6": dict(
        layers=cnn6_layers,
        sgd=dict(lr=0.01, momentum=0.9, decay=1e-6, nesterov=False),
        max_norm={"dense1": 3.0},
        layer_params=[896, 9248, 18496, 36928, 73856, 147584, 2098176, 10250],
    ),
    "cnn4": dict(
        layers=cnn4_layers,
        sgd=dict(lr=0.1, momentum=0.0, decay=1e-6, nesterov=True),
        max_norm={},
        layer_params=[896, 9248, 18496, 36928, 1180160, 5130],
    ),
}


def weighted_layers(net):
    return [(name, m) for name, m in net.named_children() if isinstance(m, (nn.Conv2d, nn.Linear))]


@torch.no_grad()
def build_network(model):
    """The network with Keras's initial weights.

    The layers are first built with PyTorch's own initialisation and then re-drawn, in
    layer order: that is wasted work, but it keeps the random stream, and so a seed's
    initial weights, the same as in the measurements published so far.
    """
    net = nn.Sequential(OrderedDict(MODELS[model]["layers"]()))
    for _, layer in weighted_layers(net):
        # fan_in / fan_out as Keras counts them: in*kh*kw / out*kh*kw for a conv, in / out
        # for a dense layer.
        nn.init.xavier_uniform_(layer.weight)
        nn.init.zeros_(layer.bias)
    counts = [sum(p.numel() for p in layer.parameters()) for _, layer in weighted_layers(net)]
    if counts != MODELS[model]["layer_params"]:
        raise SystemExit("%s: parameter counts %s differ from Keras's %s" % (model, counts, MODELS[model]["layer_params"]))
    return net


def flop_counts(net):
    """FLOPs per image (a multiply-add is 2) of the convolutions and dense layers.

    A training step costs the forward pass, the weight gradients (as much again) and the
    input gradients of every layer but the first (nothing needs the image's gradient).
    """
    _, height, width = IMAGE_SHAPE
    macs = []
    for _, layer in net.named_children():
        if isinstance(layer, nn.Conv2d):
            (kh, kw), (ph, pw) = layer.kernel_size, layer.padding
            height, width = height + 2 * ph - kh + 1, width + 2 * pw - kw + 1
            macs.append(height * width * layer.out_channels * layer.in_channels * kh * kw)
        elif isinstance(layer, nn.MaxPool2d):
            height, width = height // 2, width // 2
        elif isinstance(layer, nn.Linear):
            macs.append(layer.in_features * layer.out_features)
    forward = sum(macs)
    return {"infer": 2 * forward, "train": 2 * (forward + forward + forward - macs[0])}


# ---------------------------------------------------------------------------------------
# Keras 2 SGD
# ---------------------------------------------------------------------------------------
@torch.no_grad()
def apply_max_norm_(weight, bound):
    """Keras MaxNorm(bound, axis=0) on a [in, out] kernel limits each output unit's
    incoming weights; PyTorch stores the kernel as [out, in], so those are its rows."""
    norms = weight.square().sum(dim=1, keepdim=True).sqrt()
    weight.mul_(norms.clamp(0.0, bound) / (KERAS_EPSILON + norms))


class KerasSGD:
    """Keras 2's SGD rather than torch.optim.SGD: Keras keeps the velocity already scaled
    by the learning rate and decays that rate with the number of updates, so the two part
    ways as soon as the rate changes; Nesterov is also written differently."""

    def __init__(self, net, lr, momentum, decay, nesterov, max_norm):
        self.lr, self.momentum, self.decay, self.nesterov = lr, momentum, decay, nesterov
        self.params = list(net.parameters())
        # With no momentum both forms reduce to w -= lr_t * g: no velocity to keep.
        self.velocities = [torch.zeros_like(p) if momentum else None for p in self.params]
        self.bounded = [(getattr(net, name).weight, bound) for name, bound in max_norm.items()]
        self.iterations = 0

    def current_lr(self):
        """The rate the next update uses, computed the way Keras writes it."""
        return self.lr * (1.0 / (1.0 + self.decay * self.iterations))

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        lr_t = self.current_lr()
        for p, v in zip(self.params, self.velocities):
            if v is None:
                p.add_(p.grad, alpha=-lr_t)
                continue
            v.mul_(self.momentum).add_(p.grad, alpha=-lr_t)
            if self.nesterov:
                p.add_(v, alpha=self.momentum).add_(p.grad, alpha=-lr_t)
            else:
                p.add_(v)
        for weight, bound in self.bounded:
            apply_max_norm_(weight, bound)
        self.iterations += 1


def make_optimizer(net, model):
    return KerasSGD(net, max_norm=MODELS[model]["max_norm"], **MODELS[model]["sgd"])


def sgd_step(net, optimizer, images, labels):
    """One Keras train_on_batch: returns the batch's mean loss and its logits."""
    optimizer.zero_grad()
    logits = net(images)
    loss = F.cross_entropy(logits, labels)  # log-softmax + NLL: Keras's mean categorical CE
    loss.backward()
    optimizer.step()
    return loss, logits


# ---------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------
def read_cifar(paths, limit=None):
    """Images (uint8, N x 3 x 32 x 32) and labels of CIFAR-10 binary files, reading no
    more records than `limit` so that short runs start quickly."""
    chunks = []
    wanted = limit
    for path in paths:
        count = -1 if wanted is None else wanted * RECORD_BYTES
        records = np.fromfile(path, dtype=np.uint8, count=count).reshape(-1, RECORD_BYTES)
        chunks.append(records)
        if wanted is not None:
            wanted -= len(records)
            if wanted <= 0:
                break
    records = np.concatenate(chunks)
    return records[:, 1:].reshape((-1,) + IMAGE_SHAPE), records[:, 0].astype(np.int64)


def cifar_split(data_dir, train_limit=None, test_limit=None):
    train_paths = sorted(glob.glob(os.path.join(data_dir, "data_batch_*.bin")))
    test_path = os.path.join(data_dir, "test_batch.bin")
    if not train_paths or not os.path.isfile(test_path):
        raise SystemExit("no CIFAR-10 binary files (data_batch_*.bin, test_batch.bin) in %r" % data_dir)
    return read_cifar(train_paths, train_limit), read_cifar([test_path], test_limit)


def noise_images(count, seed):
    """Uniform-noise images and labels, for runs without --data."""
    rng = np.random.RandomState(seed)
    return rng.randint(0, 256, size=(count,) + IMAGE_SHAPE).astype(np.uint8), rng.randint(0, 10, size=count)


def as_tensors(images, labels):
    """Pixels / 255 in float32, as the Keras tutorial scales them, and int64 labels."""
    x = torch.from_numpy(images.astype(np.float32) / np.float32(255.0))
    return x, torch.from_numpy(np.asarray(labels, dtype=np.int64))


# ---------------------------------------------------------------------------------------
# The machine: shared, so every timing says how busy the rest of it was
# ---------------------------------------------------------------------------------------
def machine_busy_seconds():
    """CPU time all processes have used, from /proc/stat (user nice system idle iowait
    irq softirq steal ...)."""
    with open("/proc/stat") as f:
        ticks = [int(t) for t in f.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks + [0] * (8 - len(ticks))
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class CpuWatch:
    """Wall time of a block, the CPU this process used in it, and the fraction of the
    machine's CPUs that other processes kept busy meanwhile."""

    def __enter__(self):
        self._busy = machine_busy_seconds()
        self._own = sum(os.times()[:2])
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._start
        own = sum(os.times()[:2]) - self._own
        others = machine_busy_seconds() - self._busy - own
        self.own_cpu_per_wall = own / self.wall
        self.foreign_cpu_frac = max(0.0, others / (self.wall * (os.cpu_count() or 1)))
        return False


def loaded_libraries(word):
    try:
        with open("/proc/self/maps") as f:
            return sorted({line.split()[-1] for line in f if word in line.lower() and ".so" in line})
    except OSError:
        return []


def limit_openblas_threads(threads):
    """Debian's torch calls BLAS (its dense layers) through the generic interface, and
    OpenBLAS then runs its own pool of one thread per CPU whatever set_num_threads says;
    size that pool too. Returns its size, or None when OpenBLAS is not loaded."""
    for path in loaded_libraries("libopenblas"):
        try:
            openblas = ctypes.CDLL(path)
            openblas.openblas_set_num_threads(int(threads))
            return int(openblas.openblas_get_num_threads())
        except (OSError, AttributeError):
            continue
    return None


# ---------------------------------------------------------------------------------------
# Modes
# ---------------------------------------------------------------------------------------
def to_layout(x, channels_last):
    return x.contiguous(memory_format=torch.channels_last) if channels_last else x


def measure_throughput(args, training):
    torch.manual_seed(args.seed)
    net = build_network(args.model)
    if args.channels_last:
        net = net.to(memory_format=torch.channels_last)
    count = THROUGHPUT_BATCHES * args.batch
    if args.data:
        (images, labels), _ = cifar_split(args.data, train_limit=count, test_limit=1)
    else:
        images, labels = noise_images(count, args.seed)
    x, y = as_tensors(images, labels)
    batches = [(to_layout(x[i:i + args.batch], args.channels_last), y[i:i + args.batch])
               for i in range(0, len(x) - args.batch + 1, args.batch)]
    if not batches:
        raise SystemExit("fewer than --batch %d images" % args.batch)
    steps = args.steps or (max(10, 4096 // args.batch) if training else max(20, 16384 // args.batch))

    if training:
        net.train()
        optimizer = make_optimizer(net, args.model)

        def run(i):
            sgd_step(net, optimizer, *batches[i % len(batches)])
    else:
        net.eval()

        def run(i):
            with torch.no_grad():
                F.softmax(net(batches[i % len(batches)][0]), dim=1)

    for i in range(args.warmup):
        run(i)
    with CpuWatch() as watch:
        for i in range(steps):
            run(i)
    images_done = steps * args.batch
    flops = flop_counts(net)["train" if training else "infer"]
    return {
        "steps": steps,
        "images": images_done,
        "seconds": watch.wall,
        "images_per_s": images_done / watch.wall,
        "gflops_per_s": images_done * flops / watch.wall / 1e9,
        "flops_per_image": flops,
        "self_cpu_per_wall": watch.own_cpu_per_wall,
        "foreign_cpu_frac": watch.foreign_cpu_frac,
    }


def evaluate(net, x, y, batch, channels_last):
    """Keras evaluate(): mean loss and accuracy over all images, dropout off."""
    net.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = net(to_layout(x[i:i + batch], channels_last))
            labels = y[i:i + batch]
            loss_sum += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += (logits.argmax(dim=1) == labels).sum().item()
    return loss_sum / len(x), correct / len(x)


def fit(args):
    """Keras fit(shuffle=True, validation_data=test set): the reported loss and accuracy
    are the epoch's running means over its batches, dropout on, as Keras reports them."""
    torch.manual_seed(args.seed)
    if args.data:
        (train_images, train_labels), (test_images, test_labels) = cifar_split(args.data, args.limit, args.val_limit)
        source = "cifar10-bin"
    else:
        train_images, train_labels = noise_images(args.limit or 2048, args.seed)
        test_images, test_labels = noise_images(args.val_limit or 512, args.seed + 1)
        source = "synthetic"
    x_train, y_train = as_tensors(train_images, train_labels)
    x_test, y_test = as_tensors(test_images, test_labels)
    net = build_network(args.model)
    if args.channels_last:
        net = net.to(memory_format=torch.channels_last)
    optimizer = make_optimizer(net, args.model)
    shuffler = np.random.RandomState(args.seed)

    history = []
    for epoch in range(1, args.epochs + 1):
        net.train()
        order = torch.from_numpy(shuffler.permutation(len(x_train)))
        loss_sum, correct = 0.0, 0
        with CpuWatch() as train_watch:
            for i in range(0, len(x_train), args.batch):
                picked = order[i:i + args.batch]
                labels = y_train[picked]
                loss, logits = sgd_step(net, optimizer, to_layout(x_train[picked], args.channels_last), labels)
                loss_sum += loss.item() * len(picked)
                correct += (logits.argmax(dim=1) == labels).sum().item()
        with CpuWatch() as val_watch:
            val_loss, val_acc = evaluate(net, x_test, y_test, args.batch, args.channels_last)
        record = {
            "epoch": epoch,
            "loss": loss_sum / len(x_train),
            "acc": correct / len(x_train),
            "val_loss": val_loss,
            "val_acc": val_acc,
            "train_seconds": train_watch.wall,
            "train_images_per_s": len(x_train) / train_watch.wall,
            "val_seconds": val_watch.wall,
            "foreign_cpu_frac": train_watch.foreign_cpu_frac,
            "lr_t_end": optimizer.current_lr(),
        }
        history.append(record)
        print(json.dumps(record), file=sys.stderr, flush=True)
    return {"source": source, "train_images": len(x_train), "val_images": len(x_test), "epochs": history}


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, choices=sorted(MODELS))
    parser.add_argument("--mode", required=True, choices=["train-throughput", "infer-throughput", "train"])
    parser.add_argument("--threads", type=positive_int, default=2, help="intra-op threads (default 2)")
    parser.add_argument("--blas-threads", type=positive_int, default=None,
                        help="OpenBLAS threads (default: --threads)")
    parser.add_argument("--batch", type=positive_int, default=32)
    parser.add_argument("--data", default=None,
                        help="folder of CIFAR-10 binary files; without it, uniform-noise images")
    parser.add_argument("--seed", type=int, default=0, help="initial weights, dropout and shuffling")
    parser.add_argument("--channels-last", action="store_true", help="NHWC memory layout instead of NCHW")
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="timed steps of a throughput mode (default: 4096 images to train, 16384 to infer)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps before a throughput timing")
    parser.add_argument("--epochs", type=positive_int, default=1, help="train mode")
    parser.add_argument("--limit", type=positive_int, default=None, help="train mode: the first N training images")
    parser.add_argument("--val-limit", type=positive_int, default=None, help="train mode: the first N test images")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    openblas_threads = limit_openblas_threads(args.blas_threads or args.threads)
    result = {
        "model": args.model,
        "mode": args.mode,
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "channels_last": args.channels_last,
        "torch": torch.__version__,
        "mkldnn": torch.backends.mkldnn.is_available(),
        "data": "cifar10-bin" if args.data else "synthetic",
    }
    if args.mode == "train":
        result.update(fit(args))
    else:
        result.update(measure_throughput(args, training=args.mode == "train-throughput"))
    result["blas_libs"] = ["%s (%s)" % (os.path.basename(p), os.path.basename(os.path.dirname(p)))
                           for p in loaded_libraries("blas")]
    result["openblas_threads"] = openblas_threads
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
