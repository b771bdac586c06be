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
    private static readonly Lazy<Dictionary<string, ReferenceModel>> Models = new(Load);

    public static bool TryGet(string network, out ReferenceModel model) => Models.Value.TryGetValue(network, out model!);

    public static IEnumerable<string> Names => Models.Value.Keys;

    private static Dictionary<string, ReferenceModel> Load()
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

        return result;
    }
}
