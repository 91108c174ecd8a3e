/**
 * Tests the backend asks TestKit to skip (answering StartTest with SkipTest), with the reason.
 * Only tests that need something the driver's public API lacks and that TestKit does not guard
 * by a feature belong here; tests that fail because of the driver stay in the run and are
 * listed in known-failures.txt instead.
 *
 * A pattern matches a test id as TestKit sends it in StartTest (e.g. `stub.routing.
 * test_routing_v5x0.RoutingV5x0.test_should_...`), `*` standing for any characters.
 */
import { FEATURES } from "./features.js"

export interface Skip {
  readonly reason: string
  readonly patterns: ReadonlyArray<string>
}

export const SKIPPED: ReadonlyArray<Skip> = []

/**
 * Subtests the backend asks TestKit to skip (the test is answered RunSubTests, then each
 * StartSubTest whose arguments match gets SkipTest). TestKit still runs a skipped subtest but
 * ignores its outcome.
 */
export interface SubtestSkip {
  readonly reason: string
  readonly patterns: ReadonlyArray<string>
  readonly when: (args: Readonly<Record<string, unknown>>) => boolean
}

/** `v4x3` / `v3` (TestKit's script folder names) to the feature of that Bolt version. */
const boltFeature = (version: unknown): string | undefined => {
  const m = typeof version === "string" ? /^v(\d+)(?:x(\d+))?$/.exec(version) : null
  return m ? `Feature:Bolt:${m[1]}.${m[2] ?? "0"}` : undefined
}

export const SKIPPED_SUBTESTS: ReadonlyArray<SubtestSkip> = [
  {
    reason: "a Bolt version effect-neo4j does not speak; TestKit loops over versions here without checking their feature",
    patterns: ["stub.optimizations.test_optimizations.TestOptimizations.test_uses_implicit_default_arguments*"],
    when: (args) => {
      const feature = boltFeature(args.version)
      return feature !== undefined && !FEATURES.includes(feature)
    }
  }
]

/** `*` matches any run of characters (dots included); everything else matches itself. */
const matches = (pattern: string, id: string): boolean => {
  const re = new RegExp("^" + pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$")
  return re.test(id)
}

/** The reason to skip a test, if it is in the table. */
export const skipReason = (testId: string): string | undefined =>
  SKIPPED.find((s) => s.patterns.some((p) => matches(p, testId)))?.reason

/** Whether TestKit should ask about each subtest of a test. */
export const hasSubtestSkips = (testId: string): boolean =>
  SKIPPED_SUBTESTS.some((s) => s.patterns.some((p) => matches(p, testId)))

/** The reason to skip a subtest, if one of the subtest rules matches it. */
export const subtestSkipReason = (testId: string, args: Readonly<Record<string, unknown>>): string | undefined =>
  SKIPPED_SUBTESTS.find((s) => s.patterns.some((p) => matches(p, testId)) && s.when(args))?.reason
