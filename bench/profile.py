#!/usr/bin/env python3
"""Itemizes `perf script` profiles of the key route into CPU microseconds per request.

Usage: profile.py APP:ROUND:REQUESTS:STACKS_FILE ...  (one argument per recorded run)

Each sample is charged to one row: the runtime's GC thread, the request metrics, the
authentication handler's own work, the framework's authentication machinery around it, or else
the innermost middleware of the pipeline it was taken in (whose own cost the row then is); a
sample outside any request is "sockets, thread pool, kernel". A row's figure is its samples times
the sampling period over the requests served while perf ran, the median over the runs of an app.
A middleware whose frame the JIT inlined (request logging's early return at Warning, say) has no
frame of its own, so its samples land in the row of the middleware before it.
"""
import re
import statistics
import sys
from collections import defaultdict

# The pipeline, outermost first: a sample belongs to the innermost of these on its stack.
LAYERS = [
    ("Kestrel and hosting (parsing, the request's context, writing)", r"HttpProtocol\+<ProcessRequests>"),
    ("security headers (ours)", r"UseSecurityHeaders"),
    ("exception handler + status-code pages (problem details)", r"ExceptionHandlerMiddlewareImpl::Invoke"),
    ("HSTS + HTTPS redirection", r"HttpsRedirectionMiddleware::Invoke|HstsMiddleware::Invoke"),
    ("body-size check (ours)", r"SecurityExtensions::LimitBodySize"),
    ("request logging (at Warning)", r"HttpLoggingMiddleware"),
    ("OpenAPI and Swagger UI branches (ours)", r"UseWhenExtensions"),
    ("authentication middleware", r"AuthenticationMiddleware\+<Invoke>"),
    ("rate limiter", r"RateLimitingMiddleware::Invoke"),
    ("authorization (policy, evaluator)", r"AuthorizationMiddleware\+<Invoke>"),
    ("MVC: controller, filters, JSON answer", r"EndpointMiddleware::Invoke"),
]
# Charged first, wherever they are on the stack.
CROSS_CUTTING = [
    ("request metrics (hosting, OpenTelemetry)", r"HostingMetrics::|RecordRequestStartMetrics|\[OpenTelemetry\]"),
    ("authentication: the handler's own work", r"HandleAuthenticateAsync>|CachedPrincipalHandler::"),
    ("authentication: the framework's handler machinery", r"AuthenticationServiceImpl\+<AuthenticateAsync>"),
]
# Parts of the handler's own work, each also counted in the row above.
HANDLER_PARTS = [
    ("SHA-256 of the key", r"ApiKeyFormat::Hash"),
    ("format and checksum check", r"ApiKeyFormat::IsWellFormed"),
    ("principal built for the request", r"CreatePrincipal"),
    ("last-used record", r"ApiKeyUsageRecorder::Record"),
]
GC = "garbage collection"
OUTSIDE = "sockets, thread pool, kernel (outside a request)"
TOTAL = "CPU per request"

compiled = [(name, re.compile(p)) for name, p in CROSS_CUTTING + LAYERS + HANDLER_PARTS]
PATTERN = dict(compiled)


def samples(path):
    """Yields (thread name, period in ns, frames) per sample."""
    thread, period, frames = None, 0, []
    with open(path, errors="replace") as f:
        for line in f:
            if not line.strip():
                if frames:
                    yield thread, period, frames
                thread, frames = None, []
            elif line[0] in " \t":
                frames.append(line.strip())
            else:
                m = re.match(r"(.*?)\s+\d+\s+[\d.]+:\s+(\d+)\s+cpu-clock", line)
                thread, period = (m.group(1), int(m.group(2))) if m else (line.split()[0], 1_001_001)
    if frames:
        yield thread, period, frames


def itemize(path, requests):
    ns = defaultdict(float)
    for thread, period, frames in samples(path):
        ns[TOTAL] += period
        on_stack = lambda name: any(PATTERN[name].search(f) for f in frames)
        if thread and "GC" in thread:
            ns[GC] += period
            continue
        row = next((name for name, _ in CROSS_CUTTING if on_stack(name)), None)
        if row is None:
            row = next((name for name, _ in reversed(LAYERS) if on_stack(name)), OUTSIDE)
        ns[row] += period
        if row == CROSS_CUTTING[1][0]:
            for part, _ in HANDLER_PARTS:
                if on_stack(part):
                    ns["  " + part] += period
    return {k: v / 1000 / requests for k, v in ns.items()}


def main(args):
    runs = defaultdict(list)
    apps = []
    for arg in args:
        app, _, requests, path = arg.split(":", 3)
        if app not in apps:
            apps.append(app)
        runs[app].append(itemize(path, int(requests)))
    rows = [TOTAL] + [n for n, _ in CROSS_CUTTING[:1]] + [n for n, _ in LAYERS] + [n for n, _ in CROSS_CUTTING[1:]] \
        + ["  " + n for n, _ in HANDLER_PARTS] + [GC, OUTSIDE]
    print("| µs per request (median of %s) | %s |" % (" / ".join(str(len(runs[a])) for a in apps), " | ".join(apps)))
    print("|---|" + "---:|" * len(apps))
    for row in rows:
        values = [statistics.median(r.get(row, 0.0) for r in runs[a]) for a in apps]
        if row != TOTAL and all(v < 0.05 for v in values):
            continue
        label = f"**{row}**" if row == TOTAL else row.replace("  ", "&nbsp;&nbsp;↳ ", 1) if row.startswith("  ") else row
        print(f"| {label} | " + " | ".join(f"{v:.1f}" if row == TOTAL else f"{v:.2f}" for v in values) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: profile.py APP:ROUND:REQUESTS:STACKS_FILE ...  (bench/profile.sh calls it)")
    main(sys.argv[1:])
