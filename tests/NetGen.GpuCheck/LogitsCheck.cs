using System;
using System.IO;
using System.Linq;
using static TorchSharp.torch;
using Net = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace NetGen.GpuCheck;

/// <summary>What comparing a network's eval logits with PyTorch's found.</summary>
/// <param name="Error">max |ours − PyTorch's| / (1 + |PyTorch's|) over both inputs.</param>
/// <param name="Sensitivity">mean |logits(x₁) − logits(x₂)| of our own logits: how much the output depends on the input.</param>
/// <param name="Tolerance">The largest <paramref name="Error"/> that passes.</param>
/// <param name="MinimumSensitivity">The least <paramref name="Sensitivity"/> that passes.</param>
public sealed record LogitsVerdict(double Error, double Sensitivity, double Tolerance, double MinimumSensitivity)
{
    /// <summary>
    /// Close to PyTorch and dependent on the input: logits that ignore their input (a network whose normalisation
    /// zeroes every activation gives ~1e-14 for any image) would match any implementation and prove nothing.
    /// </summary>
    public bool Passed => Error <= Tolerance && Sensitivity >= MinimumSensitivity;
}

/// <summary>Runs a network on the two fixed inputs ref.py saved and compares its logits with PyTorch's.</summary>
public static class LogitsCheck
{
    /// <summary>The least mean change of the logits between the two inputs for a check to count.</summary>
    public const double MinimumSensitivity = 1e-2;

    /// <summary>
    /// The default tolerance: 1,000 times below the logits' least change between the inputs, and above what float32
    /// kernels disagree by (a CPU run compares Debian's torch 1.13 with libtorch 2.10: 9e-5 measured on ResNet50;
    /// cuDNN picks its algorithms in each process).
    /// </summary>
    public const double DefaultTolerance = 1e-3;

    /// <summary>Compares <paramref name="model"/>'s eval logits on ref.py's <c>NAME_io.pt</c> (input, logits, input2, logits2) with PyTorch's.</summary>
    public static LogitsVerdict Run(Net model, string ioFile, ComputeDevice device, double tolerance)
    {
        if (!File.Exists(ioFile))
        {
            throw new CheckException($"{ioFile} is missing: run ref.py for this network first");
        }

        using var scope = NewDisposeScope();
        var io = Weights.ReadStateDict(ioFile);
        model.eval();
        using var noGrad = no_grad();
        var ours1 = model.call(io["input"].to(device.Device)).to(float32).cpu();
        var ours2 = model.call(io["input2"].to(device.Device)).to(float32).cpu();
        var error = Math.Max(RelativeError(ours1, io["logits"]), RelativeError(ours2, io["logits2"]));
        var sensitivity = (ours1 - ours2).abs().mean().item<float>();
        return new LogitsVerdict(error, sensitivity, tolerance, MinimumSensitivity);
    }

    /// <summary>max |a − b| / (1 + |b|); the shapes must agree.</summary>
    public static double RelativeError(Tensor ours, Tensor reference)
    {
        if (!ours.shape.SequenceEqual(reference.shape))
        {
            throw new CheckException($"logits of shape [{string.Join(", ", ours.shape)}], PyTorch's [{string.Join(", ", reference.shape)}]");
        }

        using var scope = NewDisposeScope();
        return ((ours - reference.to(float32)).abs() / (reference.to(float32).abs() + 1)).max().item<float>();
    }
}
