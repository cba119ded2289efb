using System.Text.Json;
using System.Text.Json.Serialization;

namespace AuthKeys.Client;

public partial class AuthKeysClient
{
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings)
    {
        // NSwag puts a string converter on single enum properties but none on lists of them (webhook
        // events), which would then go out as numbers; this one writes the document's spellings
        // (the generated JsonStringEnumMemberName attributes).
        settings.Converters.Add(new JsonStringEnumConverter());
        // The PATCH routes read a field left out as "unchanged" and null as "clear": a property left
        // null is therefore not sent. To clear one, name it with Clearing(...).
        settings.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    }
}

public partial class UpdateApiKeyRequest
{
    /// <summary>Sends <paramref name="field"/> (as the API spells it, e.g. <c>expiresAt</c>) as null, which clears it.</summary>
    public UpdateApiKeyRequest Clearing(string field)
    {
        AdditionalProperties[field] = null!;
        return this;
    }
}

public partial class UpdateAccountRequest
{
    /// <summary>Sends <paramref name="field"/> (as the API spells it, e.g. <c>name</c>) as null, which clears it.</summary>
    public UpdateAccountRequest Clearing(string field)
    {
        AdditionalProperties[field] = null!;
        return this;
    }
}
