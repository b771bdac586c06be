using System.Linq;
using TorchSharp;

namespace NetGen;

/// <summary>Counts taken on a live module, to compare with the generated compile-time constants.</summary>
public static class ModelStatistics
{
    /// <summary>The number of trainable parameter elements.</summary>
    public static long ParameterCount(this torch.nn.Module module) =>
        module.parameters().Sum(p => p.numel());

    /// <summary>The number of state_dict entries (parameters and buffers).</summary>
    public static int StateDictEntries(this torch.nn.Module module) => module.state_dict().Count;
}
