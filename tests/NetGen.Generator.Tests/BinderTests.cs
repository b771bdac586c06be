using System.Linq;
using NetGen.Generator.Binding;
using NetGen.Generator.Tests.Support;
using Xunit;

namespace NetGen.Generator.Tests;

public class BinderTests
{
    private static Shape OutputOf(string body, string input = "3x32x32") =>
        FrontEnd.Network($"network N\n  input {input}\n{body}").Output;

    [Theory]
    [InlineData("  conv(8, k=3)", "8x30x30")]
    [InlineData("  conv(8, k=3, p=1)", "8x32x32")]
    [InlineData("  conv(8, k=3, p=same)", "8x32x32")]
    [InlineData("  conv(8, k=3, d=2, p=same)", "8x32x32")]
    [InlineData("  conv(8, k=7, s=2, p=3)", "8x16x16")]
    [InlineData("  conv(8, k=(1, 7), p=(0, 3))", "8x32x32")]
    [InlineData("  conv(8, k=(3, 1), s=(2, 1))", "8x15x32")]
    [InlineData("  conv(3, k=3, g=3, p=1)", "3x32x32")]
    [InlineData("  maxpool(k=3, s=2)", "3x15x15")]
    [InlineData("  maxpool(k=3, s=2, ceil=true)", "3x16x16")]
    [InlineData("  maxpool(k=2, s=2, ceil=true)", "3x16x16")]
    [InlineData("  avgpool(k=2)", "3x16x16")]
    [InlineData("  adaptive_avgpool((6, 6))", "3x6x6")]
    [InlineData("  adaptive_avgpool(1)\n  flatten", "(3)")]
    [InlineData("  flatten\n  linear(10)", "(10)")]
    [InlineData("  dense\n    conv(5, k=3, p=1)", "8x32x32")]
    [InlineData("  concat\n    conv(4, k=1)\n    conv(6, k=3, p=1)\n    maxpool(k=3, s=1, p=1)", "13x32x32")]
    [InlineData("  residual then relu\n    conv(3, k=3, p=1)", "3x32x32")]
    [InlineData("  residual then leaky_relu(0.1)\n    conv(3, k=3, p=1)", "3x32x32")]
    [InlineData("  conv(8, k=1)\n  split then channel_shuffle(2)\n    identity\n    conv(6, k=3, p=1)", "10x32x32")]
    [InlineData("  conv(8, k=1)\n  concat then channel_shuffle(2)\n    conv(4, k=1)\n    conv(4, k=1)", "8x32x32")]
    [InlineData("  channels_last", "32x32x3 (channels last)")]
    [InlineData("  channels_last\n  layernorm\n  linear(12)\n  gelu", "32x32x12 (channels last)")]
    [InlineData("  channels_last\n  linear(12)\n  channels_first", "12x32x32")]
    [InlineData("  layernorm(eps=1e-6)\n  seq\n    scale(1e-6)", "3x32x32")]
    public void Shapes_follow_pytorchs_formulas(string body, string expected)
    {
        Assert.Equal(expected, OutputOf(body).ToString());
    }

    [Fact]
    public void Ceil_mode_drops_a_window_that_would_start_in_the_padding()
    {
        // GoogLeNet's pools: 112 -> 56 and 56 -> 28 in ceil mode (floor mode would give 55 and 27).
        Assert.Equal("3x56x56", OutputOf("  maxpool(k=3, s=2, ceil=true)", "3x112x112").ToString());
        Assert.Equal("3x28x28", OutputOf("  maxpool(k=3, s=2, ceil=true)", "3x56x56").ToString());

        // 5 with k=2, s=2, p=1: ceil gives 4 windows, but the 4th would start in the right padding, so PyTorch keeps 3.
        Assert.Equal("3x3x3", OutputOf("  maxpool(k=2, s=2, p=1, ceil=true)", "3x5x5").ToString());
    }

    [Fact]
    public void Parameters_and_macs_are_counted_like_torchvision()
    {
        var network = FrontEnd.Network("network N\n  input 3x8x8\n  conv(4, k=3, p=1)\n  batchnorm\n  groupnorm(2)\n  flatten\n  linear(10, bias=false)");
        // conv 4*3*9 + 4 = 112; batchnorm 8; groupnorm 8; linear 256*10 = 2560.
        Assert.Equal(112 + 8 + 8 + 2560, network.ParameterCount);
        Assert.Equal((4L * 8 * 8 * 3 * 9) + 2560, network.Macs);
    }

    [Fact]
    public void Unnamed_children_are_numbered_by_position_and_named_ones_keep_their_names()
    {
        var network = FrontEnd.Network("network N\n  input 3x8x8\n  stem: conv(4, k=3)\n  relu\n  head:\n    flatten\n    linear(2)");
        Assert.Equal(new[] { "stem", "1", "head" }, network.Children.Select(c => c.Key));
        var head = Assert.IsType<SequenceModel>(network.Children[2].Module);
        Assert.Equal(new[] { "0", "1" }, head.Children.Select(c => c.Key));
    }

    [Fact]
    public void A_block_of_one_unnamed_statement_is_that_statements_module()
    {
        var network = FrontEnd.Network(
            "network N\n  input 4x8x8\n  a: Res(4)\n  b: Two(4)\n" +
            "block Res(w)\n  residual\n    conv1: conv(w, k=1)\n" +
            "block Two(w)\n  conv(w, k=1)\n  relu\n");
        var residual = Assert.IsType<ResidualModel>(network.Children[0].Module);
        Assert.Equal("Res", residual.Origin);
        Assert.Equal("conv1", residual.Body.Single().Key);
        var sequence = Assert.IsType<SequenceModel>(network.Children[1].Module);
        Assert.Equal("Two", sequence.Origin);
    }

    [Fact]
    public void Repeats_see_their_index_and_only_the_first_copy_strides()
    {
        var network = FrontEnd.Network(
            "network N\n  input 8x32x32\n  stage: Block(16, stride = i == 0 ? 2 : 1) x3\n" +
            "block Block(w, stride = 1)\n  residual\n    conv(w, k=3, s=stride, p=1)\n" +
            "    shortcut down when stride != 1 or in.channels != w\n      conv(w, k=1, s=stride)\n");
        var stage = Assert.IsType<SequenceModel>(network.Children.Single().Module);
        Assert.Equal(new[] { "0", "1", "2" }, stage.Children.Select(c => c.Key));
        Assert.NotNull(((ResidualModel)stage.Children[0].Module).Shortcut);
        Assert.Null(((ResidualModel)stage.Children[1].Module).Shortcut);
        Assert.Equal("16x16x16", network.Output.ToString());
    }

    [Fact]
    public void Repeat_copies_can_be_named_from_a_template()
    {
        var network = FrontEnd.Network("network N\n  input 4x8x8\n  block1: Layer x3 as denselayer{i + 1}\nblock Layer\n  dense\n    conv(2, k=1)\n");
        var block = Assert.IsType<SequenceModel>(network.Children.Single().Module);
        Assert.Equal(new[] { "denselayer1", "denselayer2", "denselayer3" }, block.Children.Select(c => c.Key));
        Assert.Equal(10, network.Output.Channels);
    }

    [Fact]
    public void A_splice_inserts_a_blocks_layers_into_the_enclosing_sequence()
    {
        var network = FrontEnd.Network("network N\n  input 3x8x8\n  features:\n    *Pair(4) x2\n    maxpool(k=2)\nblock Pair(w)\n  conv(w, k=3, p=1)\n  relu\n");
        var features = Assert.IsType<SequenceModel>(network.Children.Single().Module);
        Assert.Equal(new[] { "conv", "relu", "conv", "relu", "maxpool" }, features.Children.Select(c => ((LayerModel)c.Module).Kind));
        Assert.Equal(new[] { "0", "1", "2", "3", "4" }, features.Children.Select(c => c.Key));
    }

    [Fact]
    public void A_when_condition_leaves_a_statement_out_and_numbering_skips_it()
    {
        var network = FrontEnd.Network("network N\n  let bn = false\n  input 3x8x8\n  conv(4, k=1)\n  batchnorm when bn\n  relu\n");
        Assert.Equal(new[] { "0", "1" }, network.Children.Select(c => c.Key));
    }

    [Fact]
    public void Variants_become_classes_with_their_own_values()
    {
        var result = FrontEnd.Compile("network Small(num_classes = 10)\n  let width = 8\n  input 3x16x16\n  conv(width, k=3)\n  adaptive_avgpool(1)\n  flatten\n  linear(num_classes)\n  variant Wide(width = 32)\n  variant Many(num_classes = 100)\n");
        Assert.Empty(result.Diagnostics);
        Assert.Equal(new[] { "Small", "Wide", "Many" }, result.Networks.Select(n => n.ClassName));
        Assert.Equal(32, result.Networks[1].Children[0].Module.Output.Channels);
        Assert.Equal(100, result.Networks[2].ConstructorParameters.Single().Default.Integer);
        Assert.Equal(100, result.Networks[2].Output.Channels);
    }

    [Fact]
    public void Constructor_parameters_flow_into_layers_as_csharp_expressions()
    {
        var network = FrontEnd.Network("network N(num_classes = 10, drop = 0.2)\n  input 16\n  dropout(drop)\n  linear(num_classes * 2)\n");
        var parameter = network.ConstructorParameters[0];
        Assert.Equal("numClasses", parameter.CSharpName);
        var linear = (LayerModel)network.Children[1].Module;
        Assert.Equal("(numClasses * 2)", linear.Argument("out_features").ToCSharp());
        Assert.Equal("(num_classes * 2)", linear.Argument("out_features").ToPython());
        Assert.Equal(20, network.Output.Channels);
        Assert.Equal("(numClasses * 2)", network.Output.ChannelsCSharp);
    }

    [Fact]
    public void Identical_block_instances_are_expanded_once_and_shared()
    {
        var network = FrontEnd.Network("network N\n  input 4x8x8\n  s: B(4) x50\nblock B(w)\n  residual\n    conv(w, k=3, p=1)\n");
        var stage = (SequenceModel)network.Children[0].Module;
        Assert.Equal(50, stage.Children.Count);
        Assert.All(stage.Children, c => Assert.Same(stage.Children[0].Module, c.Module));
    }

    [Fact]
    public void Comment_lines_directly_above_a_network_become_its_documentation()
    {
        var result = FrontEnd.Compile("# File header.\n\n# First line.\n# Second line.\nnetwork N\n  input 4\n  relu\n\n# Not this.\n\nnetwork M\n  input 4\n  relu\n");
        Assert.Equal("First line.\nSecond line.", result.Networks[0].Doc);
        Assert.Equal(string.Empty, result.Networks[1].Doc);
    }

    [Fact]
    public void A_gate_scales_its_input_and_keeps_its_shape()
    {
        var network = FrontEnd.Network("network N\n  input 16x8x8\n  se: gate\n    avgpool: adaptive_avgpool(1)\n    fc1: conv(4, k=1)\n    silu\n    fc2: conv(in.channels, k=1)\n    sigmoid\n");
        var gate = Assert.IsType<GateModel>(network.Children.Single().Module);
        Assert.Equal("16x8x8", gate.Output.ToString());
        Assert.Equal((16 * 4) + 4 + (4 * 16) + 16, gate.Parameters);
    }

    [Fact]
    public void An_auxiliary_head_reads_the_features_without_changing_the_main_path()
    {
        var network = FrontEnd.Network("network N\n  input 3x8x8\n  conv(4, k=3, p=1)\n  head: aux Head(10)\n  conv(6, k=1)\nblock Head(classes)\n  adaptive_avgpool(1)\n  flatten\n  linear(classes)\n");
        var head = network.Children.Single(c => c.Role == ChildRole.Auxiliary);
        Assert.Equal("head", head.Key);
        Assert.Equal("(10)", head.Module.Output.ToString());
        Assert.Equal("6x8x8", network.Output.ToString());
        Assert.Equal(network.Children.Where(c => c.Role != ChildRole.Auxiliary).Sum(c => c.Module.Macs), network.Macs);
        Assert.Equal(network.Children.Sum(c => c.Module.Parameters), network.ParameterCount);
    }

    [Fact]
    public void A_shortcut_can_read_a_named_layer_of_the_body()
    {
        var network = FrontEnd.Network("network N\n  input 8x8x8\n  residual\n    gn: groupnorm(4)\n    act: relu\n    conv(16, k=3, s=2, p=1)\n    shortcut down from act: conv(16, k=1, s=2)\n");
        var residual = Assert.IsType<ResidualModel>(network.Children.Single().Module);
        Assert.Equal(1, residual.ShortcutFrom);
        Assert.Equal("down", residual.Shortcut!.Key);
    }

    [Fact]
    public void Star_branches_of_a_concat_register_their_layers_on_the_concat_numbered_together()
    {
        var network = FrontEnd.Network(
            "network N\n  input 4x8x8\n  mix: concat\n    b1: conv(2, k=1)\n    *seq\n      b2_1: conv(2, k=1)\n      b2_2: conv(2, k=3, p=1)\n" +
            "    *seq\n      maxpool(k=3, s=1, p=1)\n      b3: conv(2, k=1)\n    *seq\n      b4_1: conv(2, k=1)\n      *concat\n        b4_a: conv(1, k=1)\n        b4_b: conv(1, k=1)\n");
        var concat = Assert.IsType<ConcatModel>(network.Children.Single().Module);
        static System.Collections.Generic.IEnumerable<string> Keys(ChildModel child) => child.Role != ChildRole.Flat
            ? new[] { child.Key }
            : child.Module switch
            {
                SequenceModel s => s.Children.SelectMany(Keys),
                ConcatModel c => c.Branches.SelectMany(Keys),
                _ => System.Array.Empty<string>(),
            };
        Assert.Equal(new[] { "b1", "b2_1", "b2_2", "3", "b3", "b4_1", "b4_a", "b4_b" }, concat.Branches.SelectMany(Keys));
        Assert.Equal("8x8x8", network.Output.ToString());
    }

    [Fact]
    public void Repeat_names_can_be_zero_padded()
    {
        var network = FrontEnd.Network("network N\n  input 4x8x8\n  block1: relu x3 as unit{i + 1:02}\n");
        var block = Assert.IsType<SequenceModel>(network.Children.Single().Module);
        Assert.Equal(new[] { "unit01", "unit02", "unit03" }, block.Children.Select(c => c.Key));
    }

    [Fact]
    public void Names_may_hold_dashes_and_templates_fill_several_holes()
    {
        var network = FrontEnd.Network("network N\n  input 4x8x8\n  block1-0: relu\n  trunk: Stage(s = i) x 2 as block{i + 1}\nblock Stage(s)\n  relu x 2 as block{s + 1}-{i}\n");
        Assert.Equal("block1-0", network.Children[0].Key);
        var trunk = Assert.IsType<SequenceModel>(network.Children[1].Module);
        Assert.Equal(new[] { "block1", "block2" }, trunk.Children.Select(c => c.Key));
        var second = Assert.IsType<SequenceModel>(trunk.Children[1].Module);
        Assert.Equal(new[] { "block2-0", "block2-1" }, second.Children.Select(c => c.Key));
    }

    [Fact]
    public void A_block_whose_one_child_is_a_block_call_keeps_its_own_level()
    {
        var network = FrontEnd.Network("network N\n  input 4x8x8\n  wrap: Wrap\n  layer: One\nblock Wrap\n  Two\nblock Two\n  conv(4, k=1)\n  relu\nblock One\n  conv(4, k=1)\n");
        var wrap = Assert.IsType<SequenceModel>(network.Children[0].Module);
        var inner = Assert.IsType<SequenceModel>(Assert.Single(wrap.Children).Module);
        Assert.Equal("0", wrap.Children[0].Key);
        Assert.Equal(new[] { "0", "1" }, inner.Children.Select(c => c.Key));

        // A layer (or connection) alone is still the block's module.
        Assert.IsType<LayerModel>(network.Children[1].Module);
    }

    [Fact]
    public void Layer_norm_linear_and_scale_count_like_torchvision_on_channels_last_maps()
    {
        // ConvNeXt's block at 8 channels on 4x4: LayerNorm 2*8, Linear 8->32 and 32->8 at 16 positions, layer_scale 8.
        var network = FrontEnd.Network("network N\n  input 8x4x4\n  b:\n    channels_last\n    layernorm(eps=1e-6)\n    linear(32)\n    gelu\n    linear(8)\n    channels_first\n    layer_scale: scale(1e-6)\n");
        Assert.Equal(16 + (8 * 32) + 32 + (32 * 8) + 8 + 8, network.ParameterCount);
        Assert.Equal(16L * ((8 * 32) + (32 * 8)), network.Macs);
    }
}
