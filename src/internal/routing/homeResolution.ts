/**
 * What a ROUTE for the home database (`db: null`) told us about one user: the key its table is
 * held under (`db:<name>` when the server named the database, `home:<user>` when it did not)
 * and until when that answer holds (the table's TTL). Pure data.
 *
 * A request that arrived while the ROUTE was in flight may reuse it while it holds, unless the
 * request carries a bookmark that ROUTE did not: the bookmark may come after a change of the
 * user's home database (the reference drivers resolve the home database again for such a
 * session, and TestKit checks it). Later requests resolve again (see the router's `homeTable`).
 */

/**
 * A home database resolution.
 *
 * @since 0.1.0
 */
export interface HomeResolution {
  /** the key of the table in the router's tables */
  readonly key: string
  /** epoch milliseconds after which the home database is resolved again */
  readonly expiresAt: number
  /** the bookmarks the ROUTE carried */
  readonly bookmarks: ReadonlySet<string>
  /** its number among the router's resolutions: a request reuses only one made while it waited */
  readonly seq: number
}

/**
 * A resolution from the ROUTE's answer.
 *
 * @since 0.1.0
 */
export const make = (key: string, expiresAt: number, bookmarks: ReadonlyArray<string>, seq: number): HomeResolution => ({
  key,
  expiresAt,
  bookmarks: new Set(bookmarks),
  seq
})

/**
 * Whether a request carrying `bookmarks` may reuse the resolution at `now`.
 *
 * @since 0.1.0
 */
export const holdsFor = (resolution: HomeResolution, bookmarks: ReadonlyArray<string>, now: number): boolean =>
  now < resolution.expiresAt && bookmarks.every((b) => resolution.bookmarks.has(b))
