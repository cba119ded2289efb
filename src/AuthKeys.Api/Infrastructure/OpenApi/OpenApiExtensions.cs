using System.Reflection;
using System.Text.Json.Nodes;
using AuthKeys.Api.Infrastructure.Authentication;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AuthKeys.Api.Infrastructure.OpenApi;

public static class OpenApiExtensions
{
    /// <summary>Where the OpenAPI document is served; Swagger UI at <see cref="UiPath"/> loads it.</summary>
    public const string DocumentPath = "/openapi/v1.json";
    public const string UiPath = "api/docs";

    /// <summary>A feature's own schema rule, applied after the general ones so that it can refine what they set.</summary>
    public static IServiceCollection AddOpenApiSchemaFilter<TFilter>(this IServiceCollection services) where TFilter : ISchemaFilter =>
        services.PostConfigure<SwaggerGenOptions>(options => options.SchemaFilter<TFilter>());

    /// <summary>A feature's own operation rule, applied after the general ones.</summary>
    public static IServiceCollection AddOpenApiOperationFilter<TFilter>(this IServiceCollection services) where TFilter : IOperationFilter =>
        services.PostConfigure<SwaggerGenOptions>(options => options.OperationFilter<TFilter>());

    /// <summary>A realistic example of <typeparamref name="T"/>, for Swagger UI's "Try it out" and generated clients' docs.</summary>
    public static IServiceCollection AddOpenApiExample<T>(this IServiceCollection services, Func<JsonNode> example) =>
        services.AddSingleton(new SchemaExample(typeof(T), example));

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
                    + "and call routes protected by a JWT, an API key, or either. Every error is an RFC 9457 problem "
                    + "(application/problem+json).",
                License = new OpenApiLicense { Name = "MIT", Url = new Uri("https://opensource.org/licenses/MIT") },
            });
            options.AddServer(new OpenApiServer { Url = "/", Description = "This server" });
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
            options.OperationFilter<ResponsesOperationFilter>();
            // A key's meta: any JSON object (typed, so that generators and linters know what it is).
            options.MapType<System.Text.Json.JsonElement>(() => new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.Object });
            options.SchemaFilter<ExamplesSchemaFilter>();
            options.SchemaFilter<ResponseShapeSchemaFilter>();
            options.SchemaFilter<ProblemSubtypeSchemaFilter>();
            options.SupportNonNullableReferenceTypes();
            options.NonNullableReferenceTypesAsRequired();
            // A reference that is nullable or described needs allOf in OpenAPI 3.0 (siblings of $ref are ignored).
            options.UseAllOfToExtendReferenceSchemas();
            options.DocumentFilter<ReferenceSchemasDocumentFilter>();
            options.CustomOperationIds(api => api.ActionDescriptor.RouteValues["action"] is { } action
                ? char.ToLowerInvariant(action[0]) + action[1..]
                : null);
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml))
                options.IncludeXmlComments(xml, includeControllerXmlComments: true);
        });
        return services;
    }

    public static WebApplication UseAuthKeysOpenApi(this WebApplication app)
    {
        // Branches, so that every other request pays one path comparison instead of Swashbuckle's
        // route-template match and regular expression.
        app.UseBranchBuiltOnFirstUse(context => context.Request.Path.StartsWithSegments("/openapi"),
            branch => branch.UseSwagger(o => o.RouteTemplate = "openapi/{documentName}.json"));
        app.UseBranchBuiltOnFirstUse(context => context.Request.Path.StartsWithSegments("/" + UiPath),
            branch => branch.Use(WithUiHeaders).UseSwaggerUI(o =>
            {
                o.RoutePrefix = UiPath;
                o.DocumentTitle = "AuthKeys API";
                o.SwaggerEndpoint(DocumentPath, "AuthKeys v1");
            }));
        return app;
    }

    /// <summary>
    /// UseWhen with the branch built at its first request: a node whose documents nobody reads
    /// never creates Swashbuckle's middleware nor loads the assemblies behind them.
    /// </summary>
    private static void UseBranchBuiltOnFirstUse(this IApplicationBuilder app, Func<HttpContext, bool> predicate, Action<IApplicationBuilder> configure)
    {
        var builder = app.New();
        app.Use(next =>
        {
            var branch = new Lazy<RequestDelegate>(() =>
            {
                configure(builder);
                builder.Run(next);
                return builder.Build();
            });
            return context => predicate(context) ? branch.Value(context) : next(context);
        });
    }

    /// <summary>
    /// Swagger UI's page runs only its own scripts (none inline) and calls only this service: the
    /// policy allows that and nothing else, so an injected script or a framing page gets nowhere.
    /// Its widgets set inline styles and draw icons from data: URIs, hence those two allowances.
    /// </summary>
    private static Task WithUiHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        return next(context);
    }
}
