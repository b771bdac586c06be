"""NetGen's runtime for emitted PyTorch modules.

The containers and layers that classes emitted by ``netgen emit --target pytorch`` are built from. Each is
the counterpart of a type in the NetGen .NET library and registers the same state_dict keys, so weights
move between a generated TorchSharp class and its emitted PyTorch module in both directions.

Needs only PyTorch (1.13 or later). Written by ``netgen emit``; do not edit: the next emit replaces it.
"""

from __future__ import annotations

from typing import List, Optional, Sequence as Seq, Tuple, Union

import torch
from torch import Tensor, nn

__all__ = [
    "Chain",
    "ChannelShuffle",
    "Concat",
    "DenseConnection",
    "Gate",
    "LayerNorm2d",
    "Parallel",
    "Permute",
    "Residual",
    "Scale",
    "Sequence",
    "StochasticDepth",
    "WeightStandardizedConv2d",
    "add_child",
    "child",
    "export_onnx",
    "make_divisible",
    "onnx_opset",
]

Child = Tuple[str, nn.Module]


def make_divisible(value: float, divisor: int, min_value: int = 0) -> int:
    """torchvision's ``_make_divisible``: the multiple of ``divisor`` nearest to ``value`` (halves up), at least
    ``min_value`` (default: the divisor) and never more than 10 % below ``value``. The DSL's function."""
    smallest = min_value if min_value > 0 else divisor
    rounded = max(smallest, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def add_child(owner: nn.Module, name: str, child: Union[nn.Module, nn.Parameter]) -> None:
    """Registers a module (or a learnable tensor) on ``owner`` under ``name``, also where ``name`` is an attribute
    ``nn.Module`` has itself (a layer keyed ``train`` or ``to``), which ``add_module`` refuses: the state_dict key
    is the name either way. Such a child is read with :func:`child`."""
    store = owner._parameters if isinstance(child, nn.Parameter) else owner._modules
    if hasattr(owner, name) and name not in store:
        store[name] = child
    elif isinstance(child, nn.Parameter):
        owner.register_parameter(name, child)
    else:
        owner.add_module(name, child)


def child(owner: nn.Module, name: str) -> Union[nn.Module, nn.Parameter]:
    """The module or learnable tensor registered on ``owner`` under ``name`` (see :func:`add_child`)."""
    found = owner._modules.get(name)
    return found if found is not None else owner._parameters[name]


def _register(owner: nn.Module, children: Seq[Child]) -> List[str]:
    """Registers each child on ``owner`` under its name; a Scale registers its tensor there instead, under the
    bare name (ConvNeXt's ``layer_scale``). Returns the names in order: the steps ``_run`` applies."""
    names = []
    for name, module in children:
        add_child(owner, name, module.weight if isinstance(module, Scale) else module)
        names.append(name)
    return names


def _run(owner: nn.Module, names: Seq[str], x: Tensor) -> Tensor:
    """Applies the named steps of ``owner`` in order; a registered tensor (a scale) multiplies."""
    for name in names:
        step = child(owner, name)
        x = x * step if isinstance(step, nn.Parameter) else step(x)
    return x


class Sequence(nn.Module):
    """Children applied one after another, registered under their names (``nn.Sequential`` with named
    children, and scales registered as tensors)."""

    def __init__(self, *children: Child) -> None:
        super().__init__()
        self._steps = _register(self, children)

    def __len__(self) -> int:
        return len(self._steps)

    def __getitem__(self, key: Union[int, str]) -> Union[nn.Module, nn.Parameter]:
        return child(self, self._steps[key] if isinstance(key, int) else key)

    def forward(self, x: Tensor) -> Tensor:
        return _run(self, self._steps, x)


class Residual(nn.Module):
    """body(x) + shortcut(x), then an optional parameterless layer; without a shortcut, x itself is added.

    ``shortcut_from`` is the index of the body step whose output feeds the shortcut (pre-activation blocks);
    -1 feeds it the input. ``add_in_place`` adds into the body's output, as torchvision's ``out += identity``.
    """

    def __init__(
        self,
        body: Seq[Child],
        shortcut: Optional[Child] = None,
        then: Optional[nn.Module] = None,
        shortcut_from: int = -1,
        add_in_place: bool = False,
    ) -> None:
        super().__init__()
        if not -1 <= shortcut_from < len(body):
            raise ValueError(f"shortcut_from {shortcut_from} is not a step of the body")
        self._body = _register(self, body)
        self._shortcut = _register(self, [shortcut])[0] if shortcut is not None else None
        self._then = (then,) if then is not None else ()  # a tuple: run, not registered (no parameters)
        self._shortcut_from = shortcut_from if shortcut is not None else -1
        self._add_in_place = add_in_place

    def forward(self, x: Tensor) -> Tensor:
        tap = x
        out = x
        for index, name in enumerate(self._body):
            out = _run(self, (name,), out)
            if index == self._shortcut_from:
                tap = out
        identity = x if self._shortcut is None else child(self, self._shortcut)(tap)
        out = out.add_(identity) if self._add_in_place else out + identity
        for layer in self._then:
            out = layer(out)
        return out


class DenseConnection(nn.Module):
    """cat(x, body(x)) along channels: DenseNet's connection."""

    def __init__(self, *body: Child) -> None:
        super().__init__()
        self._body = _register(self, body)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([x, _run(self, self._body, x)], 1)


class Gate(nn.Module):
    """x * body(x): squeeze-and-excitation and other gates."""

    def __init__(self, *body: Child) -> None:
        super().__init__()
        self._body = _register(self, body)

    def forward(self, x: Tensor) -> Tensor:
        return _run(self, self._body, x) * x


class Chain:
    """A branch of a Concat whose steps run one after another but register on the Concat itself
    (torchvision's Inception names ``branch5x5_1`` and ``branch5x5_2`` as siblings)."""

    def __init__(self, *steps: Branch) -> None:
        self.steps = steps


class Parallel:
    """A part of a Concat's branch: parts applied to the same input, joined along channels, registered on the Concat."""

    def __init__(self, *parts: Branch) -> None:
        self.parts = parts


Branch = Union[Child, Chain, Parallel]


class Concat(nn.Module):
    """Every branch applied to the same input (or, ``split``, branch k to the k-th equal chunk of the channels),
    the outputs joined along channels, then an optional parameterless layer (an activation, a channel shuffle).
    A branch is a ``(name, module)`` pair, or a Chain or Parallel whose modules register here."""

    def __init__(self, *branches: Branch, then: Optional[nn.Module] = None, split: bool = False) -> None:
        super().__init__()
        if not branches:
            raise ValueError("a concat needs at least one branch")
        self._branches = tuple(self._plan(branch) for branch in branches)
        self._then = (then,) if then is not None else ()
        self._split = split

    def _plan(self, branch: Branch) -> tuple:
        if isinstance(branch, Chain):
            return ("chain", tuple(self._plan(step) for step in branch.steps))
        if isinstance(branch, Parallel):
            return ("parallel", tuple(self._plan(part) for part in branch.parts))
        return ("module", _register(self, [branch])[0])

    def _apply(self, plan: tuple, x: Tensor) -> Tensor:
        kind, content = plan
        if kind == "module":
            return _run(self, (content,), x)
        if kind == "chain":
            for step in content:
                x = self._apply(step, x)
            return x
        return torch.cat([self._apply(part, x) for part in content], 1)

    def forward(self, x: Tensor) -> Tensor:
        if self._split:
            chunks = x.chunk(len(self._branches), 1)
            out = torch.cat([self._apply(plan, chunk) for plan, chunk in zip(self._branches, chunks)], 1)
        else:
            out = torch.cat([self._apply(plan, x) for plan in self._branches], 1)
        for layer in self._then:
            out = layer(out)
        return out


class Scale(nn.Module):
    """Multiplies by a learnable tensor (ConvNeXt's ``layer_scale``), every element starting at ``init``. On its
    own its tensor is ``weight``; inside a NetGen container the container registers the tensor under the
    child's name instead, as torchvision registers ``layer_scale`` on the block."""

    def __init__(self, shape: Seq[int], init: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.full(tuple(shape), float(init)))

    def forward(self, x: Tensor) -> Tensor:
        return x * self.weight


class StochasticDepth(nn.Module):
    """Stochastic depth in row mode (Huang et al. 2016; torchvision's StochasticDepth): in training, zeroes each
    sample with probability ``p`` and scales survivors by 1 / (1 - p); in evaluation, the identity."""

    def __init__(self, p: float) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"the drop probability must lie in [0, 1], not {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        survival = 1.0 - self.p
        mask = torch.empty([x.shape[0]] + [1] * (x.dim() - 1), dtype=x.dtype, device=x.device).bernoulli_(survival)
        if survival > 0.0:
            mask.div_(survival)
        return x * mask

    def extra_repr(self) -> str:
        return f"p={self.p}"


class WeightStandardizedConv2d(nn.Conv2d):
    """A convolution whose filters are standardized (zero mean, unit variance each) at every forward: Qiao et al.
    2019, as BiT's StdConv2d. Its state_dict is a Conv2d's."""

    def __init__(self, *args, eps: float = 1e-10, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        mean = self.weight.mean(dim=(1, 2, 3), keepdim=True)
        centered = self.weight - mean
        variance = centered.square().mean(dim=(1, 2, 3), keepdim=True)
        weight = centered / (variance + self.eps).sqrt()
        return self._conv_forward(x, weight, self.bias)


class LayerNorm2d(nn.LayerNorm):
    """Layer normalization over the channels of each position of an (N, C, H, W) map (torchvision's LayerNorm2d)."""

    def forward(self, x: Tensor) -> Tensor:
        x = x.permute(0, 2, 3, 1)
        x = nn.functional.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class Permute(nn.Module):
    """Reorders a batch's dimensions (torchvision's Permute): (0, 2, 3, 1) to channels-last and back."""

    def __init__(self, *dims: int) -> None:
        super().__init__()
        self.dims = dims

    def forward(self, x: Tensor) -> Tensor:
        return x.permute(*self.dims)

    def extra_repr(self) -> str:
        return f"dims={self.dims}"


class ChannelShuffle(nn.Module):
    """Interleaves the channels of ``groups`` groups (ShuffleNet), written with reshapes so that ONNX exports it."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, x: Tensor) -> Tensor:
        n, c, h, w = x.shape
        x = x.reshape(n, self.groups, c // self.groups, h, w).transpose(1, 2)
        return x.reshape(n, c, h, w)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


def onnx_opset() -> int:
    """The highest ONNX opset that this PyTorch's ``torch.onnx.export`` (the TorchScript exporter) writes: 17 on
    torch 1.13. Read from the exporter's own constants, whose names changed between releases."""
    from torch.onnx import _constants  # private, but the only place the range is recorded

    for name in ("ONNX_TORCHSCRIPT_EXPORTER_MAX_OPSET", "ONNX_MAX_OPSET", "onnx_main_opset"):
        value = getattr(_constants, name, None)
        if isinstance(value, int):
            return value
    raise RuntimeError(f"cannot tell which ONNX opsets torch {torch.__version__} exports; give the opset")


def export_onnx(
    model: nn.Module,
    output: str,
    input_shape: Seq[int],
    opset: Optional[int] = None,
    batch_dynamic: bool = True,
) -> int:
    """Writes ``model`` to the ONNX file ``output`` for serving and returns the opset written.

    ``torch.onnx.export`` traces the model in evaluation mode (batch norm with its running statistics, dropout
    and stochastic depth as the identity) on zeros of ``input_shape``, batch first (``(2, 3, 224, 224)``). The
    graph has one input named ``input`` and one output named ``logits``; with ``batch_dynamic`` their first
    axis is the symbolic ``batch``, so any batch size runs (trace with a batch above 1: a traced size of 1 can
    be taken for a broadcast). ``opset`` defaults to the highest this PyTorch writes (:func:`onnx_opset`).
    The model's training mode is restored afterwards.
    """
    import inspect

    opset = onnx_opset() if opset is None else int(opset)
    first = next(iter(model.parameters()), None)
    example = torch.zeros(
        tuple(input_shape),
        dtype=first.dtype if first is not None and first.is_floating_point() else torch.float32,
        device=first.device if first is not None else None,
    )
    options = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        options["dynamo"] = False  # the TorchScript exporter, whose opsets onnx_opset reports (2.9 made dynamo the default)
    axes = {"input": {0: "batch"}, "logits": {0: "batch"}} if batch_dynamic else None
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            torch.onnx.export(
                model,
                (example,),
                output,
                input_names=["input"],
                output_names=["logits"],
                opset_version=opset,
                dynamic_axes=axes,
                do_constant_folding=True,
                training=torch.onnx.TrainingMode.EVAL,
                **options,
            )
    finally:
        model.train(was_training)
    return opset
