using System.Text.RegularExpressions;
using AuthKeys.Api.Tests.Testing;

namespace AuthKeys.Api.Tests.Architecture;

/// <summary>
/// The folder list is the map of the service: one top-level folder per capability, registering
/// itself in Program.cs; features use Infrastructure/ and each other one way only. These read the
/// sources, so a new folder or a new using is checked the moment it is written.
/// </summary>
public sealed partial class LayoutTests
{
    private const int MaxLines = 250;

    private static readonly string[] HandWritten = ["src", "tests", "bench"];

    private static readonly string Source = Path.Combine(Repository.Root(), "src", "AuthKeys.Api");

    /// <summary>Infrastructure/Data may see every entity: the DbContext and its configurations map them.</summary>
    private static readonly string DataFolder = Path.Combine(Source, "Infrastructure", "Data");

    [Fact]
    public void NoTwoFeatureFoldersDependOnEachOtherEvenThroughOthers()
    {
        var graph = Features().ToDictionary(feature => feature, feature => References(Files(feature), except: feature));
        foreach (var feature in graph.Keys)
        {
            var cycle = PathBack(feature, feature, graph, []);
            Assert.True(cycle is null, $"Feature folders depend on each other in a circle: {feature} -> {string.Join(" -> ", cycle ?? [])}.");
        }
    }

    [Fact]
    public void InfrastructureNamesNoFeatureButInItsDataModel()
    {
        var files = Directory.EnumerateFiles(Path.Combine(Source, "Infrastructure"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(DataFolder, StringComparison.Ordinal));
        foreach (var file in files)
            Assert.True(References([file], except: null).Count == 0,
                $"{Path.GetRelativePath(Source, file)} names {string.Join(", ", References([file], except: null))}: plumbing must not depend on a feature.");
    }

    [Fact]
    public void ProgramRegistersEveryFeatureThroughItsOwnExtension()
    {
        var program = File.ReadAllText(Path.Combine(Source, "Program.cs"));
        foreach (var feature in Features())
        {
            var registrations = Files(feature).SelectMany(f => Registration().Matches(File.ReadAllText(f)).Select(m => m.Groups["name"].Value)).ToList();
            Assert.True(registrations.Any(name => program.Contains($".{name}(", StringComparison.Ordinal)),
                $"{feature}/ has no AddAuthKeys...() extension that Program.cs calls (found: {string.Join(", ", registrations)}).");
        }
    }

    [Fact]
    public void NoHandWrittenSourceFileIsLongerThanItsReaderCanHold()
    {
        var root = Repository.Root();
        var files = HandWritten
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(f => !Generated().IsMatch(f.Replace('\\', '/')));
        var tooLong = files.Select(f => (File: Path.GetRelativePath(root, f), Lines: File.ReadLines(f).Count())).Where(f => f.Lines > MaxLines).ToList();
        Assert.True(tooLong.Count == 0, $"Over {MaxLines} lines: {string.Join(", ", tooLong.Select(f => $"{f.File} ({f.Lines})"))}.");
    }

    private static List<string> Features() =>
        Directory.EnumerateDirectories(Source).Select(Path.GetFileName).OfType<string>()
            .Where(name => name is not ("Infrastructure" or "bin" or "obj" or "Properties"))
            .Where(name => Directory.EnumerateFiles(Path.Combine(Source, name), "*.cs", SearchOption.AllDirectories).Any())
            .Order(StringComparer.Ordinal).ToList();

    private static IEnumerable<string> Files(string feature) =>
        Directory.EnumerateFiles(Path.Combine(Source, feature), "*.cs", SearchOption.AllDirectories);

    /// <summary>The features the files name: by a using, a fully qualified name, or a name qualified by the folder.</summary>
    private static HashSet<string> References(IEnumerable<string> files, string? except)
    {
        var features = Features().Where(f => f != except).ToList();
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in files.Select(File.ReadAllText))
        {
            foreach (var feature in features)
            {
                var named = new Regex($@"AuthKeys\.Api\.{feature}\b|(?<![\w.""/]){feature}\.[A-Z]");
                if (named.IsMatch(StripComments(text)))
                    found.Add(feature);
            }
        }
        return found;
    }

    private static string StripComments(string text) => Comment().Replace(text, "");

    private static List<string>? PathBack(string from, string to, Dictionary<string, HashSet<string>> graph, List<string> path)
    {
        foreach (var next in graph[from])
        {
            if (next == to)
                return [.. path, next];
            if (!path.Contains(next) && PathBack(next, to, graph, [.. path, next]) is { } found)
                return found;
        }
        return null;
    }

    [GeneratedRegex(@"public static \w+ (?<name>AddAuthKeys\w+)\(")]
    private static partial Regex Registration();

    [GeneratedRegex(@"/(obj|bin|Migrations|CompiledModel|generated|Generated)/|\.g\.cs$")]
    private static partial Regex Generated();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex Comment();
}
