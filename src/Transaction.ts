/**
 * Transactions: explicit ones from `session.beginTransaction()` (scoped: rolled back when the
 * scope closes without a commit) and the managed ones handed to transaction functions
 * (`executeRead` / `executeWrite`), which the driver commits, and retries on transient failures.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Query } from "./Cypher.js"
import type { Neo4jError } from "./Neo4jError.js"
import type { Result } from "./Result.js"

/**
 * Settings for one transaction (or auto-commit query).
 *
 * @since 0.1.0
 * @category models
 */
export interface TransactionConfig {
  /** server-side timeout (`tx_timeout`) */
  readonly timeout?: Duration.DurationInput | undefined
  /** attached to the transaction, visible in `SHOW TRANSACTIONS` and the query log (`tx_metadata`) */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

/**
 * What a transaction function may do: run queries. The driver commits.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const names = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const session = yield* driver.session()
 *   // read the result inside the function: the driver commits when it returns
 *   return yield* session.executeRead((tx) =>
 *     Effect.flatMap(tx.run("MATCH (p:Person) RETURN p.name AS name"), (result) => result.list)
 *   )
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ManagedTransaction {
  /**
   * Runs a query in the transaction; read its result inside the function. The query is a string
   * or a `Cypher.Query` (whose parameters are merged with `parameters`: a name in both is an
   * `InvalidParameterError`, before anything is sent, and the transaction goes on).
   */
  readonly run: (query: string | Query, parameters?: Readonly<Record<string, unknown>>) => Effect.Effect<Result, Neo4jError>
}

/**
 * An explicit transaction.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const transfer = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const session = yield* driver.session()
 *   const tx = yield* session.beginTransaction({ timeout: "5 seconds", metadata: { app: "billing" } })
 *   yield* tx.run("MATCH (a:Account {id: $from}) SET a.balance = a.balance - $amount", { from: 1, amount: 10 })
 *   yield* tx.run("MATCH (a:Account {id: $to}) SET a.balance = a.balance + $amount", { to: 2, amount: 10 })
 *   yield* tx.commit // without it, the scope's close rolls back
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Transaction extends ManagedTransaction {
  /** Commits. Open results are finished first; reading them later fails with ResultConsumedError. */
  readonly commit: Effect.Effect<void, Neo4jError>
  /** Rolls back. */
  readonly rollback: Effect.Effect<void, Neo4jError>
  /** Whether neither commit nor rollback has happened (and no query failed). */
  readonly isOpen: Effect.Effect<boolean>
}
