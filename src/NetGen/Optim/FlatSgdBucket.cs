using System;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// The parameters of one <see cref="FlatSgd"/> group that share a dtype and device, as views into one flat tensor of
/// values, one of gradients and, after the first step, one of momentum, each parameter at the same offset in all three.
/// </summary>
internal sealed class FlatSgdBucket : IDisposable
{
    /// <summary>Where each parameter starts in the flat tensors, in bytes: cuDNN and vectorised kernels like aligned data.</summary>
    private const int AlignmentBytes = 256;

    private readonly SGD.Options _options;
    private readonly Parameter[] _parameters;
    private readonly SGD.State[] _states;
    private readonly long[] _offsets;
    private readonly long[][] _strides;
    private readonly nint[] _valueAddresses;
    private readonly nint[] _gradientAddresses;
    private readonly nint[] _momentumAddresses;
    private Tensor? _momentum;
    private Tensor? _scratch;

    /// <summary>Moves <paramref name="parameters"/> (one dtype and device) and their gradients into new flat tensors.</summary>
    public FlatSgdBucket(SGD.Options options, Parameter[] parameters, SGD.State[] states)
    {
        _options = options;
        _parameters = parameters;
        _states = states;
        _strides = parameters.Select(p => DenseStrides(p.shape, p.stride())).ToArray();
        _offsets = new long[parameters.Length];
        var alignment = Math.Max(1, AlignmentBytes / parameters[0].ElementSize);
        long length = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            _offsets[i] = (length + alignment - 1) / alignment * alignment;
            length = _offsets[i] + parameters[i].numel();
        }

        var first = parameters[0];
        Values = zeros(length, first.dtype, first.device).DetachFromDisposeScope();
        Gradients = zeros(length, first.dtype, first.device).DetachFromDisposeScope();
        _valueAddresses = new nint[parameters.Length];
        _gradientAddresses = new nint[parameters.Length];
        _momentumAddresses = new nint[parameters.Length];
        using var noGrad = no_grad();
        for (var i = 0; i < parameters.Length; i++)
        {
            LinkValue(i);
            LinkGradient(i, keep: true);
        }
    }

    /// <summary>Every parameter's values, each at its offset (the gaps between them stay zero).</summary>
    public Tensor Values { get; }

    /// <summary>Every parameter's gradient, at the same offsets.</summary>
    public Tensor Gradients { get; }

    /// <summary>
    /// Makes every gradient a view into <see cref="Gradients"/> again where something replaced it (a module's
    /// <c>zero_grad</c> sets them to null; backward then makes new ones), copying the replacement in if
    /// <paramref name="keep"/>, else zeroing its place.
    /// </summary>
    public void RelinkGradients(bool keep)
    {
        using var noGrad = no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            using var gradient = _parameters[i].grad;
            if (gradient is null || DataAddress(gradient) != _gradientAddresses[i])
            {
                LinkGradient(i, keep);
            }
        }
    }

    /// <summary>
    /// One step, element for element what <see cref="SGD.step"/> computes: d = g + λp; b = μb + (1 − τ)d (b = d at
    /// first); d = d + μb (Nesterov) or b; p = p − ηd (+ηd when maximizing).
    /// </summary>
    public void Step()
    {
        // Whatever gave a parameter or a momentum buffer new memory since the last step (loading weights or an
        // optimizer state, relaying for a checkpoint) is taken back in first.
        RelinkValues();
        RelinkGradients(keep: true);
        RelinkMomentum();
        var momentum = _options.momentum!.Value;
        var weightDecay = _options.weight_decay!.Value;
        var nesterov = _options.nesterov!.Value;
        var rate = _options.LearningRate!.Value;
        var direction = Gradients;
        if (weightDecay != 0)
        {
            direction = Scratch().copy_(Gradients).add_(Values, alpha: weightDecay);
        }

        if (momentum != 0)
        {
            if (_momentum is null)
            {
                _momentum = direction.clone().DetachFromDisposeScope();
                for (var i = 0; i < _parameters.Length; i++)
                {
                    LinkMomentum(i);
                }
            }
            else
            {
                _momentum.mul_(momentum).add_(direction, alpha: 1 - _options.dampening!.Value);
            }

            if (nesterov)
            {
                direction = ReferenceEquals(direction, Gradients) ? Scratch().copy_(Gradients) : direction;
                direction.add_(_momentum, alpha: momentum);
            }
            else
            {
                direction = _momentum;
            }
        }

        Values.add_(direction, alpha: _options.maximize!.Value ? rate : -rate);
    }

    /// <summary>Frees the flat tensors (the parameters keep their storage).</summary>
    public void Dispose()
    {
        Values.Dispose();
        Gradients.Dispose();
        _momentum?.Dispose();
        _scratch?.Dispose();
    }

    /// <summary>
    /// A parameter's strides if they lay it out densely (contiguous, channels-last or any other permutation), so the
    /// view keeps its memory format; else the contiguous strides.
    /// </summary>
    internal static long[] DenseStrides(long[] shape, long[] strides)
    {
        var order = Enumerable.Range(0, shape.Length).Where(d => shape[d] != 1).OrderBy(d => strides[d]).ToArray();
        long expected = 1;
        var dense = true;
        foreach (var d in order)
        {
            dense &= strides[d] == expected;
            expected *= shape[d];
        }

        if (dense)
        {
            return strides;
        }

        var contiguous = new long[shape.Length];
        long step = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            contiguous[d] = step;
            step *= shape[d];
        }

        return contiguous;
    }

    private Tensor View(Tensor flat, int i) => flat.as_strided(_parameters[i].shape, _strides[i], _offsets[i]);

    private void RelinkValues()
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            if (DataAddress(_parameters[i]) != _valueAddresses[i])
            {
                LinkValue(i);
            }
        }
    }

    /// <summary>Copies parameter <paramref name="i"/> into its place in <see cref="Values"/> and makes it a view of it.</summary>
    private void LinkValue(int i)
    {
        using var view = View(Values, i);
        view.copy_(_parameters[i]);
        _parameters[i].set_(view);
        _valueAddresses[i] = DataAddress(_parameters[i]);
    }

    /// <summary>Makes gradient <paramref name="i"/> a view into <see cref="Gradients"/>, with its values or zeros.</summary>
    private void LinkGradient(int i, bool keep)
    {
        using var view = View(Gradients, i);
        using var gradient = _parameters[i].grad;
        if (keep && gradient is not null)
        {
            view.copy_(gradient);
        }
        else
        {
            view.fill_(0);
        }

        _parameters[i].grad = view;
        _gradientAddresses[i] = DataAddress(view);
    }

    /// <summary>Makes state <paramref name="i"/>'s momentum buffer a new view into the flat momentum.</summary>
    private void LinkMomentum(int i)
    {
        var view = View(_momentum!, i).DetachFromDisposeScope();
        _states[i].momentum_buffer = view;
        _momentumAddresses[i] = DataAddress(view);
    }

    /// <summary>
    /// Takes in momentum buffers that were replaced or moved from outside (a loaded optimizer state, a relaid one):
    /// if every buffer is null the momentum restarts as at the first step, else a null one counts as zero.
    /// </summary>
    private void RelinkMomentum()
    {
        var moved = Enumerable.Range(0, _states.Length)
            .Where(i => _states[i].momentum_buffer is not { } buffer || DataAddress(buffer) != _momentumAddresses[i])
            .ToArray();
        if (moved.Length == 0 || (_momentum is null && _states.All(s => s.momentum_buffer is null)))
        {
            return;
        }

        if (_states.All(s => s.momentum_buffer is null))
        {
            _momentum!.Dispose();
            _momentum = null;
            return;
        }

        var fresh = _momentum is null;
        _momentum ??= zeros_like(Values).DetachFromDisposeScope();
        foreach (var i in fresh ? Enumerable.Range(0, _states.Length) : moved)
        {
            // The state owns its buffer (TorchSharp's loaders dispose the one they replace): copied in, then freed.
            using (var view = View(_momentum, i))
            using (var buffer = _states[i].momentum_buffer)
            {
                if (buffer is null)
                {
                    view.fill_(0);
                }
                else
                {
                    view.copy_(buffer);
                }
            }

            LinkMomentum(i);
        }
    }

    private Tensor Scratch() => _scratch ??= empty_like(Values).DetachFromDisposeScope();

    private static nint DataAddress(Tensor tensor) => THSTensor_data(tensor.Handle);

    /// <summary>A tensor's data pointer (<c>at::Tensor::data_ptr</c>), from TorchSharp's native bridge, which keeps it internal.</summary>
    [DllImport("LibTorchSharp")]
    private static extern nint THSTensor_data(nint tensor);
}
