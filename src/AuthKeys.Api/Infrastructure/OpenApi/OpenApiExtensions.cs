using System.Reflection;
using AuthKeys.Api.Infrastructure.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AuthKeys.Api.Infrastructure.OpenApi;

public static class OpenApiExtensions
{
    /// <summary>Where the OpenAPI document is served; Swagger UI at <see cref="UiPath"/> loads it.</summary>
    public const string DocumentPath = "/openapi/v1.json";
    public const string UiPath = "api/docs";

    public static IServiceCollection AddAuthKeysOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "AuthKeys",
                Version = "v1",
                Description = "Sign up and log in with JWT access and refresh tokens, create API keys for your services, "
                    + "and call routes protected by a JWT, an API key, or either. Every error is RFC 9457 problem details.",
                License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
            });
            options.AddSecurityDefinition(AuthSchemes.Jwt, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "The accessToken from signup, login or refresh.",
            });
            options.AddSecurityDefinition(AuthSchemes.ApiKey, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = AuthSchemes.ApiKeyHeader,
                Description = "An API key from POST /keys/create (sk_ followed by 64 hex characters).",
            });
            options.OperationFilter<SecurityOperationFilter>();
            options.SupportNonNullableReferenceTypes();
            options.CustomOperationIds(api => api.ActionDescriptor.RouteValues["action"] is { } action
                ? char.ToLowerInvariant(action[0]) + action[1..]
                : null);
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml))
                options.IncludeXmlComments(xml);
        });
        return services;
    }

    public static WebApplication UseAuthKeysOpenApi(this WebApplication app)
    {
        app.UseSwagger(o => o.RouteTemplate = "openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = UiPath;
            o.DocumentTitle = "AuthKeys API";
            o.SwaggerEndpoint(DocumentPath, "AuthKeys v1");
        });
        return app;
    }

    /// <summary>Declares, per operation, exactly the schemes its [Authorize] accepts, and the 401 that comes with them.</summary>
    private sealed class SecurityOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var schemes = context.MethodInfo.GetCustomAttributes<AuthorizeAttribute>(true)
                .Concat(context.MethodInfo.DeclaringType!.GetCustomAttributes<AuthorizeAttribute>(true))
                .Select(a => a.AuthenticationSchemes)
                .FirstOrDefault();
            if (schemes is null)
                return;

            var accepted = schemes == AuthSchemes.JwtOrApiKey ? [AuthSchemes.Jwt, AuthSchemes.ApiKey] : new[] { schemes };
            operation.Security = [.. accepted.Select(scheme => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [],
            })];
            operation.Responses ??= [];
            operation.Responses.TryAdd("401", new OpenApiResponse
            {
                Description = "Missing, invalid, expired or revoked credentials.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository) },
                },
            });
        }
    }
}
