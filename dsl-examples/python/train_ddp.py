#!/usr/bin/python3
"""Trains a network emitted by ``netgen emit --target pytorch`` on Fashion-MNIST with DistributedDataParallel.

Emit the networks of a DSL file, then start one process per CPU slot or GPU with torchrun:

    netgen emit dsl-examples/Networks/tiny.net.txt --target pytorch -o /tmp/tiny
    torchrun --standalone --nproc_per_node 2 dsl-examples/python/train_ddp.py /tmp/tiny/tiny.py TinyResNet \\
        --steps 50 --batch-size 32 --limit 2000 --output ddp.pt --eval-output ddp-eval.pt

torch 1.13 under Python 3.11 (Debian 12's python3-torch) has a torchrun that stops with "AttributeError:
'NoneType' object has no attribute 'get'" before starting anything: its default ``--redirects 0 --tee 0`` do
not parse there. Give it ``--redirects 2 --tee 2`` (the workers' stderr also goes to log files, and to the
console as before); ``--monitor_interval 0.5`` saves seconds of waiting after short runs.

The module may also be given as a folder and ``--module-name tiny``. On CPU the processes talk over gloo;
with CUDA each process takes the GPU of its LOCAL_RANK and nccl. Several nodes run the same command with
``--nnodes N --node_rank I --rdzv_backend c10d --rdzv_endpoint HOST:PORT`` (or ``--master_addr``/``--master_port``).

Each process reads the same data and trains on its own shard of every epoch (DistributedSampler); DDP
averages the gradients, so the replicas stay identical, which the script checks at the end. Rank 0 prints
the loss of every step (averaged over all processes) and writes the results:

- ``--output``: ``model.module.state_dict()`` with torch.save; the C# class of the same name loads it
  strictly: ``new TinyResNet().LoadWeights("ddp.pt")``.
- ``--eval-output``: a torch.save'd dict of tensors for comparing the C# class with PyTorch: ``input`` (a
  fixed batch of held-out images), ``labels``, ``logits`` (the trained network in eval mode, float32 on the
  CPU, as the C# class computes them) and ``losses`` (every step's training loss, float64). C# reads it
  with ``Weights.ReadStateDict``.

Data: a folder with Fashion-MNIST's IDX files, raw or gzip (``t10k-images-idx3-ubyte[.gz]``,
``t10k-labels-idx1-ubyte[.gz]`` and optionally ``train-*``), as Debian's dataset-fashion-mnist installs
them in /usr/share/datasets/fashion-mnist. The default is the test set embedded in the repository
(dsl-examples/Data). The eval batch is the first ``--eval-size`` test images; training uses the training
files when the folder has them, else the remaining test images. Pixels are normalized as the C# demo does:
(p / 255 - 0.2860) / 0.3530.

Needs PyTorch 1.13 or later; use the Python that has it (here /usr/bin/python3 and /usr/bin/torchrun).
"""

from __future__ import annotations

import argparse
import copy
import gzip
import importlib.util
import math
import os
import struct
import sys
from pathlib import Path
from typing import Optional, Tuple

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.distributed.elastic.multiprocessing.errors import record
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

# Fashion-MNIST's training-set pixel mean and standard deviation (FashionMnist.Mean and .Std in C#).
MEAN = 0.2860
STD = 0.3530
SIDE = 28
IMAGE_MAGIC = 0x00000803
LABEL_MAGIC = 0x00000801
EMBEDDED_DATA = Path(__file__).resolve().parent.parent / "Data"
RUNTIME_MODULE = "netgen_torch.py"


def parse_arguments(argv: Optional[list] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Train a NetGen-emitted PyTorch network on Fashion-MNIST with DDP (start it with torchrun).")
    parser.add_argument("module", type=Path, help="the emitted .py file, or the folder it was emitted into")
    parser.add_argument("network", help="the network's class name, e.g. TinyResNet")
    parser.add_argument("--module-name", help="the module inside a MODULE folder (default: its only emitted .py file)")
    parser.add_argument("--data", type=Path, default=EMBEDDED_DATA,
                        help="folder of Fashion-MNIST IDX files, raw or .gz (default: the repository's embedded test set)")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--steps", type=int, help="optimizer steps to run, over as many epochs as they need")
    length.add_argument("--epochs", type=int, help="epochs to run (default 1)")
    parser.add_argument("--batch-size", type=int, default=64, help="images per process and step (default 64)")
    parser.add_argument("--lr", type=float, default=0.05, help="SGD learning rate (default 0.05)")
    parser.add_argument("--limit", type=int, help="train on the first N training images only")
    parser.add_argument("--eval-size", type=int, default=64, help="images in the fixed eval batch (default 64)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights, the shuffle and dropout (default 0)")
    parser.add_argument("--backend", choices=["gloo", "nccl"],
                        help="process group backend (default: nccl on CUDA devices, else gloo)")
    parser.add_argument("--device", help="cpu, cuda or cuda:N (default: cuda:LOCAL_RANK when CUDA is available, else cpu)")
    parser.add_argument("--output", type=Path, help="where rank 0 writes the trained state_dict (torch.save)")
    parser.add_argument("--eval-output", type=Path,
                        help="where rank 0 writes {input, labels, logits, losses} of the fixed eval batch (torch.save)")
    arguments = parser.parse_args(argv)
    for name in ("steps", "epochs", "batch_size", "eval_size", "limit"):
        value = getattr(arguments, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, not {value}")
    if arguments.steps is None and arguments.epochs is None:
        arguments.epochs = 1
    return arguments


# ---- The emitted network -------------------------------------------------------------------------------------


def load_network_class(module: Path, module_name: Optional[str], class_name: str) -> type:
    """Imports the emitted module from its file (its folder goes on sys.path for netgen_torch) and returns the class."""
    if module.is_dir():
        if module_name is None:
            candidates = sorted(p.stem for p in module.glob("*.py") if p.name != RUNTIME_MODULE)
            if len(candidates) != 1:
                raise SystemExit(f"{module}: holds {candidates or 'no emitted modules'}; choose one with --module-name")
            module_name = candidates[0]
        module = module / (module_name.removesuffix(".py") + ".py")
    if not module.is_file():
        raise SystemExit(f"{module}: no such file (emit it with: netgen emit FILE.net.txt --target pytorch -o FOLDER)")
    if not (module.parent / RUNTIME_MODULE).is_file():
        raise SystemExit(f"{module.parent}: {RUNTIME_MODULE} is missing; netgen emit -o writes it beside the module")
    sys.path.insert(0, str(module.parent.resolve()))
    spec = importlib.util.spec_from_file_location(module.stem, module)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    network = getattr(loaded, class_name, None)
    if not (isinstance(network, type) and issubclass(network, nn.Module)):
        found = sorted(n for n, v in vars(loaded).items() if isinstance(v, type) and issubclass(v, nn.Module) and v.__module__ == loaded.__name__)
        raise SystemExit(f"{module}: no network '{class_name}'; it has {', '.join(found)}")
    if tuple(network.input_shape) != (1, SIDE, SIDE):
        raise SystemExit(f"{class_name} takes input {network.input_shape}, Fashion-MNIST images are (1, {SIDE}, {SIDE})")
    return network


# ---- Fashion-MNIST -------------------------------------------------------------------------------------------


def find_idx(folder: Path, name: str) -> Optional[Path]:
    """The IDX file ``name`` in ``folder``, raw or gzip, as the C# loader looks for it."""
    return next((p for p in (folder / name, folder / (name + ".gz")) if p.is_file()), None)


def read_idx(path: Path, magic: int, dimensions: int) -> Tensor:
    """An IDX file's data as a uint8 tensor of its declared shape; the magic and the length are checked."""
    with open(path, "rb") as stream:
        compressed = stream.read(2) == b"\x1f\x8b"
    with (gzip.open if compressed else open)(path, "rb") as stream:
        data = stream.read()
    header = 4 + 4 * dimensions
    if len(data) < header or struct.unpack(">i", data[:4])[0] != magic:
        raise SystemExit(f"{path}: not an IDX file with magic 0x{magic:08X}")
    shape = struct.unpack(f">{dimensions}i", data[4:header])
    expected = header + math.prod(shape)
    if len(data) != expected:
        raise SystemExit(f"{path}: {len(data):,} bytes where its header {shape} needs {expected:,}")
    return torch.frombuffer(bytearray(data[header:]), dtype=torch.uint8).reshape(shape)


def read_split(folder: Path, prefix: str) -> Optional[Tuple[Tensor, Tensor]]:
    """Normalized float32 images N x 1 x 28 x 28 and int64 labels of ``prefix`` ("train" or "t10k"), or None if absent."""
    images_path = find_idx(folder, f"{prefix}-images-idx3-ubyte")
    labels_path = find_idx(folder, f"{prefix}-labels-idx1-ubyte")
    if images_path is None or labels_path is None:
        return None
    images = read_idx(images_path, IMAGE_MAGIC, 3)
    labels = read_idx(labels_path, LABEL_MAGIC, 1)
    if images.shape[1:] != (SIDE, SIDE) or images.shape[0] != labels.shape[0]:
        raise SystemExit(f"{folder}/{prefix}-*: {tuple(images.shape)} images for {labels.shape[0]} labels")
    # The same float32 arithmetic as FashionMnist.BuildSplit in C#.
    normalized = (images.unsqueeze(1).to(torch.float32) / 255.0 - MEAN) / STD
    return normalized, labels.to(torch.int64)


def load_data(folder: Path, eval_size: int, limit: Optional[int]) -> Tuple[TensorDataset, Tensor, Tensor]:
    """The training set and the fixed eval batch (images, labels): the first ``eval_size`` test images, never trained on."""
    test = read_split(folder, "t10k")
    if test is None:
        raise SystemExit(f"{folder}: no t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]")
    test_images, test_labels = test
    if eval_size >= len(test_labels):
        raise SystemExit(f"--eval-size {eval_size} leaves none of the {len(test_labels)} test images")
    train = read_split(folder, "train")
    images, labels = train if train is not None else (test_images[eval_size:], test_labels[eval_size:])
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return TensorDataset(images, labels), test_images[:eval_size], test_labels[:eval_size]


# ---- Distributed training ------------------------------------------------------------------------------------


def choose_device(requested: Optional[str], local_rank: int) -> torch.device:
    """The given device (a bare "cuda" becomes this process's GPU), else cuda:LOCAL_RANK when there is CUDA, else the CPU."""
    if requested is None:
        requested = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(requested)
    if device.type == "cuda":
        device = torch.device("cuda", local_rank if device.index is None else device.index)
        torch.cuda.set_device(device)
    return device


def mean_over_processes(value: Tensor) -> float:
    """The average of a scalar over all processes (every process must call it)."""
    total = value.detach().clone()
    dist.all_reduce(total)
    return total.item() / dist.get_world_size()


def check_replicas_agree(model: nn.Module) -> None:
    """DDP keeps the parameters of all processes identical; fails if they are not (a broken setup, not noise)."""
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    reference = flat.clone()
    dist.broadcast(reference, src=0)
    differs = torch.tensor([0.0 if torch.equal(flat, reference) else 1.0], device=flat.device)
    dist.all_reduce(differs)
    if differs.item() > 0:
        raise RuntimeError(f"after training, the parameters of {int(differs.item())} process(es) differ from rank 0's")


def train(arguments: argparse.Namespace) -> None:
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = choose_device(arguments.device, local_rank)

    network_class = load_network_class(arguments.module, arguments.module_name, arguments.network)
    dataset, eval_images, eval_labels = load_data(arguments.data, arguments.eval_size, arguments.limit)
    # drop_last keeps every batch full (BatchNorm in train mode needs more than one value per channel).
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=arguments.seed, drop_last=True)
    loader = DataLoader(dataset, batch_size=arguments.batch_size, sampler=sampler, drop_last=True)
    if len(loader) == 0:
        raise SystemExit(f"{len(dataset)} images make no full batch of {arguments.batch_size} for each of {world} processes")

    # The same seed everywhere gives the same initial weights (DDP broadcasts rank 0's anyway); afterwards each
    # process draws its own dropout and stochastic-depth masks.
    torch.manual_seed(arguments.seed)
    network = network_class().to(device)
    torch.manual_seed(arguments.seed + 1 + rank)
    model = DistributedDataParallel(network, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer = torch.optim.SGD(model.parameters(), lr=arguments.lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    loss_function = nn.CrossEntropyLoss()

    total = arguments.steps if arguments.steps is not None else arguments.epochs * len(loader)
    if rank == 0:
        print(f"{arguments.network}: {sum(p.numel() for p in network.parameters()):,} parameters; {world} processes "
              f"({dist.get_backend()}, {device.type}); {len(dataset):,} images, {len(loader)} steps per epoch of "
              f"{arguments.batch_size} x {world}; {total} steps", flush=True)

    losses = []
    epoch = 0
    model.train()
    while len(losses) < total:
        sampler.set_epoch(epoch)  # a different shuffle each epoch, the same one in every process
        for images, labels in loader:
            images, labels = images.to(device, non_blocking=True), labels.to(device, non_blocking=True)
            loss = loss_function(model(images), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()  # DDP averages the gradients over all processes here
            optimizer.step()
            losses.append(mean_over_processes(loss))
            if rank == 0:
                print(f"step {len(losses)}/{total}  epoch {epoch + 1}  loss {losses[-1]:.4f}", flush=True)
            if len(losses) == total:
                break
        epoch += 1

    check_replicas_agree(model.module)
    if rank == 0:
        save_results(arguments, model.module, eval_images, eval_labels, losses)
    dist.barrier()  # no process leaves before rank 0 has written its files


def save_results(arguments: argparse.Namespace, network: nn.Module, eval_images: Tensor, eval_labels: Tensor, losses: list) -> None:
    """Rank 0's files: the state_dict, and the eval batch with the trained network's logits."""
    if arguments.output is not None:
        arguments.output.parent.mkdir(parents=True, exist_ok=True)
        torch.save({k: v.detach().cpu() for k, v in network.state_dict().items()}, arguments.output)
        print(f"wrote {arguments.output}", flush=True)
    if arguments.eval_output is not None:
        # A CPU float32 copy computes the logits as the C# class will: a GPU would use TF32 convolutions.
        evaluator = copy.deepcopy(network).cpu().eval()
        with torch.no_grad():
            logits = evaluator(eval_images)
        accuracy = (logits.argmax(1) == eval_labels).float().mean().item()
        arguments.eval_output.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"input": eval_images, "labels": eval_labels, "logits": logits,
                    "losses": torch.tensor(losses, dtype=torch.float64)}, arguments.eval_output)
        print(f"wrote {arguments.eval_output} (eval batch of {len(eval_labels)}: accuracy {accuracy:.3f})", flush=True)


@record  # torchrun's failure summary then shows the exception of the process that failed first
def main() -> None:
    arguments = parse_arguments()
    if "RANK" not in os.environ:
        raise SystemExit("start this script with torchrun, e.g. torchrun --standalone --nproc_per_node 2 "
                         + " ".join([Path(sys.argv[0]).name] + sys.argv[1:]))
    wants_cuda = (arguments.device or ("cuda" if torch.cuda.is_available() else "cpu")).startswith("cuda")
    dist.init_process_group(backend=arguments.backend or ("nccl" if wants_cuda else "gloo"))
    try:
        train(arguments)
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
