"""The Intralinks Python SDK's own V2 test suite against the simulator.

    python sdk_suite.py http://127.0.0.1:PORT EXPECTED_TESTS

The simulator must hold the SDK's test room (`SimConfig::sdk_test_room`:
workspace 6115625 "API Unit Test"). Logs in through the SDK's own V2 login,
writes the files the SDK's test fixtures read (a session, an API key, the test
data) into a scratch directory, and runs every V2 test of the installed
`intralinks_test` package (the tests the PyPI wheel of `intralinks` ships).
Fails unless exactly EXPECTED_TESTS tests ran and all of them passed: a suite
that shrinks, skips or cannot start is a failure, never a pass.
"""

import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

DEMO = {
    "client_id": "demo-client",
    "client_secret": "demo-secret",
    "email": "demo@example.com",
    "password": "demo-password",
}

# What the SDK's tests read from unit_test_data.json: the room, its owner,
# and the person its member test adds (and its user test then finds).
TEST_DATA = {
    "exchange.id": 6115625,
    "exchange.owner.email": DEMO["email"],
    "exchange.new_user.email": "john.doe@bigcorp.com",
    "exchange.new_user.first_name": "John",
    "exchange.new_user.last_name": "Doe",
    "exchange.new_user.phone": "+1 212 555 0100",
    "exchange.new_user.organization": "Big Corp",
}


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    base, expected = sys.argv[1], int(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix="sdk-suite-") as work:
        return run_suite(work, base, expected)


def run_suite(work: str, base: str, expected: int) -> int:
    import intralinks
    import intralinks.api
    import intralinks.api.v2

    os.chdir(work)
    os.makedirs("data")
    os.makedirs("api_keys")
    config = {"base_url": base, "client_id": DEMO["client_id"], "client_secret": DEMO["client_secret"]}
    with open("api_keys/simulator.json", "w") as f:
        json.dump(dict(config, version=2, mode="client_credentials"), f)

    il = intralinks.IntralinksClient()
    il.api_client = intralinks.api.ApiClient(config=intralinks.api.v2.Config(**config))
    il.login(DEMO["email"], DEMO["password"])
    s = il.api_client.session
    session = {
        "access_token": s.access_token,
        "refresh_token": s.refresh_token,
        "timestamp": s.timestamp,
        "email": s.email,
    }
    with open("data/unittest_v2_session.json", "w") as f:
        json.dump({"version": 2, "session": session, "config": config}, f)
    with open("unit_test_data.json", "w") as f:
        json.dump(TEST_DATA, f)

    report = os.path.join(work, "report.xml")
    code = subprocess.call(
        [sys.executable, "-m", "pytest", "--pyargs", "intralinks_test", "-k", "v2_test",
         "-p", "no:cacheprovider", "-q", f"--junitxml={report}"]
    )
    suite = ET.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    counts = {k: int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped")}
    print(f"SDK V2 suite against the simulator: {counts}")
    if code != 0 or counts != {"tests": expected, "failures": 0, "errors": 0, "skipped": 0}:
        print(f"expected {expected} tests, all passing", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
