using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApplicationParts;

namespace AuthKeys.Api.Infrastructure.Web;

/// <summary>
/// The service's assembly as MVC's controller discovery sees it: its public types, where every
/// controller is. The stock part hands over every type, and loading the compiler's hundreds of
/// private state machines and closures pulls in each assembly their fields name (a Redis client
/// on a node without Redis), in every node's memory.
/// </summary>
internal sealed class PublicTypesPart(Assembly assembly) : ApplicationPart, IApplicationPartTypeProvider
{
    public override string Name => assembly.GetName().Name!;

    public IEnumerable<TypeInfo> Types => assembly.GetExportedTypes().Select(type => type.GetTypeInfo());

    /// <summary>Puts this part in place of the stock one for <paramref name="assembly"/>.</summary>
    public static void Replace(ApplicationPartManager parts, Assembly assembly)
    {
        parts.ApplicationParts.Remove(parts.ApplicationParts.OfType<AssemblyPart>().Single(part => part.Assembly == assembly));
        parts.ApplicationParts.Add(new PublicTypesPart(assembly));
    }
}
