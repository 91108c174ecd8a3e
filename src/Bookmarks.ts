/**
 * Bookmarks for causal consistency: a transaction started with the bookmarks of an earlier one
 * sees that transaction's writes, even on another cluster member. Sessions chain them on their
 * own; a `BookmarkManager` shares them between sessions (and `executeQuery` uses a default one),
 * as in the official drivers.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

/**
 * Opaque bookmark strings from the server.
 *
 * @since 0.1.0
 * @category models
 */
export type Bookmarks = ReadonlyArray<string>

/**
 * Shares bookmarks between sessions.
 *
 * @since 0.1.0
 * @category models
 */
export interface BookmarkManager {
  /** The bookmarks a new transaction should wait for. */
  readonly getBookmarks: Effect.Effect<Bookmarks>
  /** Replaces the bookmarks a transaction started with by the one it produced. */
  readonly updateBookmarks: (previous: Bookmarks, next: Bookmarks) => Effect.Effect<void>
}

/**
 * The BookmarkManager service, for apps that share one manager through their Layer graph.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Bookmarks, Neo4jDriver } from "effect-neo4j"
 *
 * const BookmarksLive = Layer.effect(Bookmarks.BookmarkManagerTag, Bookmarks.makeManager())
 *
 * const addPerson = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const bookmarkManager = yield* Bookmarks.BookmarkManagerTag
 *   yield* driver.executeQuery("CREATE (:Person {name: $name})", { name: "Ada" }, { bookmarkManager })
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class BookmarkManagerTag extends Context.Tag("effect-neo4j/BookmarkManager")<BookmarkManagerTag, BookmarkManager>() {}

/**
 * An in-memory manager, as the official `bookmarkManager({ initialBookmarks })`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Bookmarks, Neo4jDriver } from "effect-neo4j"
 *
 * // a read in one session sees a write made in another
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const bookmarkManager = yield* Bookmarks.makeManager()
 *   const writer = yield* driver.session({ bookmarkManager })
 *   yield* writer.executeWrite((tx) => tx.run("CREATE (:Person {name: 'Ada'})"))
 *   const reader = yield* driver.session({ bookmarkManager, defaultAccessMode: "READ" })
 *   return yield* reader.executeRead((tx) => Effect.flatMap(tx.run("MATCH (p:Person) RETURN p"), (r) => r.list))
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeManager = (initialBookmarks: Bookmarks = []): Effect.Effect<BookmarkManager> =>
  Effect.map(Ref.make<ReadonlySet<string>>(new Set(initialBookmarks)), (ref) => ({
    getBookmarks: Effect.map(Ref.get(ref), (s) => [...s]),
    updateBookmarks: (previous, next) =>
      Ref.update(ref, (s) => {
        if (next.length === 0) return s
        const out = new Set(s)
        for (const b of previous) out.delete(b)
        for (const b of next) out.add(b)
        return out
      })
  }))

/**
 * A manager that keeps nothing (for sessions that opt out).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Bookmarks, Neo4jDriver } from "effect-neo4j"
 *
 * // this session neither waits for nor records bookmarks
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const session = yield* driver.session({ bookmarkManager: Bookmarks.noop })
 *   return yield* session.run("MATCH (n) RETURN count(n) AS n")
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const noop: BookmarkManager = {
  getBookmarks: Effect.succeed([]),
  updateBookmarks: () => Effect.void
}
