/**
 * Tests the backend asks TestKit to skip (answering StartTest with SkipTest), with the reason.
 * Only tests that need something the driver's public API lacks and that TestKit does not guard
 * by a feature belong here; tests that fail because of the driver stay in the run and are
 * listed in known-failures.txt instead.
 *
 * A pattern matches a test id (as TestKit sends it, e.g. `stub.routing.test_routing_v5x0.
 * RoutingV5x0.test_should_...`) when it equals the id, or, ending in `*`, is a prefix of it, or,
 * starting with `*`, is a suffix of it.
 */
export interface Skip {
  readonly reason: string
  readonly patterns: ReadonlyArray<string>
}

export const SKIPPED: ReadonlyArray<Skip> = []

const matches = (pattern: string, id: string): boolean =>
  pattern.endsWith("*")
    ? id.startsWith(pattern.slice(0, -1))
    : pattern.startsWith("*")
      ? id.endsWith(pattern.slice(1))
      : id === pattern

/** The reason to skip a test, if it is in the table. */
export const skipReason = (testId: string): string | undefined =>
  SKIPPED.find((s) => s.patterns.some((p) => matches(p, testId)))?.reason
