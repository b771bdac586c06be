using System;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// What the generator knows about one network at compile time, plus a way to build it. The
/// generator lists every network of a project in <c>NetGen.Generated.NetworkCatalog.All</c>.
/// </summary>
/// <param name="Name">The class name.</param>
/// <param name="Type">The generated class.</param>
/// <param name="Create">Builds an instance with the default constructor arguments.</param>
/// <param name="ParameterCount">Trainable parameters, counted at compile time.</param>
/// <param name="MultiplyAccumulates">Conv and linear multiply-accumulates per sample.</param>
/// <param name="InputShape">One input sample's shape.</param>
/// <param name="OutputShape">One output sample's shape.</param>
/// <param name="SourceFile">The DSL file it came from.</param>
/// <param name="StateDictEntries">Entries of its state_dict (parameters and buffers), counted at compile time.</param>
public sealed record NetworkInfo(
    string Name,
    Type Type,
    Func<nn.Module<Tensor, Tensor>> Create,
    long ParameterCount,
    long MultiplyAccumulates,
    long[] InputShape,
    long[] OutputShape,
    string SourceFile,
    int StateDictEntries);
