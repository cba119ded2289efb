using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Infrastructure.Validation;
using FluentValidation;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Infrastructure.Web;

public sealed class HostingOptions
{
    public int Port { get; set; } = 3000;
}

public static class WebExtensions
{
    /// <summary>Controllers with one validation step, camelCase JSON, request logging and Kestrel on PORT.</summary>
    public static IServiceCollection AddAuthKeysWeb(this IServiceCollection services)
    {
        services.AddSingleton<ValidationFilter>();
        services.AddControllers(options =>
            {
                // FluentValidation is the single source of validation; DataAnnotations only describe the schema.
                options.ModelValidatorProviders.Clear();
                // With no validators to find, MVC's walk over every property of every bound object
                // (microseconds of every POST) finds nothing; binding errors still reach ModelState.
                options.ModelMetadataDetailsProviders.Add(new SuppressChildValidationMetadataProvider(typeof(object)));
                options.Filters.Add(new ServiceFilterAttribute(typeof(ValidationFilter)) { IsReusable = true });
                options.SuppressImplicitRequiredAttributeForNonNullableReferenceTypes = true;
                // jQuery's "a[b]" keys mean nothing to a JSON API, and the factories reading them
                // throw on a key like "a[" in any form or query string, a 500 for junk input.
                options.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
                options.ValueProviderFactories.RemoveType<JQueryQueryStringValueProviderFactory>();
            })
            .ConfigureApplicationPartManager(parts => PublicTypesPart.Replace(parts, typeof(WebExtensions).Assembly))
            .AddJsonOptions(options =>
            {
                options.JsonSerializerOptions.Converters.Add(new UtcDateTimeOffsetConverter());
                // Say which field is wrong, not what the parser thought of it.
                options.AllowInputFormatterExceptionMessages = false;
            });
        // A field's first failure is its answer: a rule after a failed one would only repeat it, or
        // run on a value it cannot handle (a null collection, a string too long to read).
        ValidatorOptions.Global.DefaultRuleLevelCascadeMode = CascadeMode.Stop;

        services.AddHttpLogging(options =>
        {
            // Method, path, status and duration (and what RequestLogInterceptor adds): never
            // headers or bodies, which carry secrets.
            options.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath
                | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            options.CombineLogs = true;
        });

        services.AddHttpLoggingInterceptor<RequestLogInterceptor>();

        services.AddEnvironmentOptions<HostingOptions>((options, env, _) => options.Port = env.WholeNumber("PORT", 3000, 1, 65535));
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, ConfigureKestrel>();
        return services;
    }

    private sealed class ConfigureKestrel(IOptions<HostingOptions> hosting, IConfiguration configuration) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions options)
        {
            options.AddServerHeader = false;
            options.Limits.MaxRequestBodySize = TransportExtensions.MaxBodyBytes;
            // ASPNETCORE_URLS, when given, wins over PORT.
            if (string.IsNullOrEmpty(configuration["urls"]))
                options.ListenAnyIP(hosting.Value.Port);
        }
    }

    /// <summary>Headers every response carries: nothing here is cacheable or sniffable.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpContext)state).Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                if (!headers.ContainsKey("Cache-Control"))
                    headers.CacheControl = "no-store";
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
}
