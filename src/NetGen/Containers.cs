using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>The activation a <see cref="Residual"/> applies after its add.</summary>
public enum Activation
{
    /// <summary>No activation.</summary>
    None,

    /// <summary>max(0, x).</summary>
    ReLU,

    /// <summary>min(max(0, x), 6).</summary>
    ReLU6,

    /// <summary>x · sigmoid(x).</summary>
    SiLU,

    /// <summary>1 / (1 + e^-x).</summary>
    Sigmoid,

    /// <summary>Gaussian error linear unit.</summary>
    GELU,

    /// <summary>x · relu6(x + 3) / 6.</summary>
    Hardswish,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>relu6(x + 3) / 6 (MobileNetV3's gate).</summary>
    Hardsigmoid,
}

/// <summary>Children applied one after another, registered under their names (like <c>nn.Sequential</c>).</summary>
public sealed class Sequence : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor>[] _children;

    /// <summary>Registers the children in order under their names ("0", "1", … or chosen names).</summary>
    public Sequence(params (string Name, nn.Module<Tensor, Tensor> Module)[] children)
        : base(nameof(Sequence))
    {
        _children = Modules.Register(this, children);
    }

    /// <summary>The number of children.</summary>
    public int Count => _children.Length;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Modules.Chain(_children, input).MoveOut(input);
    }
}

/// <summary>body(x) + shortcut(x), then an optional activation; without a shortcut, x itself is added.</summary>
public sealed class Residual : nn.Module<Tensor, Tensor>
{
    // Children live in arrays, never in module-typed fields: TorchSharp would register such a field a
    // second time under the field's own name, adding state_dict keys torchvision does not have.
    private readonly nn.Module<Tensor, Tensor>[] _body;
    private readonly nn.Module<Tensor, Tensor>[] _shortcut;
    private readonly Activation _activation;
    private readonly int _shortcutFrom;
    private readonly bool _addInPlace;

    /// <summary>Registers the body's children, then the shortcut, under their names.</summary>
    /// <param name="body">The body's layers, applied in order.</param>
    /// <param name="shortcut">The projection on the shortcut; none means the input itself is added.</param>
    /// <param name="activation">Applied after the add.</param>
    /// <param name="shortcutFrom">
    /// The index of the body layer whose output feeds the shortcut projection (pre-activation blocks
    /// project the normalized input); -1 feeds it the block's input.
    /// </param>
    public Residual(
        (string Name, nn.Module<Tensor, Tensor> Module)[] body,
        (string Name, nn.Module<Tensor, Tensor> Module)? shortcut = null,
        Activation activation = Activation.None,
        int shortcutFrom = -1)
        : base(nameof(Residual))
    {
        if (shortcutFrom < -1 || shortcutFrom >= body.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(shortcutFrom), shortcutFrom, "Not a layer of the body.");
        }

        _body = Modules.Register(this, body);
        _shortcut = shortcut is { } named ? Modules.Register(this, new[] { named }) : Array.Empty<nn.Module<Tensor, Tensor>>();
        _activation = activation;
        _shortcutFrom = shortcut is null ? -1 : shortcutFrom;
        _addInPlace = EndsInFreshTensor(_body);
    }

    /// <summary>
    /// Whether the body's output is a tensor of its own that autograd does not keep: then the shortcut
    /// is added into it in place, as torchvision's blocks do (<c>out += identity</c>), saving one
    /// feature map per block. Convolutions, linear layers and normalizations save their input, never
    /// their output; stochastic depth saves only its mask and passes such a tensor through.
    /// </summary>
    private static bool EndsInFreshTensor(nn.Module<Tensor, Tensor>[] body)
    {
        var last = body.Length - 1;
        if (last >= 1 && body[last] is StochasticDepth)
        {
            last--;
        }

        return last >= 0 && body[last] is TorchSharp.Modules.Conv2d or TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.GroupNorm
            or TorchSharp.Modules.Linear or WeightStandardizedConv2d;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var tap = input;
        var body = input;
        for (var i = 0; i < _body.Length; i++)
        {
            body = _body[i].call(body);
            if (i == _shortcutFrom)
            {
                tap = body;
            }
        }

        var shortcut = _shortcut.Length == 0 ? input : _shortcut[0].call(tap);

        // Activating the sum in place is safe for autograd: add's backward needs no output.
        var sum = _addInPlace ? body.add_(shortcut) : body.add(shortcut);
        return Modules.Activate(sum, _activation).MoveToOuterDisposeScope();
    }
}

/// <summary>concat(x, body(x)) along channels: DenseNet's connection.</summary>
public sealed class DenseConnection : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor>[] _body;

    /// <summary>Registers the body's children in order under their names.</summary>
    public DenseConnection(params (string Name, nn.Module<Tensor, Tensor> Module)[] body)
        : base(nameof(DenseConnection))
    {
        _body = Modules.Register(this, body);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var body = Modules.Chain(_body, input);
        return cat(new[] { input, body }, 1).MoveToOuterDisposeScope();
    }
}

/// <summary>Every branch applied to the same input; the outputs concatenated along channels (Inception).</summary>
public sealed class Concat : nn.Module<Tensor, Tensor>
{
    private readonly Branch[] _branches;

    /// <summary>Registers each branch under its name.</summary>
    public Concat(params (string Name, nn.Module<Tensor, Tensor> Module)[] branches)
        : this(Array.ConvertAll(branches, b => Branch.Module(b.Name, b.Module)))
    {
    }

    /// <summary>
    /// Branches whose layers register directly on this module (torchvision's Inception blocks name
    /// <c>branch5x5_1</c> and <c>branch5x5_2</c> as siblings although they run one after the other).
    /// </summary>
    public Concat(params Branch[] branches)
        : base(nameof(Concat))
    {
        if (branches.Length == 0)
        {
            throw new ArgumentException("A concat needs at least one branch.", nameof(branches));
        }

        _branches = branches;
        foreach (var branch in branches)
        {
            branch.RegisterIn(this);
        }
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Branch.Join(_branches, input).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The shape of one branch of a <see cref="Concat"/>: a named module, layers in a chain, or a nested
/// concatenation. Every module in it is registered on the enclosing <see cref="Concat"/> under its name.
/// </summary>
public abstract class Branch
{
    private Branch()
    {
    }

    /// <summary>A module registered under <paramref name="name"/>.</summary>
    public static Branch Module(string name, nn.Module<Tensor, Tensor> module) => new Leaf(name, module);

    /// <summary>Steps applied one after another.</summary>
    public static Branch Chain(params Branch[] steps) => new Sequential(steps);

    /// <summary>Parts applied to the same input and concatenated along channels.</summary>
    public static Branch Concat(params Branch[] parts) => new Parallel(parts);

    internal abstract void RegisterIn(nn.Module owner);

    internal abstract Tensor Run(Tensor input);

    internal static Tensor Join(Branch[] parts, Tensor input)
    {
        var outputs = new Tensor[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            outputs[i] = parts[i].Run(input);
        }

        return cat(outputs, 1);
    }

    private sealed class Leaf : Branch
    {
        private readonly string _name;
        private readonly nn.Module<Tensor, Tensor> _module;

        public Leaf(string name, nn.Module<Tensor, Tensor> module)
        {
            _name = name;
            _module = module;
        }

        internal override void RegisterIn(nn.Module owner) => owner.register_module(_name, _module);

        internal override Tensor Run(Tensor input) => _module.call(input);
    }

    private sealed class Sequential : Branch
    {
        private readonly Branch[] _steps;

        public Sequential(Branch[] steps) => _steps = steps;

        internal override void RegisterIn(nn.Module owner)
        {
            foreach (var step in _steps)
            {
                step.RegisterIn(owner);
            }
        }

        internal override Tensor Run(Tensor input)
        {
            var x = input;
            foreach (var step in _steps)
            {
                x = step.Run(x);
            }

            return x;
        }
    }

    private sealed class Parallel : Branch
    {
        private readonly Branch[] _parts;

        public Parallel(Branch[] parts) => _parts = parts;

        internal override void RegisterIn(nn.Module owner)
        {
            foreach (var part in _parts)
            {
                part.RegisterIn(owner);
            }
        }

        internal override Tensor Run(Tensor input) => Join(_parts, input);
    }
}

/// <summary>What the containers share.</summary>
internal static class Modules
{
    public static nn.Module<Tensor, Tensor>[] Register(nn.Module module, (string Name, nn.Module<Tensor, Tensor> Module)[] children)
    {
        var registered = new nn.Module<Tensor, Tensor>[children.Length];
        for (var i = 0; i < children.Length; i++)
        {
            module.register_module(children[i].Name, children[i].Module);
            registered[i] = children[i].Module;
        }

        return registered;
    }

    /// <summary>Calls each module on the previous one's output. Runs inside the caller's dispose scope.</summary>
    public static Tensor Chain(nn.Module<Tensor, Tensor>[] modules, Tensor input)
    {
        var x = input;
        foreach (var module in modules)
        {
            x = module.call(x);
        }

        return x;
    }

    /// <summary>Moves a result out of the current scope, unless it is the caller's own input.</summary>
    public static Tensor MoveOut(this Tensor result, Tensor input) =>
        ReferenceEquals(result, input) ? input : result.MoveToOuterDisposeScope();

    public static Tensor Activate(Tensor x, Activation activation) => activation switch
    {
        Activation.None => x,
        Activation.ReLU => x.relu_(),
        Activation.ReLU6 => nn.functional.relu6(x),
        Activation.SiLU => nn.functional.silu(x),
        Activation.Sigmoid => x.sigmoid(),
        Activation.GELU => nn.functional.gelu(x),
        Activation.Hardswish => nn.functional.hardswish(x),
        Activation.Tanh => x.tanh(),
        Activation.Hardsigmoid => nn.functional.hardsigmoid(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}
