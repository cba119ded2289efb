#!/usr/bin/env bash
# Generates a Kiota C# client and an openapi-typescript client from docs/openapi.v1.json, with the
# README's commands and the generators' default options, and checks that each compiles against a
# flow of the contract written for it (kiota/Program.cs, typescript/flow.ts). The shipped NSwag
# client is checked by the test suite. A generator that cannot be installed (no registry) is
# skipped with a warning; anything else that fails, fails.
set -uo pipefail
cd "$(dirname "$0")"
document=$(realpath ../../docs/openapi.v1.json)
status=0

echo "== Kiota (C#)"
if (cd ../.. && dotnet tool restore >/dev/null 2>&1); then
  rm -rf kiota/generated
  # No update check (it would reach for GitHub); warnings are printed, errors fail.
  if KIOTA_OFFLINE_ENABLED=true dotnet kiota generate -l CSharp -d "$document" -c AuthKeysClient -n AuthKeys.Client \
      -o kiota/generated --log-level Warning >kiota-generate.log 2>&1 \
    && dotnet build kiota/KiotaFlow.csproj -nologo -v quiet; then
    echo "Kiota client: generated and compiled"
  else
    cat kiota-generate.log
    echo "Kiota client: FAILED" >&2
    status=1
  fi
  rm -f kiota-generate.log
else
  echo "warning: the Kiota tool could not be restored; Kiota check skipped" >&2
fi

echo "== openapi-typescript"
if command -v npm >/dev/null 2>&1 && npm ci --prefix typescript --no-audit --no-fund --silent >/dev/null 2>&1; then
  if (cd typescript && npx --no-install openapi-typescript "$document" -o generated/authkeys.d.ts && npx --no-install tsc --noEmit); then
    echo "TypeScript client: generated and type-checked"
  else
    echo "TypeScript client: FAILED" >&2
    status=1
  fi
else
  echo "warning: npm or its registry is not available; openapi-typescript check skipped" >&2
fi

exit "$status"
