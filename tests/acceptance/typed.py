"""The API's typed dates, times of day and instants (AIP-142) for the Python client: D() makes a
google.type.Date from a datetime.date or "YYYY-MM-DD" text, HM() a google.type.TimeOfDay from
"HH:MM", text() reads any of them back as the text a person (or an old assertion) expects."""
import datetime

from google.protobuf import timestamp_pb2


def _types():
    # google.type comes with the generated stubs (gen_stubs.sh), which load_stubs puts on the
    # path after this module is imported; so it is imported at first use.
    from google.type import date_pb2, timeofday_pb2
    return date_pb2, timeofday_pb2


def D(value):
    """A Date from a datetime.date or "YYYY-MM-DD" (an impossible day such as 2026-02-30 is kept
    as it is, for the service to refuse)."""
    date_pb2, _ = _types()
    if isinstance(value, date_pb2.Date):
        return value
    if isinstance(value, datetime.date):
        return date_pb2.Date(year=value.year, month=value.month, day=value.day)
    y, m, d = (int(part) for part in value.split("-"))
    return date_pb2.Date(year=y, month=m, day=d)


def HM(value):
    _, timeofday_pb2 = _types()
    h, m = (int(part) for part in value.split(":"))
    return timeofday_pb2.TimeOfDay(hours=h, minutes=m)


def T(value):
    """A Timestamp from RFC 3339 text or a datetime."""
    ts = timestamp_pb2.Timestamp()
    if isinstance(value, datetime.datetime):
        ts.FromDatetime(value)
    else:
        ts.FromJsonString(value)
    return ts


def text(value):
    """"YYYY-MM-DD" for a Date, "HH:MM" for a TimeOfDay, RFC 3339 for a Timestamp; "" unset."""
    date_pb2, timeofday_pb2 = _types()
    if isinstance(value, date_pb2.Date):
        if not (value.year or value.month or value.day):
            return ""
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, timeofday_pb2.TimeOfDay):
        return f"{value.hours:02d}:{value.minutes:02d}"
    if isinstance(value, timestamp_pb2.Timestamp):
        return value.ToJsonString() if (value.seconds or value.nanos) else ""
    return value


def day(value):
    """A datetime.date from a Date."""
    return datetime.date(value.year, value.month, value.day)


def set_field(msg, name, value):
    """msg.name = value, where a typed date, time of day or instant may be given as text."""
    field = msg.DESCRIPTOR.fields_by_name[name]
    if field.message_type is None or not isinstance(value, str):
        setattr(msg, name, value)
        return
    make = {"google.type.Date": D, "google.type.TimeOfDay": HM,
            "google.protobuf.Timestamp": T}[field.message_type.full_name]
    getattr(msg, name).CopyFrom(make(value))
