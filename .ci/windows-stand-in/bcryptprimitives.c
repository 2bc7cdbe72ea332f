/*
 * A stand-in for Windows' bcryptprimitives.dll, for running this
 * workshop's Windows binaries under Wine in CI (.ci/windows) only: never
 * shipped, never used on a real Windows.
 *
 * Why: since Rust 1.78, std on Windows seeds its random numbers (the
 * HashMap keys) with ProcessPrng from bcryptprimitives.dll, which it
 * loads at start. Wine 8 (Debian 12, bookworm) has no ProcessPrng, so
 * every Rust program there exits with status 53 before main, printing
 * nothing. This DLL exports ProcessPrng, filled in by RtlGenRandom
 * (advapi32's SystemFunction036), which Wine has.
 *
 * When it can go: once CI's Wine has ProcessPrng itself (Wine 9 on,
 * Debian 13, trixie): delete this folder and the lines of .ci/windows
 * that build and copy it.
 *
 * Built by .ci/windows: x86_64-w64-mingw32-gcc -shared -O2 -o
 * bcryptprimitives.dll bcryptprimitives.c -ladvapi32, and put in the Wine
 * prefix's system32, where every .exe finds it.
 */
#include <windows.h>

/* RtlGenRandom: advapi32's SystemFunction036, declared here as MinGW's
 * <ntsecapi.h> does. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Fills `length` bytes at `data` with random bytes: TRUE, as Windows'
 * ProcessPrng always returns. RtlGenRandom takes a 32-bit length, so a
 * longer request is filled in pieces. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG piece = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, piece)) {
            return FALSE;
        }
        data += piece;
        length -= piece;
    }
    return TRUE;
}
