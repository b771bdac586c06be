using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>
/// RandAugment-style input noise (Cubuk et al. 2020) for batches of normalized 1x28x28 images, as Noisy Student noises
/// its students and Meta Pseudo Labels' UDA loss noises the unlabeled images: every image gets <paramref name="Ops"/>
/// operations drawn uniformly from <see cref="Operations"/>, each at the fixed <paramref name="Magnitude"/> (0 to
/// <see cref="MaxMagnitude"/>), with a random direction where the operation has one. The whole batch is transformed at
/// once: photometric operations through masks, geometric ones composed into one affine map per image and resampled
/// once (bilinear, black outside the image). Randomness comes only from the generator passed in.
/// </summary>
public sealed record RandAugment(int Ops, int Magnitude)
{
    /// <summary>The largest magnitude: rotation by 30 degrees, shear 0.3, translation by 30 % of the side, and so on.</summary>
    public const int MaxMagnitude = 10;

    /// <summary>The operations, in the order their indices are drawn.</summary>
    public static IReadOnlyList<string> Operations => s_operations;

    private static readonly string[] s_operations =
    {
        "identity", "rotate", "shear-x", "shear-y", "translate-x", "translate-y",
        "auto-contrast", "solarize", "posterize", "contrast", "brightness", "sharpness", "cutout",
    };

    private const int Side = 28;

    /// <summary>Above float32's error in a pixel that went through normalization and back, below a grey level (1/255).</summary>
    private const double Rounding = 1e-3;

    /// <summary>The noised batch: same shape, still normalized with Fashion-MNIST's mean and std.</summary>
    public Tensor Apply(Tensor batch, TorchSharp.torch.Generator generator)
    {
        using var scope = NewDisposeScope();
        var n = batch.shape[0];
        var m = (double)Magnitude / MaxMagnitude;
        var pixels = (batch * FashionMnist.Std) + FashionMnist.Mean;
        var affine = eye(3).expand(n, 3, 3);
        for (var round = 0; round < Ops; round++)
        {
            var op = randint(0, Operations.Count, new[] { n }, generator: generator);
            var sign = rand(new[] { n }, generator: generator).lt(0.5).to(ScalarType.Float32).mul(2).sub(1);
            var centers = rand(new[] { n, 2 }, generator: generator);
            affine = Geometric(op, sign, m).matmul(affine);
            pixels = Photometric(pixels, op, sign, m, centers);
        }

        var grid = nn.functional.affine_grid(affine.narrow(1, 0, 2), new[] { n, 1, Side, Side }, align_corners: false);
        var moved = nn.functional.grid_sample(pixels, grid, align_corners: false);
        return moved.sub(FashionMnist.Mean).div(FashionMnist.Std).MoveToOuterDisposeScope();
    }

    /// <summary>One 3x3 affine matrix an image (identity unless its drawn operation is geometric), mapping output to input coordinates in [-1, 1].</summary>
    private static Tensor Geometric(Tensor op, Tensor sign, double m)
    {
        Tensor Amount(string name, double full) => where(op.eq(Index(name)), sign * (full * m), zeros_like(sign));
        var angle = Amount("rotate", Math.PI / 6);
        var shearX = Amount("shear-x", 0.3);
        var shearY = Amount("shear-y", 0.3);
        var moveX = Amount("translate-x", 0.3 * 2);
        var moveY = Amount("translate-y", 0.3 * 2);
        var cos = angle.cos();
        var sin = angle.sin();
        var one = ones_like(angle);
        var zero = zeros_like(angle);

        // At most one of the five is non-zero, so the product of rotation, shears and translation is that one map.
        var rotation = stack(new[] { cos, -sin, zero, sin, cos, zero, zero, zero, one }, 1).view(-1, 3, 3);
        var shear = stack(new[] { one, shearX, zero, shearY, one, zero, zero, zero, one }, 1).view(-1, 3, 3);
        var translation = stack(new[] { one, zero, moveX, zero, one, moveY, zero, zero, one }, 1).view(-1, 3, 3);
        return translation.matmul(shear).matmul(rotation);
    }

    /// <summary>
    /// Pixels in 0..1 after each image's drawn photometric operation (unchanged for the others), as PIL's: solarize
    /// inverts pixels above 1 - m, posterize drops the 4m lowest bits, contrast, brightness and sharpness blend with the
    /// image's mean, black and a smoothed copy by a factor of 1 ± 0.9m. At magnitude 0 only auto-contrast, which has
    /// no magnitude, changes an image.
    /// </summary>
    private static Tensor Photometric(Tensor x, Tensor op, Tensor sign, double m, Tensor centers)
    {
        var factor = (sign * (0.9 * m)).add(1).view(-1, 1, 1, 1);
        var lowest = x.amin(new long[] { 1, 2, 3 }, keepdim: true);
        var highest = x.amax(new long[] { 1, 2, 3 }, keepdim: true);
        var mean = x.mean(new long[] { 1, 2, 3 }, keepdim: true);
        var step = Math.Pow(2, Math.Round(4 * m));
        var smooth = nn.functional.conv2d(nn.functional.pad(x, new long[] { 1, 1, 1, 1 }, TorchSharp.PaddingModes.Replicate), SmoothKernel()).div(13);
        var results = new (string Name, Tensor Value)[]
        {
            ("auto-contrast", where(highest.gt(lowest), (x - lowest) / (highest - lowest).clamp_min(1e-6), x)),
            ("solarize", where(x.gt(1 - m + Rounding), 1 - x, x)),
            ("posterize", x.mul(255).div(step).add(Rounding).floor().mul(step).div(255)),
            ("contrast", (mean + (factor * (x - mean))).clamp(0, 1)),
            ("brightness", (x * factor).clamp(0, 1)),
            ("sharpness", (smooth + (factor * (x - smooth))).clamp(0, 1)),
            ("cutout", x * CutoutKeep(centers, m)),
        };
        foreach (var (name, value) in results)
        {
            x = where(op.eq(Index(name)).view(-1, 1, 1, 1), value, x);
        }

        return x;
    }

    /// <summary>1 outside a square of side 0.4 * m * 28 centred at each image's random centre, 0 inside.</summary>
    private static Tensor CutoutKeep(Tensor centers, double m)
    {
        var half = Side * 0.4 * m / 2;
        var coordinates = arange(Side, ScalarType.Float32).add(0.5);
        var centerRow = centers.select(1, 0).mul(Side).view(-1, 1, 1, 1);
        var centerColumn = centers.select(1, 1).mul(Side).view(-1, 1, 1, 1);
        var insideRows = (coordinates.view(1, 1, Side, 1) - centerRow).abs().lt(half);
        var insideColumns = (coordinates.view(1, 1, 1, Side) - centerColumn).abs().lt(half);
        return insideRows.logical_and(insideColumns).logical_not().to(ScalarType.Float32);
    }

    /// <summary>PIL's smoothing filter (ImageFilter.SMOOTH), which its sharpness enhancement blends against; divided by 13 after.</summary>
    private static Tensor SmoothKernel() => tensor(new float[] { 1, 1, 1, 1, 5, 1, 1, 1, 1 }).view(1, 1, 3, 3);

    private static int Index(string name)
    {
        var index = Array.IndexOf(s_operations, name);
        return index >= 0 ? index : throw new ArgumentOutOfRangeException(nameof(name), name, "no such operation");
    }
}
