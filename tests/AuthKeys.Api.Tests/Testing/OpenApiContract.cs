using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>
/// The service's own OpenAPI document, used the way a contract-testing proxy uses it: every
/// response to a documented operation must have its status and media type declared there.
/// </summary>
public sealed class OpenApiContract
{
    private readonly List<(string Method, Regex Path, string Template, JsonElement Operation)> _operations = [];

    private OpenApiContract(JsonElement document)
    {
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var pattern = new Regex("^" + Regex.Replace(Regex.Escape(path.Name), @"\\\{[^/]+\}", "[^/]+") + "$", RegexOptions.CultureInvariant);
            foreach (var operation in path.Value.EnumerateObject())
                _operations.Add((operation.Name.ToUpperInvariant(), pattern, path.Name, operation.Value));
        }
    }

    public static async Task<OpenApiContract> LoadAsync(HttpClient client) =>
        new(await (await client.GetAsync(Routes.OpenApiDocument)).ReadJsonAsync(HttpStatusCode.OK));

    public IEnumerable<string> Operations => _operations.Select(o => $"{o.Method} {o.Template}");

    /// <summary>Null when the response conforms (or the request hit no documented operation), else why not.</summary>
    public string? Check(HttpRequestMessage request, HttpResponseMessage response)
    {
        var path = request.RequestUri!.IsAbsoluteUri ? request.RequestUri.AbsolutePath : request.RequestUri.OriginalString.Split('?')[0];
        var match = _operations.FirstOrDefault(o => o.Method == request.Method.Method && o.Path.IsMatch(path));
        if (match.Template is null)
            return null;
        var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        var operation = $"{match.Method} {match.Template}";
        if (!match.Operation.GetProperty("responses").TryGetProperty(status, out var declared))
            return $"{operation} answered {status}, which its document does not declare";
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is not null && declared.TryGetProperty("content", out var content) && !content.TryGetProperty(mediaType, out _))
            return $"{operation} answered {status} as {mediaType}, which its document does not declare";
        return null;
    }

    public string StatusKey(HttpRequestMessage request, HttpResponseMessage response)
    {
        var path = request.RequestUri!.IsAbsoluteUri ? request.RequestUri.AbsolutePath : request.RequestUri.OriginalString.Split('?')[0];
        var match = _operations.FirstOrDefault(o => o.Method == request.Method.Method && o.Path.IsMatch(path));
        return $"{match.Method} {match.Template} {(int)response.StatusCode}";
    }
}
