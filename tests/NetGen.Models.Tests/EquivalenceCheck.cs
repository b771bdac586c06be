using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// One reference of tests/NetGen.Models.Tests/Fixtures/equivalence.json: torchvision's float64 outputs
/// for two deterministic inputs and torch's own float32 error against them (made by
/// tests/reference/make_equivalence.py with torch 1.13.1 / torchvision 0.14.1). <see cref="Damped"/> are the
/// keys the weights were filled with damped (<see cref="DeterministicWeights.Pattern"/>).
/// </summary>
public sealed record EquivalenceReference(string InputName, string OtherInputName, long[] InputShape, double Float32Error, double[] Output, double[] OtherOutput, IReadOnlySet<string> Damped)
{
    private static readonly Lazy<JsonElement> File = new(() =>
        JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "equivalence.json"))).RootElement);

    /// <summary>The references of the zoo networks torchvision builds, by generated class name.</summary>
    public static JsonElement Networks => File.Value.GetProperty("networks");

    /// <summary>References of deliberately different networks, which the check must reject.</summary>
    public static JsonElement Mutations => File.Value.GetProperty("mutations");

    /// <summary>
    /// The check: max |actual - reference| ≤ 1e-5 · (max - min of the reference) + 4 · torch's float32
    /// error (both factors stored in the fixture). Relative to the outputs' spread, not to |y|: small
    /// logits hide a wrong BatchNorm epsilon or gate activation inside 1e-3 · (1 + |y|), not inside this.
    /// The generated networks' own float32 error is at most torch's on every reference (the test prints both).
    /// </summary>
    public double Tolerance =>
        (File.Value.GetProperty("spread_tolerance").GetDouble() * (Output.Max() - Output.Min()))
        + (File.Value.GetProperty("floor_factor").GetDouble() * Float32Error);

    /// <summary>How far another input moves the reference: far beyond <see cref="Tolerance"/>, or the fixture checks nothing.</summary>
    public double InputSensitivity => Output.Zip(OtherOutput, (a, b) => Math.Abs(a - b)).Max();

    public static EquivalenceReference Parse(JsonElement entry) => new(
        entry.GetProperty("input_name").GetString()!,
        entry.GetProperty("other_input_name").GetString()!,
        entry.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
        entry.GetProperty("float32_error").GetDouble(),
        entry.GetProperty("reference").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
        entry.GetProperty("other_reference").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
        DampedKeys(entry));

    /// <summary>The "damped" keys of a fixture entry (none where it has no such list).</summary>
    public static IReadOnlySet<string> DampedKeys(JsonElement entry) =>
        entry.TryGetProperty("damped", out var damped)
            ? damped.EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The input the reference was computed for, in <paramref name="type"/> (float32 values, as PyTorch's).</summary>
    public Tensor Input(ScalarType type = ScalarType.Float32) => DeterministicWeights.Input(InputName, InputShape).to(type);

    /// <summary>max |actual - reference| over all outputs (NaN where any output is NaN).</summary>
    public double MaxDifference(Tensor actual)
    {
        var values = actual.detach().cpu().to(ScalarType.Float64).data<double>().ToArray();
        if (values.Length != Output.Length)
        {
            throw new ArgumentException($"{values.Length} outputs where the reference has {Output.Length}");
        }

        return values.Zip(Output, (a, b) => double.IsNaN(a) ? double.NaN : Math.Abs(a - b)).Max();
    }

    /// <summary>What the old check, |d| ≤ 1e-3 · (1 + |y|) per output, said of <paramref name="actual"/> (for reports).</summary>
    public bool OldCheckAccepts(Tensor actual) =>
        actual.detach().cpu().to(ScalarType.Float64).data<double>().ToArray()
            .Zip(Output, (a, b) => Math.Abs(a - b) <= 1e-3 * (1 + Math.Abs(b))).All(ok => ok);
}
