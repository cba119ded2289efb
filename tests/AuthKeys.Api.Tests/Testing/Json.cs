using System.Net.Http.Json;
using System.Text;

namespace AuthKeys.Api.Tests.Testing;

public static class Json
{
    public static JsonContent Of<T>(T value) => JsonContent.Create(value);

    public static StringContent Raw(string text, string mediaType = "application/json") => new(text, Encoding.UTF8, mediaType);
}
