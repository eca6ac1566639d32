"""The API's personal fields, read from their mark ((zhigai.common.v1.personal_data) = true, the
one list of them), and the values a client sent or received in those fields. The public pages
test records every message of a year with `Values.record`, then requires that no recorded value
appears where the public can see it, and that every marked field was recorded at least once (so
a field nobody fills is not silently unchecked)."""
import collections


def _is_personal(field):
    from zhigai.common.v1 import common_pb2
    return field.GetOptions().Extensions[common_pb2.personal_data]


def declared(file_descriptors):
    """Full names of the marked fields of every message in the given files."""
    out = set()

    def walk(message):
        out.update(f.full_name for f in message.fields if _is_personal(f))
        for nested in message.nested_types:
            walk(nested)

    for fd in file_descriptors:
        for message in fd.message_types_by_name.values():
            walk(message)
    return out


class Values:
    """{field full name: set of values} of the marked fields, over every message recorded."""

    def __init__(self):
        self.by_field = collections.defaultdict(set)

    def record(self, message):
        if not hasattr(message, "ListFields"):
            for m in message:  # a client stream, recorded as a list
                self.record(m)
            return
        for field, value in message.ListFields():
            if field.type == field.TYPE_MESSAGE:
                if field.message_type.GetOptions().map_entry:
                    entry_value = field.message_type.fields_by_name["value"]
                    if entry_value.type == entry_value.TYPE_MESSAGE:
                        for m in value.values():
                            self.record(m)
                elif field.label == field.LABEL_REPEATED:
                    for m in value:
                        self.record(m)
                else:
                    self.record(value)
            elif _is_personal(field):
                values = value if field.label == field.LABEL_REPEATED else [value]
                self.by_field[field.full_name].update(v for v in values if v)

    def recorder(self):
        """A zhigai_client.Client recorder that records requests and answers."""
        def record(service, method, request, metadata, reply):
            self.record(request)
            if hasattr(reply, "ListFields"):
                self.record(reply)
        return record

    def found_in(self, text):
        """[(field, value)] of the recorded values that occur in `text`."""
        return sorted((f, v) for f, vs in self.by_field.items() for v in vs if v in text)
