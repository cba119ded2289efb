FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/AuthKeys.Api/AuthKeys.Api.csproj src/AuthKeys.Api/
RUN dotnet restore src/AuthKeys.Api/AuthKeys.Api.csproj
COPY src/ src/
RUN dotnet publish src/AuthKeys.Api -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
USER app
ENV PORT=3000
EXPOSE 3000
ENTRYPOINT ["dotnet", "AuthKeys.Api.dll"]
