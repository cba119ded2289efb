using System.Runtime.CompilerServices;
using System.Text;
using ICU4N.Text;

namespace AuthKeys.Api.Accounts;

/// <summary>
/// Passwords are compared in Unicode's NFKC form, so that one password typed on keyboards or
/// input methods that produce different code points for it (a full-width "Ａ", the ligature "ﬁ",
/// a precomposed "é" or "e" plus an accent) is one password, and the common-password list cannot
/// be slipped past with look-alikes. The service runs with invariant globalization, where
/// <see cref="string.Normalize()"/> changes nothing, so this takes ICU4N's normalizer; an ASCII
/// password is already in NFKC and never loads it.
/// </summary>
public static class PasswordText
{
    public static string Normalize(string password) =>
        Ascii.IsValid(password) ? password : NormalizeNonAscii(password);

    // A method of its own, so that compiling Normalize does not load ICU4N (and J2N, about 1 MB
    // together) into a process whose passwords are all ASCII.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string NormalizeNonAscii(string password) => Normalizer2.NFKCInstance.Normalize(password);
}
