using AuthKeys.Api.Tests.Testing;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace AuthKeys.Api.Tests.Infrastructure.Web;

/// <summary>
/// Features register their validators one by one (no assembly scan at start-up), so a validator
/// left out would let its requests through unchecked: every one written must be the one served.
/// </summary>
public sealed class RequestValidatorTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    public static TheoryData<Type> Validators()
    {
        var data = new TheoryData<Type>();
        foreach (var type in typeof(Program).Assembly.GetTypes().Where(t => t is { IsAbstract: false, IsGenericTypeDefinition: false }))
        {
            if (RequestTypeOf(type) is not null)
                data.Add(type);
        }
        return data;
    }

    [Fact]
    public void TheServiceHasValidators() => Assert.True(Validators().Count >= 19);

    [Theory]
    [MemberData(nameof(Validators))]
    public void EveryValidatorWrittenIsTheOneItsRequestsMeet(Type validator)
    {
        var request = RequestTypeOf(validator)!;
        var served = api.Services.GetService(typeof(IValidator<>).MakeGenericType(request));
        Assert.True(served?.GetType() == validator,
            $"{validator.Name} is not registered: call services.AddRequestValidator<{request.Name}, {validator.Name}>() where its feature registers itself.");
    }

    private static Type? RequestTypeOf(Type type) =>
        type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidator<>))?.GetGenericArguments()[0];
}
