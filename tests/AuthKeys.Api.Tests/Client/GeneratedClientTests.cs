using AuthKeys.Api.Tests.Testing;
using NJsonSchema.CodeGeneration.CSharp;
using NSwag.CodeGeneration.CSharp;

namespace AuthKeys.Api.Tests.Client;

/// <summary>
/// src/AuthKeys.Client/Generated/AuthKeysClient.g.cs is NSwag's output for the OpenAPI document,
/// committed so that it can be read and reviewed; this test keeps it equal to a fresh generation.
/// </summary>
public sealed class GeneratedClientTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    [Fact]
    public async Task TheCommittedClientIsWhatNSwagGeneratesFromTheDocument()
    {
        // The served document, which the document drift test keeps equal to docs/openapi.v1.json:
        // one UPDATE_OPENAPI_SNAPSHOT run then refreshes both files consistently.
        var json = await (await api.CreateClient().GetAsync(Routes.OpenApiDocument)).Content.ReadAsStringAsync();
        var generated = Generate(await NSwag.OpenApiDocument.FromJsonAsync(json));
        var file = Path.Combine(Repository.Root(), "src", "AuthKeys.Client", "Generated", "AuthKeysClient.g.cs");
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI_SNAPSHOT") == "1")
            await File.WriteAllTextAsync(file, generated);
        Assert.True(generated == Normalize(await File.ReadAllTextAsync(file)),
            "src/AuthKeys.Client/Generated/AuthKeysClient.g.cs is out of date: run `UPDATE_OPENAPI_SNAPSHOT=1 dotnet test --filter \"OpenApiDocumentTests|GeneratedClientTests\"` and commit it.");
    }

    /// <summary>NSwag's defaults but for System.Text.Json (no Newtonsoft.Json dependency), an interface, and the base address from the HttpClient.</summary>
    private static string Generate(NSwag.OpenApiDocument document)
    {
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "AuthKeysClient",
            GenerateClientInterfaces = true,
            UseBaseUrl = false,
            ExceptionClass = "AuthKeysApiException",
            CSharpGeneratorSettings =
            {
                Namespace = "AuthKeys.Client",
                JsonLibrary = CSharpJsonLibrary.SystemTextJson,
                JsonLibraryVersion = 9.0m, // enum values as the document spells them (JsonStringEnumMemberName)
                GenerateNullableReferenceTypes = true,
            },
        };
        return Normalize(new CSharpClientGenerator(document, settings).GenerateFile());
    }

    private static string Normalize(string code) => code.ReplaceLineEndings("\n");
}
