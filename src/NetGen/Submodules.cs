using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// Fine-tuning over state_dict names: replace a child under its key, find a module by its dotted path,
/// freeze and unfreeze parameters by path. Works on any TorchSharp module; generated networks and the
/// runtime containers use <see cref="Replace{T}"/> for their setters.
/// </summary>
public static class Submodules
{
    /// <summary>
    /// Puts <paramref name="module"/> in place of the child registered as <paramref name="name"/>, keeping the
    /// children's order (and so the state_dict's), as <c>model.fc = nn.Linear(…)</c> does in PyTorch.
    /// The new module is not moved: call <c>to(device)</c> on it or on the whole model afterwards.
    /// </summary>
    /// <returns><paramref name="module"/>, for assigning to the field that runs it.</returns>
    /// <exception cref="ArgumentException"><paramref name="owner"/> has no child <paramref name="name"/>.</exception>
    public static T Replace<T>(nn.Module owner, string name, T module)
        where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(module);
        var children = owner.named_children().ToList();
        var index = children.FindIndex(c => c.name == name);
        if (index < 0)
        {
            throw new ArgumentException($"'{owner.GetName()}' has no child '{name}'; its children are {Names(children.Select(c => c.name))}.", nameof(name));
        }

        // register_module appends: take the tail off, put the new child in, and the tail back on.
        for (var i = children.Count - 1; i >= index; i--)
        {
            owner.register_module(children[i].name, null!);
        }

        owner.register_module(name, module);
        for (var i = index + 1; i < children.Count; i++)
        {
            owner.register_module(children[i].name, children[i].module);
        }

        return module;
    }

    /// <summary>The module at a dotted state_dict path (<c>"layer4.0.conv1"</c>); the empty path is <paramref name="root"/> itself.</summary>
    /// <exception cref="ArgumentException">No module has that path.</exception>
    public static nn.Module Get(this nn.Module root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(path);
        var module = root;
        if (path.Length == 0)
        {
            return module;
        }

        foreach (var segment in path.Split('.'))
        {
            var children = module.named_children().ToList();
            var found = children.FirstOrDefault(c => c.name == segment).module;
            module = found ?? throw new ArgumentException(
                $"No module '{path}': '{segment}' is not a child here; the children are {Names(children.Select(c => c.name))}.", nameof(path));
        }

        return module;
    }

    /// <summary>
    /// Stops gradients for the parameters under each dotted path (<c>model.Freeze("conv1", "bn1", "layer1")</c>);
    /// no path freezes them all. BatchNorm still updates its running statistics in training mode: call
    /// <c>eval()</c> on frozen normalization layers too when they should stay as loaded.
    /// </summary>
    /// <exception cref="ArgumentException">A path names no module.</exception>
    public static void Freeze(this nn.Module root, params string[] paths) => SetTrainable(root, paths, trainable: false);

    /// <summary>Lets gradients flow again into the parameters under each dotted path; no path unfreezes them all.</summary>
    /// <exception cref="ArgumentException">A path names no module.</exception>
    public static void Unfreeze(this nn.Module root, params string[] paths) => SetTrainable(root, paths, trainable: true);

    private static void SetTrainable(nn.Module root, string[] paths, bool trainable)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(paths);
        // Every path is checked before anything changes: a typo leaves the model as it was.
        var modules = paths.Length == 0 ? new[] { root } : paths.Select(root.Get).ToArray();
        foreach (var module in modules)
        {
            foreach (var parameter in module.parameters())
            {
                parameter.requires_grad = trainable;
            }
        }
    }

    private static string Names(IEnumerable<string> names)
    {
        var list = names.Select(n => $"'{n}'").ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
