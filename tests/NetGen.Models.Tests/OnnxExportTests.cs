using System;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using NetGen.Generated;
using NetGen.Tool;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// <c>netgen export-onnx</c> end to end: a zoo network with deterministic weights is saved by TorchSharp,
/// exported by PyTorch from its emitted module, and run by ONNX Runtime; the logits equal TorchSharp's for
/// a batch of 2 and, through the dynamic batch axis, a batch of 1. Needs a Python with PyTorch:
/// <c>NETGEN_PYTHON</c>, else /usr/bin/python3 (Debian's python3-torch).
/// </summary>
public class OnnxExportTests
{
    /// <summary>
    /// max |ONNX Runtime - TorchSharp| allowed, relative to max |logit|. Both run float32 on CPU with their own
    /// kernels; measured 6.9e-7 (ResNet50, max |logit| 8.3) and 6.2e-7 (EfficientNetB0, 9.2): about 6 float32
    /// steps of the largest logit, 15 times below the tolerance.
    /// </summary>
    private const double RelativeTolerance = 1e-5;

    /// <summary>Logits must be at least this large: near-zero logits would agree with anything.</summary>
    private const double MinimumScale = 1.0;

    private static readonly long[] InputShape = { 2, 3, 224, 224 };

    private readonly ITestOutputHelper _output;

    public OnnxExportTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Networks => new() { "ResNet50", "EfficientNetB0" };

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_exported_model_computes_torchsharps_logits_in_onnx_runtime_for_a_batch_of_2_and_of_1(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "netgen-onnx-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var onnx = Path.Combine(folder, name + ".onnx");
            var (expected, input) = ExportWithDeterministicWeights(name, folder, onnx);

            using var session = new InferenceSession(onnx);
            Assert.Equal(new[] { "input" }, session.InputMetadata.Keys);
            Assert.Equal(new[] { "logits" }, session.OutputMetadata.Keys);
            Assert.Equal(-1, session.InputMetadata["input"].Dimensions[0]);

            var scale = expected.Max(Math.Abs);
            var classes = expected.Length / (int)InputShape[0];
            var two = Run(session, input, InputShape);
            var one = Run(session, input[..(input.Length / 2)], new[] { 1L, InputShape[1], InputShape[2], InputShape[3] });
            var differenceTwo = MaxDifference(two, expected);
            var differenceOne = MaxDifference(one, expected[..classes]);
            _output.WriteLine($"{name}: max |logit| {scale:G4}; max |ORT - TorchSharp| {differenceTwo:G3} (batch 2), {differenceOne:G3} (batch 1) = {Math.Max(differenceTwo, differenceOne) / scale:G3} of the scale");

            Assert.True(scale >= MinimumScale, $"{name}: logits of at most {scale:G3} compare nothing");
            Assert.True(differenceTwo <= RelativeTolerance * scale, $"{name}, batch 2: max |d| {differenceTwo:G3} > {RelativeTolerance} x {scale:G3}");
            Assert.True(differenceOne <= RelativeTolerance * scale, $"{name}, batch 1: max |d| {differenceOne:G3} > {RelativeTolerance} x {scale:G3}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Builds the network, fills the deterministic weights (EfficientNet's initial weights give logits near 1e-14),
    /// saves them, exports through the tool, and returns TorchSharp's eval-mode logits and the input they were
    /// computed for, both flat.
    /// </summary>
    private static (float[] Logits, float[] Input) ExportWithDeterministicWeights(string name, string folder, string onnx)
    {
        var info = NetworkCatalog.All.Single(n => n.Name == name);
        var weights = Path.Combine(folder, name + ".pt");
        float[] logits;
        float[] input;
        using (var scope = NewDisposeScope())
        {
            using var network = info.Create();
            DeterministicWeights.Fill(network);
            network.eval();
            network.SaveWeights(weights);
            using var noGrad = no_grad();
            var x = DeterministicWeights.Input("onnx export input", InputShape);
            logits = network.call(x).data<float>().ToArray();
            input = x.data<float>().ToArray();
        }

        var dsl = Path.Combine(AppContext.BaseDirectory, "Networks", info.SourceFile);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = Cli.Run(new[] { "export-onnx", dsl, "--network", name, "--weights", weights, "-o", onnx, "--python", Python }, output, error);
        Assert.True(exitCode == Cli.Success, $"export-onnx exited {exitCode}: {error}(a Python with PyTorch is needed: apt-get install python3-torch, or set NETGEN_PYTHON)");
        return (logits, input);
    }

    private static string Python => Environment.GetEnvironmentVariable(ExportOnnxCommand.PythonVariable) is { Length: > 0 } python ? python : "/usr/bin/python3";

    private static float[] Run(InferenceSession session, float[] input, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var options = new RunOptions();
        using var results = session.Run(options, new[] { "input" }, new[] { value }, new[] { "logits" });
        Assert.Equal(shape[0], results[0].GetTensorTypeAndShape().Shape[0]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static double MaxDifference(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        return actual.Zip(expected, (a, b) => Math.Abs((double)a - b)).Aggregate(0.0, Math.Max); // Math.Max keeps a NaN
    }
}
