#!/usr/bin/python3
"""The peer for `npm run bench`: the same networks, batch sizes and input sizes as Little Data Studio,
run in PyTorch on the same machine, timed the same way. Prints one JSON object as its last line.

The bench runs this with /usr/bin/python3 (Debian's python3-torch), torch.set_num_threads(cpu count),
and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed from this process's environment only: with them set,
OpenBLAS picks a slow kernel here and the ratio would flatter us.

Figures (seconds are medians over timed repetitions after warm-up; *Min / *Best: the fastest repetition,
which is the fairer figure when other work shares the machine):
  scratchStepSeconds       one training step of the recipe's small CNN (150 px, batch 16)
  forwardImagesPerSecond   MobileNetV2 alpha 0.35 forward to the pooled 1280 features, 224 px, batch 16,
                           decode excluded (a ready tensor)
  forwardDecodeImagesPerSecond  the same including JPEG decode + centre crop + resize of real images
  headEpochSeconds         one epoch of the pooled-features head (dense on 1280 features) over 2000 samples
  finetuneStepSeconds      one step of MobileNetV2 0.35 with its last block (+ final 1x1 conv) unfrozen,
                           batch-norm in inference mode, SGD lr 1e-4 momentum 0.9, batch 16, 224 px
"""
import argparse
import glob
import json
import os
import platform
import re
import statistics
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--images", default="", help="folder of JPEGs searched recursively (decode-included forward)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--scratch-size", type=int, default=150)
    p.add_argument("--backbone-size", type=int, default=224)
    p.add_argument("--head-samples", type=int, default=2000)
    p.add_argument("--head-hidden", type=int, default=0, help="0: dropout + dense to classes; N: dense N relu first")
    p.add_argument("--classes", type=int, default=2)
    p.add_argument("--repeats", type=int, default=10, help="timed repetitions per figure")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--tiny", action="store_true", help="smoke test: tiny inputs, one repeat (for the test suite)")
    return p.parse_args()


def median_seconds(fn, repeats, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def scratch_cnn(torch, nn, size, classes):
    # Keras "very little data" recipe: 3 x (conv 3x3 relu + maxpool 2x2) with 32-32-64 filters, valid padding.
    side = size
    for _ in range(3):
        side = (side - 2) // 2
    return nn.Sequential(
        nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * side * side, 64), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(64, classes),
    )


def mobilenet_features(torch, torchvision):
    # Random weights: speed only. width_mult 0.35 gives the same 1280-channel last conv as Keras' alpha 0.35.
    net = torchvision.models.mobilenet_v2(weights=None, width_mult=0.35)
    return net.features


def load_images(folder, count, size, torch):
    from PIL import Image  # noqa: PLC0415 (only needed for the decode-included figure)
    import numpy as np  # noqa: PLC0415

    paths = sorted(glob.glob(os.path.join(folder, "**", "*.jpg"), recursive=True))[:count]

    def decode(path):
        img = Image.open(path)
        img.draft("RGB", (size, size))  # DCT-domain downscale on load, as sharp's shrink-on-load does
        img = img.convert("RGB")
        w, h = img.size
        side = min(w, h)
        left, top = (w - side) // 2, (h - side) // 2
        img = img.crop((left, top, left + side, top + side)).resize((size, size), Image.BILINEAR)
        arr = np.asarray(img, dtype=np.float32) / 127.5 - 1.0
        return torch.from_numpy(arr).permute(2, 0, 1)

    return paths, decode


def main():
    args = parse_args()
    if args.tiny:
        args.batch, args.scratch_size, args.backbone_size = 2, 48, 64
        args.head_samples, args.repeats, args.warmup = 32, 1, 0

    import torch
    import torch.nn as nn
    import torchvision

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    result = {
        "peer": "pytorch",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "openblasEnv": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
        "blas": blas_name(torch),
        "batch": args.batch,
        "scratchSize": args.scratch_size,
        "backboneSize": args.backbone_size,
        "repeats": args.repeats,
        "tiny": args.tiny,
    }
    b = args.batch

    # 1. Scratch CNN training step.
    cnn = scratch_cnn(torch, nn, args.scratch_size, args.classes).train()
    opt = torch.optim.RMSprop(cnn.parameters(), lr=1e-4)
    x = torch.rand(b, 3, args.scratch_size, args.scratch_size)
    y = torch.randint(0, args.classes, (b,))
    loss_fn = nn.CrossEntropyLoss()

    def scratch_step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(cnn(x), y)
        loss.backward()
        opt.step()

    result["scratchStepSeconds"], result["scratchStepSecondsMin"] = median_seconds(scratch_step, args.repeats, args.warmup)

    # 2. MobileNetV2 0.35 forward to pooled features, decode excluded.
    base = mobilenet_features(torch, torchvision).eval()
    xb = torch.rand(b, 3, args.backbone_size, args.backbone_size) * 2 - 1

    def forward():
        with torch.no_grad():
            base(xb).mean(dim=(2, 3))

    fwd, fwd_min = median_seconds(forward, args.repeats, args.warmup)
    result["forwardBatchSeconds"] = fwd
    result["forwardImagesPerSecond"] = b / fwd
    result["forwardImagesPerSecondBest"] = b / fwd_min

    # 3. The same forward including decode, crop and resize of real JPEGs (one pass, like an extraction run).
    if args.images and os.path.isdir(args.images):
        count = b * max(2, args.repeats)
        paths, decode = load_images(args.images, count, args.backbone_size, torch)
        if paths:
            forward()  # warm
            t0 = time.perf_counter()
            with torch.no_grad():
                for i in range(0, len(paths), b):
                    batch = torch.stack([decode(p) for p in paths[i:i + b]])
                    base(batch).mean(dim=(2, 3))
            elapsed = time.perf_counter() - t0
            result["forwardDecodeImages"] = len(paths)
            result["forwardDecodeImagesPerSecond"] = len(paths) / elapsed
    if "forwardDecodeImagesPerSecond" not in result:
        result["forwardDecodeReason"] = "no --images folder given"

    # 4. Pooled-features head: one epoch over head_samples feature vectors at batch b.
    feats = torch.rand(args.head_samples, 1280)
    labels = torch.randint(0, args.classes, (args.head_samples,))
    layers = []
    width = 1280
    if args.head_hidden:
        layers += [nn.Linear(1280, args.head_hidden), nn.ReLU()]
        width = args.head_hidden
    layers += [nn.Dropout(0.5), nn.Linear(width, args.classes)]
    head = nn.Sequential(*layers).train()
    head_opt = torch.optim.Adam(head.parameters(), lr=1e-3)

    def head_epoch():
        perm = torch.randperm(args.head_samples)
        for i in range(0, args.head_samples, b):
            idx = perm[i:i + b]
            head_opt.zero_grad(set_to_none=True)
            loss_fn(head(feats[idx]), labels[idx]).backward()
            head_opt.step()

    result["headEpochSeconds"], result["headEpochSecondsMin"] = median_seconds(head_epoch, max(1, min(args.repeats, 5)), min(args.warmup, 1))
    result["headSamples"] = args.head_samples

    # 5. Fine-tune step: last inverted-residual block and the final 1x1 conv trainable, BN in inference mode.
    ft_base = mobilenet_features(torch, torchvision)
    for p in ft_base.parameters():
        p.requires_grad_(False)
    top = [ft_base[17], ft_base[18]]
    for block in top:
        for p in block.parameters():
            p.requires_grad_(True)
    ft_head = nn.Sequential(nn.Dropout(0.5), nn.Linear(1280, args.classes))
    ft_base.eval()  # batch-norm layers stay in inference mode
    ft_head.train()
    params = [p for blk in top for p in blk.parameters()] + list(ft_head.parameters())
    ft_opt = torch.optim.SGD(params, lr=1e-4, momentum=0.9)
    yb = torch.randint(0, args.classes, (b,))

    def finetune_step():
        ft_opt.zero_grad(set_to_none=True)
        logits = ft_head(ft_base(xb).mean(dim=(2, 3)))
        loss_fn(logits, yb).backward()
        ft_opt.step()

    result["finetuneStepSeconds"], result["finetuneStepSecondsMin"] = median_seconds(finetune_step, args.repeats, args.warmup)
    result["finetuneTrainableParams"] = sum(p.numel() for p in params)
    print(json.dumps(result))


def blas_name(torch):
    try:
        cfg = torch.__config__.show()
    except Exception:  # noqa: BLE001 (older builds lack it; the name is informative only)
        return None
    match = re.search(r"BLAS_INFO=([^,\s]+)", cfg)
    return match.group(1) if match else None


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # one clear line for the bench, non-zero exit
        print(f"torch_peer: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
