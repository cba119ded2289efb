namespace AuthKeys.Api.Tokens;

/// <summary>
/// <c>AuthKeys.Api rotate-signing-keys --now</c>: replaces every signing key with a new one at
/// once, for a key that may have leaked. Running nodes hear of it and stop accepting the old
/// key's tokens; people log in again, services ask for new tokens.
/// </summary>
public static class RotateSigningKeysCommand
{
    public const string Name = "rotate-signing-keys";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        if (args is not [Name, "--now"])
        {
            await Console.Error.WriteLineAsync($"Usage: {Name} --now  (replaces every signing key at once; tokens signed before stop working)");
            return 2;
        }
        await using var scope = services.CreateAsyncScope();
        var kid = await scope.ServiceProvider.GetRequiredService<SigningKeyStore>().RotateNowAsync(CancellationToken.None);
        await Console.Out.WriteLineAsync($"Signing keys replaced; tokens are now signed with key {kid}.");
        return 0;
    }
}
