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
# Memory at its peak (bench/memory.sh): two malloc arenas instead of one per core and thread that
# contends, and a 2 MB gen0 budget, each took about 7-11 MB off the peak under load; the JIT's
# memory handed back to malloc once a method is compiled, instead of kept in a cache of up to
# 16 MB, took 5-8 MB off the resident size after start-up and under load. None can be set from
# inside the process. bench/lib.sh reads them from this line.
ENV PORT=3000 MALLOC_ARENA_MAX=2 DOTNET_GCgen0size=0x200000 DOTNET_JitHostMaxSlabCache=0
EXPOSE 3000
ENTRYPOINT ["dotnet", "AuthKeys.Api.dll"]
