/* bcryptprimitives.dll for a Wine that lacks it (Wine 8, Debian 12's): Rust's standard library
 * imports ProcessPrng from it, as Windows 10 and later provide it. This one asks bcrypt.dll,
 * which every Wine has, for the same system random numbers. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
