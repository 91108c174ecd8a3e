"""Runs TestKit's stub suite once per distinct test id and reports each test as a JSON line.

Usage: run_stub.py TESTKIT_DIR RESULTS_FILE [FILTER ...]

TestKit's `tests.stub.suites` discovers some tests twice (about 1,490 runs of 1,082 distinct
ids); this loads that suite, flattens it, keeps the first test of each id and runs those, in
order. A FILTER is a test id, or a dotted prefix of one (an area, a module, a class), with or without
the leading `tests.stub.` (`routing`, `routing.test_routing_v5x0`,
`tests.stub.iteration.test_result_list.TestResultList`).

RESULTS_FILE gets one JSON object per line: first {"total": N}, then per test {"id", "outcome"
(passed / failed / skipped), "reason" (skip reason or traceback excerpt), "seconds"}, and
{"done": true} at the end. TestKit's own output (stub server dumps) goes to stdout. Nothing is
written into TESTKIT_DIR.
"""

import json
import os
import sys
import time
import traceback
import unittest

PREFIX = "tests.stub."


def flatten(suite):
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from flatten(test)
        else:
            yield test


def short(test_id):
    return test_id[len(PREFIX):] if test_id.startswith(PREFIX) else test_id


def excerpt(err, limit=4000):
    text = "".join(traceback.format_exception(*err))
    if len(text) > limit:
        text = text[:1000] + "\n[...]\n" + text[-(limit - 1000):]
    return text


class JsonLinesResult(unittest.TestResult):
    """Writes one line per test: failed if the test or any subtest failed."""

    def __init__(self, out, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._out = out
        self._state = {}

    def _write(self, obj):
        self._out.write(json.dumps(obj) + "\n")
        self._out.flush()

    def startTest(self, test):  # noqa: N802
        super().startTest(test)
        self._state[test.id()] = {"outcome": "passed", "reason": None,
                                  "start": time.monotonic()}

    def _set(self, test, outcome, reason):
        state = self._state.get(test.id())
        if state is None:
            return
        # failed wins over skipped, which wins over passed
        rank = {"passed": 0, "skipped": 1, "failed": 2}
        if rank[outcome] > rank[state["outcome"]]:
            state["outcome"] = outcome
            state["reason"] = reason

    def addError(self, test, err):  # noqa: N802
        super().addError(test, err)
        self._set(test, "failed", excerpt(err))

    def addFailure(self, test, err):  # noqa: N802
        super().addFailure(test, err)
        self._set(test, "failed", excerpt(err))

    def addSkip(self, test, reason):  # noqa: N802
        super().addSkip(test, reason)
        # a skipped subtest does not skip its test
        if not isinstance(test, unittest.case._SubTest):
            self._set(test, "skipped", reason)

    def addUnexpectedSuccess(self, test):  # noqa: N802
        super().addUnexpectedSuccess(test)
        self._set(test, "failed", "unexpected success")

    def addSubTest(self, test, subtest, err):  # noqa: N802
        super().addSubTest(test, subtest, err)
        if err is not None and not issubclass(err[0], unittest.SkipTest):
            self._set(test, "failed",
                      "subtest %s\n%s" % (subtest._subDescription(),
                                          excerpt(err)))

    def stopTest(self, test):  # noqa: N802
        super().stopTest(test)
        state = self._state.pop(test.id(), None)
        if state is None:
            return
        self._write({
            "id": test.id(),
            "outcome": state["outcome"],
            "reason": state["reason"],
            "seconds": round(time.monotonic() - state["start"], 3),
        })


def main():
    testkit_dir = os.path.abspath(sys.argv[1])
    results_file = sys.argv[2]
    filters = [short(f) for f in sys.argv[3:]]
    sys.path.insert(0, testkit_dir)
    os.chdir(testkit_dir)  # the stub servers run as `python -m boltstub`

    from tests.stub.suites import stub_suite

    tests = {}
    for test in flatten(stub_suite):
        tests.setdefault(test.id(), test)
    selected = [
        t for i, t in tests.items()
        if not filters or any(short(i) == f or short(i).startswith(f + ".")
                               for f in filters)
    ]
    with open(results_file, "w", encoding="utf-8") as out:
        out.write(json.dumps({"total": len(selected)}) + "\n")
        out.flush()
        result = JsonLinesResult(out)
        unittest.TestSuite(selected).run(result)
        out.write(json.dumps({"done": True}) + "\n")


if __name__ == "__main__":
    main()
