using FluentValidation;

namespace AuthKeys.Api.Infrastructure.Validation;

public static class ValidationExtensions
{
    /// <summary>
    /// The validator <see cref="ValidationFilter"/> runs on every <typeparamref name="TRequest"/>
    /// argument. Each feature names its own rather than the service scanning its assembly for them:
    /// a scan loads every type the service has, and every assembly those types name, into every
    /// node's memory, whether or not a request ever needs it.
    /// </summary>
    public static IServiceCollection AddRequestValidator<TRequest, TValidator>(this IServiceCollection services)
        where TValidator : class, IValidator<TRequest> =>
        services.AddSingleton<IValidator<TRequest>, TValidator>();
}
