"""Synthetic unified social credit codes for tests and seed corpora: "{category}{division}MA"
and a seven-digit number, then the GB 32100-2015 check character. The one place for that
arithmetic in Python (the acceptance year, the reliability harness and the fuzz seeds use it)."""

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(division, n, category="91"):
    first17 = f"{category}{division}MA{n:07d}"
    s = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return first17 + CHARSET[(31 - s % 31) % 31]
