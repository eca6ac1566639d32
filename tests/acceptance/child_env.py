"""The environment of the zhigai programs a test starts (services, the gateway, zhigai-admin,
PostgreSQL).

Under `tools/zhigai check --dates` the whole system runs at a faked date (libfaketime from
Debian), except the Python clients themselves: grpcio and time.sleep fail under libfaketime.
ZHIGAI_TEST_FAKETIME carries the offset (libfaketime's relative "-N" seconds form, the same
for every process, so all of them agree on the time), and every program started through child_env()
gets the library and the offset. Without it, child_env() is the plain environment."""
import os

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def child_env(base=None):
    env = dict(os.environ if base is None else base)
    fake = os.environ.get("ZHIGAI_TEST_FAKETIME")
    if fake:
        env.update(LD_PRELOAD=LIBFAKETIME, FAKETIME=fake, FAKETIME_DONT_FAKE_MONOTONIC="1")
    return env
