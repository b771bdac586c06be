"""Run by ``netgen export-onnx``: builds one network of an emitted module with its default arguments, loads its
weights strictly, and writes it as ONNX with ``netgen_torch.export_onnx``.

Arguments: FOLDER MODULE CLASS WEIGHTS OUTPUT OPSET SIZES..., where FOLDER holds MODULE.py and netgen_torch.py,
WEIGHTS and OPSET are empty when not given, and SIZES are the sizes of one sample (3 224 224). Prints the opset
written. A failure ends with one line on standard error (after Python's traceback where there is one) and exit
code 1; the tool shows that line.
"""

import argparse
import importlib
import inspect
import sys
import traceback

TRACE_BATCH = 2  # export_onnx: a traced batch of 1 can be taken for a broadcast


class ExportError(Exception):
    """A failure whose message says everything: no traceback."""


def load_strictly(torch, network, path):
    """Loads a torch.save'd state_dict into ``network``; every key must be there with its shape, and no other."""
    # weights_only (torch 1.13 and later) unpickles tensors and containers only: a weights file runs no code.
    options = {"weights_only": True} if "weights_only" in inspect.signature(torch.load).parameters else {}
    state = torch.load(path, map_location="cpu", **options)
    if not isinstance(state, dict):
        raise ExportError(f"{path} holds a {type(state).__name__}, not a state_dict")
    expected = network.state_dict()
    problems = {
        "missing": [key for key in expected if key not in state],
        "unexpected": [key for key in state if key not in expected],
        "of another shape": [
            f"{key} {tuple(state[key].shape)} for {tuple(value.shape)}"
            for key, value in expected.items()
            if key in state and tuple(state[key].shape) != tuple(value.shape)
        ],
    }
    if any(problems.values()):
        found = "; ".join(f"{len(keys)} {what} ({', '.join(keys[:3])}{', ...' if len(keys) > 3 else ''})" for what, keys in problems.items() if keys)
        raise ExportError(f"the weights in {path} do not fit {type(network).__name__}: {found}")
    network.load_state_dict(state, strict=True)


def parse(argv):
    parser = argparse.ArgumentParser(description="Export a network of an emitted NetGen module to ONNX (run by netgen export-onnx).")
    parser.add_argument("folder", help="the folder holding the module and netgen_torch.py")
    parser.add_argument("module", help="the emitted module's name")
    parser.add_argument("name", help="the network's class")
    parser.add_argument("weights", help="a torch.save state_dict to load strictly, or '' for none")
    parser.add_argument("output", help="the .onnx file to write")
    parser.add_argument("opset", help="the ONNX opset, or '' for netgen_torch's default")
    parser.add_argument("sample", nargs="+", type=int, help="the input's shape without the batch: C H W")
    return parser.parse_args(argv)


def main(argv):
    args = parse(argv)
    folder, module, name, weights, output, opset, sample = args.folder, args.module, args.name, args.weights, args.output, args.opset, args.sample
    try:
        import torch
    except ImportError as error:
        raise ExportError(
            f"PyTorch is not installed for {sys.executable} (Python {sys.version.split()[0]}: {error}); install it, "
            "or choose a Python that has it with --python PATH or NETGEN_PYTHON"
        ) from None
    sys.path.insert(0, folder)
    runtime = importlib.import_module("netgen_torch")
    network = getattr(importlib.import_module(module), name)()
    if weights:
        load_strictly(torch, network, weights)
    print(runtime.export_onnx(network, output, [TRACE_BATCH] + sample, int(opset) if opset else None))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except ExportError as failure:
        print(failure, file=sys.stderr)
        sys.exit(1)
    except Exception as failure:  # the traceback for a report, then the one line the tool shows
        traceback.print_exc()
        lines = str(failure).strip().splitlines()
        print(f"{type(failure).__name__}: {lines[0] if lines else ''}", file=sys.stderr)
        sys.exit(1)
