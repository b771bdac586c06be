using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;

namespace NetGen.Models.Tests;

/// <summary>
/// A state_dict as sorted "key shape" lines (shape as 64x3x7x7), for comparing key sets and shapes from different
/// sources in one assertion: TorchSharp lists each module's buffers after all its parameters, PyTorch module by module.
/// </summary>
public static class StateDictLines
{
    public static string Line(string key, IEnumerable<long> shape) => $"{key} {string.Join("x", shape)}";

    public static List<string> Of(IEnumerable<(string Key, IEnumerable<long> Shape)> entries) =>
        entries.Select(e => Line(e.Key, e.Shape)).Order(StringComparer.Ordinal).ToList();

    public static List<string> Of(torch.nn.Module module) =>
        Of(module.state_dict().Select(e => (e.Key, (IEnumerable<long>)e.Value.shape)));
}
