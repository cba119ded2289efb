namespace AuthKeys.Api.Tests.Testing;

/// <summary>The checkout the tests run from, for the files they keep in step with the service.</summary>
public static class Repository
{
    public static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AuthKeys.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("AuthKeys.sln not found above the test binaries.");
    }
}
