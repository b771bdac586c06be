using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>Children applied one after another, registered under their names (like <c>nn.Sequential</c>).</summary>
public sealed class Sequence : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor>[] _children;
    private readonly string[] _names;

    /// <summary>Registers the children in order under their names ("0", "1", … or chosen names).</summary>
    public Sequence(params (string Name, nn.Module<Tensor, Tensor> Module)[] children)
        : base(nameof(Sequence))
    {
        _children = Modules.Register(this, children);
        _names = Array.ConvertAll(children, c => c.Name);
    }

    /// <summary>The number of children.</summary>
    public int Count => _children.Length;

    /// <summary>The children's names in order: their state_dict key segments.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>
    /// A child by position (<c>features[3]</c>) or by name (<c>layer1["0"]</c>, <c>block["conv1"]</c>). Setting
    /// one replaces it under the same name and position, so state_dict keys stay as they were.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">No child has that position or name.</exception>
    public nn.Module<Tensor, Tensor> this[ChildKey key]
    {
        get => _children[IndexOf(key)];
        set
        {
            var index = IndexOf(key);
            if (!named_children().Any(c => c.name == _names[index]))
            {
                throw new InvalidOperationException($"'{_names[index]}' is a tensor of this sequence (a scale), not a module that can be replaced.");
            }

            _children[index] = Submodules.Replace(this, _names[index], value);
        }
    }

    private int IndexOf(ChildKey key)
    {
        var index = key.Name is { } name ? Array.IndexOf(_names, name) : key.Index;
        if (index < 0 || index >= _children.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(key), key.ToString(), $"Not a child of this sequence; its children are {string.Join(", ", _names)}.");
        }

        return index;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Modules.Chain(_children, input).MoveOut(input);
    }
}

/// <summary>body(x) + shortcut(x), then an optional layer (an activation); without a shortcut, x itself is added.</summary>
public sealed class Residual : nn.Module<Tensor, Tensor>
{
    // Children live in arrays, never in module-typed fields: TorchSharp would register such a field a
    // second time under the field's own name, adding state_dict keys torchvision does not have.
    private readonly nn.Module<Tensor, Tensor>[] _body;
    private readonly nn.Module<Tensor, Tensor>[] _shortcut;
    private readonly nn.Module<Tensor, Tensor>[] _then;
    private readonly int _shortcutFrom;
    private readonly bool _addInPlace;

    /// <summary>Registers the body's children, then the shortcut, under their names.</summary>
    /// <param name="body">The body's layers, applied in order.</param>
    /// <param name="shortcut">The projection on the shortcut; none means the input itself is added.</param>
    /// <param name="then">
    /// Applied to the sum: a layer without parameters (an activation), not registered. The sum is a
    /// tensor of its own, so an in-place activation (<c>nn.ReLU(inplace: true)</c>) is safe here.
    /// </param>
    /// <param name="shortcutFrom">
    /// The index of the body layer whose output feeds the shortcut projection (pre-activation blocks
    /// project the normalized input); -1 feeds it the block's input.
    /// </param>
    /// <param name="addInPlace">
    /// The body's output is a tensor of its own that autograd does not keep (it ends in a convolution,
    /// a linear layer or a normalization): the shortcut is added into it in place, as torchvision's blocks
    /// do (<c>out += identity</c>), saving one feature map per block. The generator knows this from the
    /// layers' descriptors; false is always correct.
    /// </param>
    public Residual(
        (string Name, nn.Module<Tensor, Tensor> Module)[] body,
        (string Name, nn.Module<Tensor, Tensor> Module)? shortcut = null,
        nn.Module<Tensor, Tensor>? then = null,
        int shortcutFrom = -1,
        bool addInPlace = false)
        : base(nameof(Residual))
    {
        if (shortcutFrom < -1 || shortcutFrom >= body.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(shortcutFrom), shortcutFrom, "Not a layer of the body.");
        }

        _body = Modules.Register(this, body);
        _shortcut = shortcut is { } named ? Modules.Register(this, new[] { named }) : Array.Empty<nn.Module<Tensor, Tensor>>();
        _then = Modules.Unregistered(then);
        _shortcutFrom = shortcut is null ? -1 : shortcutFrom;
        _addInPlace = addInPlace;
    }

    /// <summary>The body's steps in order (registered under their names: <see cref="Sequence"/>-style keys).</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Body => _body;

    /// <summary>The projection on the shortcut (torchvision's <c>downsample</c>), or null where the input itself is added.</summary>
    public nn.Module<Tensor, Tensor>? Shortcut => _shortcut.Length == 0 ? null : _shortcut[0];

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
        return Modules.Chain(_then, sum).MoveToOuterDisposeScope();
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

/// <summary>
/// Every branch applied to the same input (or, split, each to its own chunk of the channels); the
/// outputs concatenated along channels (Inception, SqueezeNet's Fire, ShuffleNet), then an optional
/// parameterless layer.
/// </summary>
public sealed class Concat : nn.Module<Tensor, Tensor>
{
    private readonly Branch[] _branches;
    private readonly nn.Module<Tensor, Tensor>[] _then;
    private readonly bool _split;

    /// <summary>Registers each branch under its name; every branch reads the whole input.</summary>
    public Concat(params (string Name, nn.Module<Tensor, Tensor> Module)[] branches)
        : this(Array.ConvertAll(branches, b => Branch.Module(b.Name, b.Module)))
    {
    }

    /// <summary>
    /// Branches whose layers register directly on this module (torchvision's Inception blocks name
    /// <c>branch5x5_1</c> and <c>branch5x5_2</c> as siblings although they run one after the other).
    /// </summary>
    public Concat(params Branch[] branches)
        : this(branches, then: null)
    {
    }

    /// <summary>The branches, the layer applied to the joined output (not registered), and whether branch k reads the k-th equal chunk of the channels.</summary>
    /// <param name="branches">The branches, registered on this module.</param>
    /// <param name="then">Applied to the concatenation: a layer without parameters (an activation, <c>nn.ChannelShuffle</c>).</param>
    /// <param name="split">Cut the input's channels into one equal chunk per branch (<c>torch.chunk</c>), as ShuffleNet v2 does.</param>
    public Concat(Branch[] branches, nn.Module<Tensor, Tensor>? then, bool split = false)
        : base(nameof(Concat))
    {
        if (branches.Length == 0)
        {
            throw new ArgumentException("A concat needs at least one branch.", nameof(branches));
        }

        _branches = branches;
        _then = Modules.Unregistered(then);
        _split = split;
        foreach (var branch in branches)
        {
            branch.RegisterIn(this);
        }
    }

    /// <summary>
    /// A module of a branch by its name: a branch's own name (<c>branch1</c>), or, for branches whose layers
    /// register here directly, a layer's (<c>branch5x5_2</c>).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No module of that name is registered here.</exception>
    public nn.Module<Tensor, Tensor> this[string name] =>
        named_children().FirstOrDefault(c => c.name == name).module as nn.Module<Tensor, Tensor>
        ?? throw new KeyNotFoundException($"No branch module '{name}'; there are {string.Join(", ", named_children().Select(c => c.name))}.");

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var joined = _split ? Branch.JoinChunks(_branches, input) : Branch.Join(_branches, input);
        return Modules.Chain(_then, joined).MoveToOuterDisposeScope();
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

    /// <summary>Branch k on the k-th of equal chunks of the channels; the outputs concatenated.</summary>
    internal static Tensor JoinChunks(Branch[] parts, Tensor input)
    {
        var chunks = input.chunk(parts.Length, 1);
        var outputs = new Tensor[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            outputs[i] = parts[i].Run(chunks[i]);
        }

        return cat(outputs, 1);
    }

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

        private nn.Module<Tensor, Tensor>? _step;

        internal override void RegisterIn(nn.Module owner) => _step = Modules.Register(owner, new[] { (_name, _module) })[0];

        internal override Tensor Run(Tensor input) => (_step ?? _module).call(input);
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
    /// <summary>
    /// Registers the children on <paramref name="module"/> under their names and returns the steps that run
    /// them. A <see cref="Scale"/> registers its tensor, not itself: the key is the bare name, as
    /// ConvNeXt's <c>layer_scale</c>.
    /// </summary>
    public static nn.Module<Tensor, Tensor>[] Register(nn.Module module, (string Name, nn.Module<Tensor, Tensor> Module)[] children)
    {
        var registered = new nn.Module<Tensor, Tensor>[children.Length];
        for (var i = 0; i < children.Length; i++)
        {
            if (children[i].Module is Scale scale)
            {
                registered[i] = scale.AdoptInto(module, children[i].Name);
                continue;
            }

            module.register_module(children[i].Name, children[i].Module);
            registered[i] = children[i].Module;
        }

        return registered;
    }

    /// <summary>A layer run but not registered (it has no parameters): none, or one step.</summary>
    public static nn.Module<Tensor, Tensor>[] Unregistered(nn.Module<Tensor, Tensor>? layer) =>
        layer is null ? Array.Empty<nn.Module<Tensor, Tensor>>() : new[] { layer };

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
}
