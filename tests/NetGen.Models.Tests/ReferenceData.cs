using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace NetGen.Models.Tests;

/// <summary>One torchvision model's figures, as tests/reference/make_reference.py recorded them.</summary>
public sealed record ReferenceModel(
    string Torchvision,
    long Parameters,
    int StateDictEntries,
    IReadOnlyList<(string Key, long[] Shape)> StateDict,
    long[] OutputShape,
    long Macs);

/// <summary>Reads Reference/torchvision.json (vendored; made by tests/reference/make_reference.py).</summary>
public static class ReferenceData
{
    private static readonly Lazy<(Dictionary<string, ReferenceModel> Models, Dictionary<string, long> Counts)> Data = new(Load);

    /// <summary>Full figures (state_dict, MACs, output) of a network built by torchvision.</summary>
    public static bool TryGet(string network, out ReferenceModel model) => Data.Value.Models.TryGetValue(network, out model!);

    /// <summary>The reference parameter count of any referenced network.</summary>
    public static bool TryGetParameters(string network, out long parameters)
    {
        if (TryGet(network, out var model))
        {
            parameters = model.Parameters;
            return true;
        }

        return Data.Value.Counts.TryGetValue(network, out parameters);
    }

    public static IEnumerable<string> Names => Data.Value.Models.Keys.Concat(Data.Value.Counts.Keys);

    private static (Dictionary<string, ReferenceModel>, Dictionary<string, long>) Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "torchvision.json")));
        var result = new Dictionary<string, ReferenceModel>(StringComparer.Ordinal);
        foreach (var model in document.RootElement.GetProperty("models").EnumerateObject())
        {
            var value = model.Value;
            result.Add(model.Name, new ReferenceModel(
                value.GetProperty("torchvision").GetString()!,
                value.GetProperty("parameters").GetInt64(),
                value.GetProperty("state_dict_entries").GetInt32(),
                value.GetProperty("state_dict").EnumerateArray()
                    .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray()))
                    .ToList(),
                value.GetProperty("output_shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                value.GetProperty("macs").GetInt64()));
        }

        var counts = document.RootElement.GetProperty("counts").EnumerateObject()
            .ToDictionary(c => c.Name, c => c.Value.GetProperty("parameters").GetInt64(), StringComparer.Ordinal);
        return (result, counts);
    }
}
