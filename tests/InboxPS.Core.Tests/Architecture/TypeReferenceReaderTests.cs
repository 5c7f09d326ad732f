using InboxPS.Core.Tests.Architecture.Sample.Engine;

namespace InboxPS.Core.Tests.Architecture;

/// <summary>The reader finds a use wherever the compiler put it, so a forbidden edge cannot hide in a method body.</summary>
public sealed class TypeReferenceReaderTests
{
    private const string SampleNamespace = "InboxPS.Core.Tests.Architecture.Sample";

    private static readonly Lazy<IReadOnlyList<TypeUse>> s_uses =
        new(() => TypeReferenceReader.Read(typeof(TypeReferenceReaderTests).Assembly.Location));

    [Theory]
    [InlineData(typeof(UsesInBody), "Client")]
    [InlineData(typeof(UsesInLambda), "Client")]
    [InlineData(typeof(UsesInAsync), "Client")]
    [InlineData(typeof(UsesInCatch), "Fault")]
    [InlineData(typeof(UsesInGenericArgument), "Client")]
    [InlineData(typeof(UsesInAttribute), "MarkerAttribute")]
    public void A_use_is_found_wherever_the_compiler_put_it(Type user, string used)
    {
        Assert.Contains(s_uses.Value, u => u.Source == user.FullName && u.Target == $"{SampleNamespace}.Protocol.{used}");
    }

    [Fact]
    public void The_sample_folders_make_exactly_one_edge()
    {
        var graph = FolderGraph.From(s_uses.Value, SampleNamespace);

        var edge = Assert.Single(graph.Edges);
        Assert.Equal(("Engine", "Protocol"), (edge.From, edge.To));
        Assert.Equal(6, edge.Evidence.Select(e => e.Split(' ')[0]).Distinct().Count());
    }

    [Fact]
    public void Uses_of_other_assemblies_name_the_assembly()
    {
        Assert.Contains(s_uses.Value, u => u.Source == typeof(TypeReferenceReaderTests).FullName && u.Target == "Xunit.FactAttribute" && u.TargetAssembly == "xunit.core");
    }
}
