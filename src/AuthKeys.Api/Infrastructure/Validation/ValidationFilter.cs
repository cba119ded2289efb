using System.Collections.Concurrent;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Infrastructure;

namespace AuthKeys.Api.Infrastructure.Validation;

/// <summary>
/// Runs the FluentValidation validator of every action argument before the action, so that
/// controllers only ever see valid requests and every rejection has the same 400 shape.
/// </summary>
/// <remarks>
/// One instance serves every request (validators are singletons), and validation is synchronous:
/// no rule here awaits anything, and FluentValidation's async path costs a state machine per rule
/// on every request. A rule that must await (MustAsync) makes Validate throw
/// AsyncValidatorInvokedSynchronouslyException at its first use, which every validator test would show.
/// </remarks>
internal sealed class ValidationFilter(IServiceProvider services, ProblemDetailsFactory problems) : IActionFilter
{
    // Per argument type, its validator or null; CancellationToken and Guid arguments have none.
    private readonly ConcurrentDictionary<Type, IValidator?> _validators = new();

    public void OnActionExecuting(ActionExecutingContext context)
    {
        foreach (var argument in context.ActionArguments.Values)
        {
            if (argument is null || Validator(argument.GetType()) is not { } validator)
                continue;
            var result = validator.Validate(new ValidationContext<object>(argument));
            foreach (var failure in result.Errors)
                context.ModelState.AddModelError(JsonNamingPolicy.CamelCase.ConvertName(failure.PropertyName), failure.ErrorMessage);
        }

        if (!context.ModelState.IsValid)
        {
            var problem = problems.CreateValidationProblemDetails(context.HttpContext, context.ModelState);
            context.Result = new ObjectResult(problem) { StatusCode = problem.Status, ContentTypes = { "application/problem+json" } };
        }
    }

    public void OnActionExecuted(ActionExecutedContext context)
    {
    }

    private IValidator? Validator(Type argumentType) =>
        _validators.GetOrAdd(argumentType, static (type, provider) =>
            provider.GetService(typeof(IValidator<>).MakeGenericType(type)) as IValidator, services);
}
