"""The services date everything by Asia/Shanghai (UTC+8 all year, no daylight saving), so a
client that places dates "around today" must use that calendar too. The machine's own zone
is usually UTC: between 16:00 and 24:00 UTC it is already the next day in Wenzhou, and a
window computed from the UTC date would close the day before the service's today."""
import datetime

WENZHOU = datetime.timezone(datetime.timedelta(hours=8), "Asia/Shanghai")


def today():
    """Today's business date, as the services compute it."""
    return datetime.datetime.now(WENZHOU).date()
