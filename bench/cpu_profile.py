#!/usr/bin/env python3
"""Where a worker's CPU went during one compare.sh run, from `perf script -F comm,tid,ip,sym,dso`.

Used by compare.sh with PROFILE=1. Reads the script output on stdin; prints one line of
key=value pairs (µs of worker CPU per request):

  total       every sample of the worker process
  token       the token service's validation: samples with JwtFunctions.Tokens.TokenService
              (ValidateAsync and what it calls) on the stack, plus samples whose leaf is in
              libcrypto: OpenSSL is built without frame pointers, so perf cannot walk from its
              HMAC / ECDSA code back to the managed caller, and in these workers libcrypto does
              nothing else (no TLS on loopback; the floor has no libcrypto sample at all)
  bearer      the Bearer middleware with everything under it except the function it calls
  function    the endpoint function itself, its input binding and response (DirectFunctionExecutor)

The worker must run with DOTNET_PerfMapEnabled=1 (JIT frames named through /tmp/perf-<pid>.map)
and DOTNET_EnableWriteXorExecute=0 (with W^X the JIT code is mapped twice, from a memfd, and perf
cannot match it to the map).
"""
import re
import sys

frequency = float(sys.argv[1])
requests = float(sys.argv[2])

TOKEN = re.compile(r"JwtFunctions\.Tokens\.TokenService\b")
BEARER = re.compile(r"JwtFunctions\.Authentication\.BearerAuthenticationMiddleware\b")
FUNCTION = re.compile(r"\.DirectFunctionExecutor\b")
CRYPTO = re.compile(r"\(/\S*libcrypto\.so[^)]*\)\s*$")

counts = {"total": 0, "token": 0, "bearer": 0, "function": 0}


def account(frames):
    if not frames:
        return
    counts["total"] += 1
    if CRYPTO.search(frames[0]) or any(TOKEN.search(f) for f in frames):
        counts["token"] += 1
    # Frames run leaf first: the middleware's own share stops where the function starts.
    bearer = next((i for i, f in enumerate(frames) if BEARER.search(f)), None)
    function = next((i for i, f in enumerate(frames) if FUNCTION.search(f)), None)
    if function is not None:
        counts["function"] += 1
    elif bearer is not None:
        counts["bearer"] += 1


frames = []
for line in sys.stdin:
    if line.startswith((" ", "\t")):
        if line.strip():
            frames.append(line.strip())
        continue
    if not line.strip():
        account(frames)
        frames = []
        continue
    # A sample's header line (comm tid); its frames follow.
    account(frames)
    frames = []
account(frames)

print(" ".join(f"{key}={1e6 * value / frequency / requests:.2f}" for key, value in counts.items()) + f" samples={counts['total']}")
