#!/usr/bin/env python3
"""PyTorch's half of NetGen's GPU check (tests/NetGen.GpuCheck reads what this writes).

For each network (torchvision's, initialised from --seed): every normalisation layer's scale and shift is drawn at
random and BatchNorm's running statistics are taken from a random calibration batch, so that the logits depend on the
input (torchvision's own initialisation gives EfficientNet-B0 logits of ~1e-14 for any image, which any implementation
would match), and the classifier is scaled to logits of standard deviation 1. Then, in --out:
  NAME.pt            torch.save of the state_dict
  NAME_io.pt         torch.save of {"input", "logits", "input2", "logits2"}: two fixed inputs and their eval logits
  pytorch-NAME.json  parameters, max |logit|, input sensitivity, eval forward and SGD training step medians (ms; the
                     step with PyTorch's default SGD, foreach kernels on CUDA, with foreach=False, and with bf16
                     autocast and channels-last memory), the optimizer
                     alone (zero_grad and step: ms, and the operators torch.profiler counts), peak device memory above
                     the model's own (MiB, CUDA only)
  environment.json   device, driver, CUDA, cuDNN, torch, torchvision, Python and the run's settings
Works with torch 1.13 (Debian, CPU) and torch 2.x (CUDA).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import torch
import torchvision

NETWORKS = ["resnet50", "efficientnet_b0", "densenet121", "convnext_tiny", "mobilenet_v3_large", "regnet_y_1_6gf"]
NORMS = (torch.nn.modules.batchnorm._BatchNorm, torch.nn.LayerNorm, torch.nn.GroupNorm)
T0 = time.time()


def log(message):
    print(f"[+{time.time() - T0:7.2f}s] [python] {message}", flush=True)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def build(name, seed, size):
    """torchvision's network with random normalisation parameters, calibrated running statistics and logits of
    standard deviation 1, in eval mode."""
    torch.manual_seed(seed)
    model = getattr(torchvision.models, name)(weights=None)
    generator = torch.Generator().manual_seed(seed + 2)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, NORMS) and getattr(module, "weight", None) is not None:
                module.weight.copy_(torch.rand(module.weight.shape, generator=generator) + 0.5)
                module.bias.copy_((torch.rand(module.bias.shape, generator=generator) - 0.5) * 0.4)
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                module.reset_running_stats()
                module.momentum = None  # a cumulative average: the calibration batch's own statistics
        model.train()
        model(torch.randn(8, 3, size, size, generator=generator))
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                module.momentum = 0.1
        # The classifier scaled so that the logits' standard deviation on a random batch is 1: torchvision's own
        # classifier initialisation gives MobileNetV3-Large logits of ~0.05, too small for a 1e-3 tolerance to mean much.
        model.eval()
        classifier = [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1]
        scale = model(torch.randn(8, 3, size, size, generator=generator)).std().item()
        classifier.weight.div_(scale)
        classifier.bias.div_(scale)
    return model


def median_ms(step, device, warmup, iterations):
    for _ in range(warmup):
        step()
    sync(device)
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        step()
        sync(device)
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def optimizer_alone(optimizer, device, a):
    """The optimizer on the gradients of the last training step: zero_grad and step, timed, and the operators they
    dispatch (each a kernel launch on CUDA), counted with torch.profiler. The gradients are zeroed, not set to None
    (torch 2's default), as TorchSharp's optimizers and FlatSgd do: a step without gradients would do nothing."""
    def step():
        optimizer.zero_grad(set_to_none=False)
        optimizer.step()

    ms = median_ms(step, device, a.warmup, a.iterations)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profile:
        step()
    # The operators the optimizer calls directly: children of its record_function ranges ("Optimizer.step#SGD.step").
    operators = sum(1 for e in profile.events()
                    if e.name.startswith("aten::") and e.cpu_parent is not None and e.cpu_parent.name.startswith("Optimizer."))
    return {"ms": ms, "operators": operators}


def mib(count):
    return None if count is None else count / 2**20


def run(name, a, device):
    log(f"=== {name} ===")
    model = build(name, a.seed, a.size)
    parameters = sum(p.numel() for p in model.parameters())
    torch.save({k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}, os.path.join(a.out, name + ".pt"))

    generator = torch.Generator().manual_seed(a.seed + 1)
    x1 = torch.randn(a.check_batch, 3, a.size, a.size, generator=generator)
    x2 = torch.randn(a.check_batch, 3, a.size, a.size, generator=generator)
    model = model.to(device)
    with torch.no_grad():
        y1 = model(x1.to(device)).float().cpu()
        y2 = model(x2.to(device)).float().cpu()
    torch.save({"input": x1, "logits": y1, "input2": x2, "logits2": y2}, os.path.join(a.out, name + "_io.pt"))
    sensitivity = (y1 - y2).abs().mean().item()
    log(f"{parameters:,} parameters; max |logit| {y1.abs().max().item():.3g}; input sensitivity {sensitivity:.3g}")

    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    reserved = torch.cuda.memory_reserved() if device.type == "cuda" else None
    allocated = torch.cuda.memory_allocated() if device.type == "cuda" else None
    torch.manual_seed(0)
    images = torch.randn(a.batch, 3, a.size, a.size, device=device)
    labels = torch.randint(0, 1000, (a.batch,), device=device)
    with torch.no_grad():
        eval_ms = median_ms(lambda: model(images), device, a.warmup, a.iterations)
    model.train()

    def train_step(optimizer):
        def step():
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(images), labels).backward()
            optimizer.step()
        return step

    # PyTorch's default SGD (multi-tensor foreach kernels on CUDA), then its per-parameter loop for comparison.
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    train_ms = median_ms(train_step(optimizer), device, a.warmup, a.iterations)
    peak_reserved = mib(torch.cuda.max_memory_reserved() - reserved) if device.type == "cuda" else None
    peak_allocated = mib(torch.cuda.max_memory_allocated() - allocated) if device.type == "cuda" else None
    default_optimizer = optimizer_alone(optimizer, device, a)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, foreach=False)
    train_for_loop_ms = median_ms(train_step(optimizer), device, a.warmup, a.iterations)
    for_loop_optimizer = optimizer_alone(optimizer, device, a)
    # Mixed precision as it is trained on such GPUs: bf16 autocast (no loss scaling needed), weights and images in
    # channels-last memory, PyTorch's default SGD; the loss in float32.
    model = model.to(memory_format=torch.channels_last)
    images_channels_last = images.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def mixed_step():
        optimizer.zero_grad()
        with torch.autocast(device.type, dtype=torch.bfloat16):
            logits = model(images_channels_last)
        torch.nn.functional.cross_entropy(logits.float(), labels).backward()
        optimizer.step()
    try:
        mixed_train_ms = median_ms(mixed_step, device, a.warmup, a.iterations)
    except RuntimeError as e:  # torch 1.13's CPU autocast lacks some bf16 kernels (ConvNeXt's layer_norm)
        log(f"bf16 autocast training step failed: {str(e).splitlines()[0]}")
        mixed_train_ms = None
    log(f"eval forward {eval_ms:.2f} ms, training step {train_ms:.2f} ms, with foreach=False {train_for_loop_ms:.2f} ms, "
        f"bf16 autocast and channels-last {'–' if mixed_train_ms is None else f'{mixed_train_ms:.2f}'} ms (medians of {a.iterations})")
    log(f"optimizer alone (zero_grad and step): {default_optimizer['ms']:.2f} ms, {default_optimizer['operators']} operators; "
        f"with foreach=False {for_loop_optimizer['ms']:.2f} ms, {for_loop_optimizer['operators']} operators")
    if device.type == "cuda":
        log(f"peak device memory above the model's own: {peak_reserved:.0f} MiB reserved, {peak_allocated:.0f} MiB allocated")
    result = {"network": name, "parameters": parameters, "max_abs_logit": y1.abs().max().item(), "sensitivity": sensitivity,
              "eval_ms": eval_ms, "train_ms": train_ms, "train_for_loop_ms": train_for_loop_ms, "mixed_train_ms": mixed_train_ms,
              "optimizer_ms": default_optimizer["ms"], "optimizer_operators": default_optimizer["operators"],
              "optimizer_for_loop_ms": for_loop_optimizer["ms"], "optimizer_for_loop_operators": for_loop_optimizer["operators"],
              "peak_reserved_mib": peak_reserved, "peak_allocated_mib": peak_allocated}
    write_json(os.path.join(a.out, f"pytorch-{name}.json"), result)
    del model, optimizer, images, images_channels_last, labels
    if device.type == "cuda":
        torch.cuda.empty_cache()


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")


def driver_version():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else None
    except (OSError, subprocess.SubprocessError):
        return None


def environment(a, device):
    cuda = device.type == "cuda"
    return {"device": device.type,
            "device_name": torch.cuda.get_device_name(0) if cuda else f"{platform.processor() or platform.machine()}, torch threads: {torch.get_num_threads()}",
            "driver": driver_version() if cuda else None,
            "cuda": torch.version.cuda if cuda else None,
            "cudnn": str(torch.backends.cudnn.version()) if cuda else None,
            "torch": torch.__version__, "torchvision": torchvision.__version__, "python": platform.python_version(),
            "batch": a.batch, "size": a.size, "check_batch": a.check_batch, "warmup": a.warmup, "iterations": a.iterations, "seed": a.seed}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="folder for the files (created)")
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--networks", default=",".join(NETWORKS), help="comma-separated, of: " + ", ".join(NETWORKS))
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--check-batch", type=int, default=4, help="images of each fixed input")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    names = [n.strip() for n in a.networks.split(",") if n.strip()]
    unknown = [n for n in names if n not in NETWORKS]
    if unknown:
        p.error(f"unknown network {unknown[0]}; known: {', '.join(NETWORKS)}")
    if min(a.batch, a.size, a.check_batch, a.iterations) < 1 or a.warmup < 0:
        p.error("--batch, --size, --check-batch and --iterations must be positive, --warmup zero or more")
    if a.device == "cuda" and not torch.cuda.is_available():
        print("ref.py: CUDA is not available to PyTorch", file=sys.stderr)
        return 1
    os.makedirs(a.out, exist_ok=True)
    device = torch.device(a.device)
    env = environment(a, device)
    write_json(os.path.join(a.out, "environment.json"), env)
    log(f"torch {env['torch']}, torchvision {env['torchvision']}, on {env['device_name']}; "
        f"cudnn.allow_tf32 {torch.backends.cudnn.allow_tf32}, cuda.matmul.allow_tf32 {torch.backends.cuda.matmul.allow_tf32}")
    for name in names:
        run(name, a, device)
    return 0


if __name__ == "__main__":
    sys.exit(main())
