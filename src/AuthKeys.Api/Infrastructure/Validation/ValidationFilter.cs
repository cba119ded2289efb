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
internal sealed class ValidationFilter(IServiceProvider services, ProblemDetailsFactory problems) : IAsyncActionFilter
{
    private static readonly ConcurrentDictionary<Type, Type> ValidatorTypes = new();

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        foreach (var argument in context.ActionArguments.Values)
        {
            if (argument is null)
                continue;
            var validatorType = ValidatorTypes.GetOrAdd(argument.GetType(), static t => typeof(IValidator<>).MakeGenericType(t));
            if (services.GetService(validatorType) is not IValidator validator)
                continue;
            var result = await validator.ValidateAsync(new ValidationContext<object>(argument), context.HttpContext.RequestAborted);
            foreach (var failure in result.Errors)
                context.ModelState.AddModelError(JsonNamingPolicy.CamelCase.ConvertName(failure.PropertyName), failure.ErrorMessage);
        }

        if (!context.ModelState.IsValid)
        {
            var problem = problems.CreateValidationProblemDetails(context.HttpContext, context.ModelState);
            context.Result = new ObjectResult(problem) { StatusCode = problem.Status, ContentTypes = { "application/problem+json" } };
            return;
        }
        await next();
    }
}
