/**
 * One lock per key (a routing table's key): work under the same key runs one at a time, work
 * under different keys does not wait. A key's lock exists only while someone holds or awaits
 * it, so keys (databases, impersonated users) seen once leave nothing behind.
 */
import * as Effect from "effect/Effect"

/**
 * Locks by key.
 *
 * @since 0.1.0
 */
export interface KeyedLock {
  /** Runs `self` holding the lock of `key`. */
  readonly withLock: (key: string) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

interface Held {
  readonly semaphore: Effect.Semaphore
  /** fibers holding or awaiting it */
  users: number
}

/**
 * Makes an empty set of locks.
 *
 * @since 0.1.0
 */
export const make = (): KeyedLock => {
  const held = new Map<string, Held>()
  const enter = (key: string) =>
    Effect.sync(() => {
      let h = held.get(key)
      if (h === undefined) {
        h = { semaphore: Effect.unsafeMakeSemaphore(1), users: 0 }
        held.set(key, h)
      }
      h.users++
      return h
    })
  const leave = (key: string, h: Held) =>
    Effect.sync(() => {
      if (--h.users === 0) held.delete(key)
    })
  return {
    withLock: (key) => (self) => Effect.acquireUseRelease(enter(key), (h) => h.semaphore.withPermits(1)(self), (h) => leave(key, h))
  }
}
