using System.Globalization;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Infrastructure.Configuration;

/// <summary>
/// Reads the reference service's environment variables (PORT, JWT_SECRET, ...) and collects every
/// problem under the variable's own name, so that start-up can stop with one line naming it.
/// </summary>
public sealed class EnvironmentReader(IConfiguration configuration)
{
    private readonly List<string> _problems = [];

    public string? Value(string name) =>
        configuration[name] is { Length: > 0 } value ? value.Trim() : null;

    public string Value(string name, string fallback) => Value(name) ?? fallback;

    public int WholeNumber(string name, int fallback, int min, int max)
    {
        var raw = Value(name);
        if (raw is null)
            return fallback;
        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        Problem(name, $"must be a whole number from {min} to {max} (got '{raw}')");
        return fallback;
    }

    public bool YesNo(string name, bool fallback)
    {
        var raw = Value(name);
        if (raw is null)
            return fallback;
        switch (raw.ToUpperInvariant())
        {
            case "TRUE" or "1" or "YES": return true;
            case "FALSE" or "0" or "NO": return false;
            default:
                Problem(name, $"must be true or false (got '{raw}')");
                return fallback;
        }
    }

    /// <summary>Durations as the reference writes them: <c>15m</c>, <c>1h</c>, <c>7d</c>, <c>30s</c> or plain seconds.</summary>
    public TimeSpan Duration(string name, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        var raw = Value(name);
        if (raw is null)
            return fallback;
        if (DurationParser.TryParse(raw, out var value) && value >= min && value <= max)
            return value;
        Problem(name, $"must be a duration such as 30s, 15m, 1h, 7d or a number of seconds, from {DurationParser.Format(min)} to {DurationParser.Format(max)} (got '{raw}')");
        return fallback;
    }

    /// <summary>An absolute http(s) URL without a query (a public address); null when unset or, with a problem noted, malformed.</summary>
    public Uri? HttpUrl(string name)
    {
        if (Value(name) is not { } value)
            return null;
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Query.Length == 0 && uri.Fragment.Length == 0)
            return uri;
        Problem(name, $"must be an absolute http(s) URL without a query, such as https://auth.example.com (got '{value}')");
        return null;
    }

    public void Problem(string name, string message) => _problems.Add($"{name} {message}");

    public void ThrowIfInvalid<TOptions>()
    {
        if (_problems.Count > 0)
            throw new OptionsValidationException(typeof(TOptions).Name, typeof(TOptions), _problems);
    }
}

public static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (text.Length == 0)
            return false;
        var unit = char.ToLowerInvariant(text[^1]);
        var multiplier = unit switch
        {
            's' => 1L,
            'm' => 60L,
            'h' => 3600L,
            'd' => 86400L,
            _ => 0L,
        };
        var number = multiplier == 0 ? text : text[..^1];
        if (multiplier == 0)
            multiplier = 1;
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 10L * 365 * 86400)
            return false;
        value = TimeSpan.FromSeconds(amount * multiplier);
        return true;
    }

    public static string Format(TimeSpan value) => $"{(long)value.TotalSeconds}s";
}

public static class EnvironmentOptionsExtensions
{
    /// <summary>
    /// Registers options read from environment variables and checked when the host starts:
    /// a bad value stops start-up with the variable's name instead of failing on first use.
    /// </summary>
    public static OptionsBuilder<TOptions> AddEnvironmentOptions<TOptions>(
        this IServiceCollection services, Action<TOptions, EnvironmentReader, IHostEnvironment> bind)
        where TOptions : class =>
        services.AddOptions<TOptions>()
            .Configure<IConfiguration, IHostEnvironment>((options, configuration, environment) =>
            {
                var reader = new EnvironmentReader(configuration);
                bind(options, reader, environment);
                reader.ThrowIfInvalid<TOptions>();
            })
            .ValidateOnStart();
}
