#!/usr/bin/python3
"""The Python half of PyTorchTargetTests.cs: runs modules emitted by `netgen emit --target pytorch`.

Run with Debian's Python (apt-get install python3-torch python3-torchvision). Every command prints one JSON
object on stdout; the C# test asserts on it.

    pytorch_target.py describe DIR MODULE CLASS...
        each class built with its default arguments: its state_dict keys and shapes in order, and its
        parameter count (class attribute and counted).
    pytorch_target.py construct DIR MODULE CLASS ARGUMENTS
        the same for one class built with ARGUMENTS, a JSON object of keyword arguments.
    pytorch_target.py torchvision DIR MODULE RESOLUTION CLASS...
        each class against torchvision's model of the same name (tests/reference/make_reference.py's table):
        torchvision's state_dict, filled with make_equivalence.py's deterministic pattern, loads strictly into
        the emitted module; eval logits of both for a deterministic batch of two; with auxiliary heads, the
        train-mode outputs (dropout off) of forward_with_auxiliary against torchvision's.
    pytorch_target.py compare DIR MODULE MANIFEST
        for each {"class", "weights", "check"} of the JSON file MANIFEST: loads the weights strictly into the
        class, runs the check's "input" in eval mode and compares with its "logits".
    pytorch_target.py roundtrip DIR MODULE CLASS WEIGHTS CHECK OUT_WEIGHTS OUT_CHECK
        loads C#'s state_dict WEIGHTS strictly, runs CHECK's "input" in eval mode and compares with CHECK's
        "logits" (C#'s); then moves every parameter and buffer by a seeded amount, saves the state_dict to
        OUT_WEIGHTS and {"input", "logits"} of the moved network to OUT_CHECK, for C# to load back.
    pytorch_target.py serve
        runs commands read from stdin, one JSON array of the arguments above a line, and answers each with
        one line on stdout: {"result": the command's JSON} or {"error": its traceback}. The C# tests keep one
        such process for all their commands instead of importing torch (about 2 s) for each.
"""
import argparse
import contextlib
import gc
import importlib.util
import itertools
import json
import os
import sys
import traceback

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


LOADED = itertools.count()


def load_module(folder, module):
    """FOLDER/MODULE.py, with the runtime netgen_torch.py beside it, loaded afresh: a served process sees many
    folders, some holding a module of the same name."""
    folder = os.path.abspath(folder)
    runtime = sys.modules.get("netgen_torch")
    if runtime is not None and os.path.dirname(os.path.abspath(runtime.__file__)) != folder:
        del sys.modules["netgen_torch"]
    name = f"{module}_{next(LOADED)}"
    spec = importlib.util.spec_from_file_location(name, os.path.join(folder, module + ".py"))
    emitted = importlib.util.module_from_spec(spec)
    sys.path.insert(0, folder)
    sys.modules[name] = emitted
    try:
        spec.loader.exec_module(emitted)
    finally:
        sys.path.remove(folder)
    return emitted


def describe(folder, module, classes, arguments=None):
    emitted = load_module(folder, module)
    result = {}
    for name in classes:
        cls = getattr(emitted, name)
        with uninitialized():
            model = cls(**(arguments or {}))
        result[name] = {
            "keys": [[key, list(tensor.shape)] for key, tensor in model.state_dict().items()],
            "parameter_count": cls.parameter_count,
            "counted": sum(p.numel() for p in model.parameters()),
        }
        del model
    return result


@contextlib.contextmanager
def uninitialized():
    """Builds modules without their initializers (torch.nn.init's in-place fills do nothing): every tensor is
    filled or loaded next, and initializing a network of 600 million parameters twice costs minutes."""
    names = [n for n in dir(torch.nn.init) if n.endswith("_") and not n.startswith("_")]
    saved = {n: getattr(torch.nn.init, n) for n in names}
    try:
        for n in names:
            setattr(torch.nn.init, n, lambda tensor, *args, **kwargs: tensor)
        yield
    finally:
        for n, f in saved.items():
            setattr(torch.nn.init, n, f)


def seeded_fill(model, damped):
    """make_equivalence.py's weights scaled by role, drawn from torch's generator into each tensor in place: the
    same magnitudes, and fast enough for the largest networks (its hash-based pattern costs minutes there; C#
    need not repeat these)."""
    from make_equivalence import role

    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for key, tensor in model.state_dict().items():
            offset, factor = role(key, list(tensor.shape), damped)
            if tensor.is_floating_point():
                tensor.uniform_(-1, 1, generator=generator).mul_(factor).add_(offset)
            else:
                tensor.fill_(int(offset))


def differences(a, b):
    return (a.double() - b.double()).abs().max().item()


@torch.no_grad()
def against_torchvision(folder, module, resolution, classes):
    import torchvision
    from make_equivalence import damped_keys, deterministic_input
    from make_reference import BUILT, MODELS

    emitted = load_module(folder, module)
    result = {}
    for name in classes:
        with uninitialized():
            if name in MODELS:
                constructor, kwargs, native = MODELS[name]
                reference = getattr(torchvision.models, constructor)(weights=None, **kwargs).eval()
            else:
                build, native = BUILT[name]
                reference = build().eval()
            model = getattr(emitted, name)().eval()
        size = min(native, resolution)
        seeded_fill(reference, damped_keys(name, reference))
        missing, unexpected = model.load_state_dict(reference.state_dict(), strict=True)
        x = deterministic_input("input", [2, 3, size, size])
        expected, actual = reference(x), model(x)
        other = reference(deterministic_input("other input", [2, 3, size, size]))
        entry = {
            "resolution": size,
            "difference": differences(actual, expected),
            "spread": (expected.max() - expected.min()).item(),
            "moved": differences(other, expected),
            "strict": not missing and not unexpected,
        }
        if hasattr(model, "forward_with_auxiliary"):
            # Train mode for the heads (torchvision runs them only in training), dropout off on both sides.
            for net in (reference, model):
                net.train()
                for layer in net.modules():
                    if isinstance(layer, torch.nn.Dropout):
                        layer.eval()
            ours = model.forward_with_auxiliary(x)._asdict()
            theirs = reference(x)._asdict()
            # torchvision's field for each head. GoogLeNet's are crossed: its forward unpacks _forward's
            # (x, aux2, aux1) as (x, aux1, aux2), so aux_logits2 holds the head after inception4a (aux1).
            fields = {"logits": "logits", "aux1": "aux_logits2", "aux2": "aux_logits1", "AuxLogits": "aux_logits"}
            entry["auxiliary"] = {field: differences(value, theirs[fields[field]]) for field, value in ours.items()}
        result[name] = entry
        del reference, model
    return result


@torch.no_grad()
def compare(folder, module, manifest):
    emitted = load_module(folder, module)
    result = {}
    with open(manifest) as file:
        entries = json.load(file)
    for entry in entries:
        model = getattr(emitted, entry["class"])().eval()
        missing, unexpected = model.load_state_dict(torch.load(entry["weights"]), strict=True)
        reference = torch.load(entry["check"])
        result[entry["class"]] = {
            "strict": not missing and not unexpected,
            "difference": differences(model(reference["input"]), reference["logits"]),
            "scale": reference["logits"].abs().max().item(),
        }
    return result


@torch.no_grad()
def roundtrip(folder, module, name, weights, check, out_weights, out_check):
    emitted = load_module(folder, module)
    model = getattr(emitted, name)().eval()
    state = torch.load(weights)
    missing, unexpected = model.load_state_dict(state, strict=True)
    reference = torch.load(check)
    logits = model(reference["input"])
    result = {
        "strict": not missing and not unexpected,
        "difference": differences(logits, reference["logits"]),
        "spread": (reference["logits"].max() - reference["logits"].min()).item(),
    }
    # Back: other weights, made here, for C# to load and run.
    generator = torch.Generator().manual_seed(17)
    for key, tensor in model.state_dict().items():
        if tensor.is_floating_point():
            noise = torch.rand(tensor.shape, generator=generator, dtype=tensor.dtype) * 0.1 + 0.95
            tensor.mul_(noise)
    torch.save(model.state_dict(), out_weights)
    x = reference["input"].flip(0)
    torch.save({"input": x, "logits": model(x)}, out_check)
    return result


def parse(argv):
    parser = argparse.ArgumentParser(description="Checks of emitted NetGen modules for PyTorchTargetTests; prints JSON.")
    parser.add_argument("--folder", required=True, help="the folder holding the emitted module and netgen_torch.py")
    parser.add_argument("--module", required=True, help="the emitted module's name")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("describe", help="state_dict keys, shapes and counts of classes")
    command.add_argument("classes", nargs="+")
    command = commands.add_parser("construct", help="the same for one class built with constructor arguments")
    command.add_argument("name")
    command.add_argument("arguments", type=json.loads, help="keyword arguments as a JSON object")
    command = commands.add_parser("torchvision", help="classes against torchvision's models with the same weights")
    command.add_argument("resolution", type=int)
    command.add_argument("classes", nargs="+")
    command = commands.add_parser("compare", help="outputs on C#'s weights and inputs against C#'s outputs")
    command.add_argument("manifest")
    command = commands.add_parser("roundtrip", help="C#'s weights in, changed weights out")
    for name in ("name", "weights", "check", "out_weights", "out_check"):
        command.add_argument(name)
    return parser.parse_args(argv)


def run(args):
    if args.command == "describe":
        return describe(args.folder, args.module, args.classes)
    if args.command == "construct":
        return describe(args.folder, args.module, [args.name], args.arguments)
    if args.command == "torchvision":
        return against_torchvision(args.folder, args.module, args.resolution, args.classes)
    if args.command == "compare":
        return compare(args.folder, args.module, args.manifest)
    return roundtrip(args.folder, args.module, args.name, args.weights, args.check, args.out_weights, args.out_check)


def serve():
    """Answers commands from stdin until it closes. The C# test waits on each answer, so torch may use every
    core; a command's own prints go to stderr, which keeps stdout one answer a line."""
    answers = sys.stdout
    torch.set_num_threads(os.cpu_count() or 1)
    for line in sys.stdin:
        sys.stdout = sys.stderr
        try:
            answer = {"result": run(parse(json.loads(line)))}
        except (Exception, SystemExit):  # argparse exits on bad arguments
            answer = {"error": traceback.format_exc()}
        finally:
            sys.stdout = answers
        gc.collect()
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def main(argv):
    if argv == ["serve"]:
        serve()
    else:
        json.dump(run(parse(argv)), sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
