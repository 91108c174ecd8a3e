/**
 * Bookmarks through the public driver API, over real sockets against the scripted stub server:
 * `lastBookmarks` after a commit and after an auto-commit result, a session's own chaining, a
 * second session started with them, a shared `BookmarkManager`, and the default manager that
 * chains consecutive `executeQuery` calls.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as Bookmarks from "../../src/Bookmarks.js"
import type { Session } from "../../src/Session.js"
import { StubServer } from "../../src/testing/index.js"
import { HEAD, withDriver } from "../support.js"

/** A transaction of `query` that the server commits with `bookmark`; BEGIN carries `extra`. */
const committed = (extra: string, query: string, bookmark: string) => `C: BEGIN ${extra}
C: RUN "${query}" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "${bookmark}"}
`

const write = (session: Session, query: string) =>
  session.executeWrite((tx) => Effect.flatMap(tx.run(query), (r) => r.list))

describe("a session's bookmarks", () => {
  it.scopedLive("lastBookmarks: empty at first, then COMMIT's bookmark, then an auto-commit result's; each is sent by the next transaction", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${committed("{}", "CREATE (a)", "FB:tx-1")}C: RUN "CREATE (b)" {} {"bookmarks": ["FB:tx-1"]}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "w", "bookmark": "FB:auto-2"}
${committed(`{"bookmarks": ["FB:auto-2"]}`, "CREATE (c)", "FB:tx-3")}?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          expect(yield* session.lastBookmarks()).toEqual([])
          yield* Effect.scoped(
            Effect.gen(function* () {
              const tx = yield* session.beginTransaction()
              yield* Effect.flatMap(tx.run("CREATE (a)"), (r) => r.list)
              expect(yield* session.lastBookmarks()).toEqual([])
              yield* tx.commit
            })
          )
          expect(yield* session.lastBookmarks()).toEqual(["FB:tx-1"])
          const auto = yield* session.run("CREATE (b)")
          yield* auto.list
          expect(yield* session.lastBookmarks()).toEqual(["FB:auto-2"])
          expect((yield* auto.summary).bookmark).toBe("FB:auto-2")
          yield* write(session, "CREATE (c)")
          expect(yield* session.lastBookmarks()).toEqual(["FB:tx-3"])
        })
      )
      yield* stub.verify
    })
  )

  it.scopedLive("an auto-commit result stopped early: DISCARD's bookmark is in lastBookmarks as soon as the stream ends", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: RUN "UNWIND range(1, 1000000) AS i RETURN i" {} {}
S: <STREAM records=1000000 fields=["i"] summary={"type": "r", "bookmark": "FB:discarded"}>
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const result = yield* session.run("UNWIND range(1, 1000000) AS i RETURN i")
          yield* result.records.pipe(Stream.take(3), Stream.runDrain)
          expect(yield* session.lastBookmarks()).toEqual(["FB:discarded"])
        })
      )
      yield* stub.verify
    })
  )

  it.scopedLive("a rolled-back transaction leaves lastBookmarks as they were", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${committed("{}", "CREATE (a)", "FB:1")}C: BEGIN {"bookmarks": ["FB:1"]}
C: RUN "CREATE (b)" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   SUCCESS {"type": "w"}
C: ROLLBACK
S: SUCCESS {}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          yield* write(session, "CREATE (a)")
          yield* Effect.scoped(Effect.flatMap(session.beginTransaction(), (tx) => tx.run("CREATE (b)")))
          expect(yield* session.lastBookmarks()).toEqual(["FB:1"])
        })
      )
      yield* stub.verify
    })
  )

  it.scopedLive("a second session created with bookmarks: lastBookmarks sends them on its BEGIN and auto-commit RUN", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${committed("{}", "CREATE (a)", "FB:writer")}${committed(
          `{"bookmarks": ["FB:writer"], "mode": "r"}`,
          "MATCH (a) RETURN count(a) AS n",
          "FB:writer"
        )}C: RUN "MATCH (a) RETURN count(a) AS n" {} {"bookmarks": ["FB:writer"]}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const bookmarks = yield* Effect.scoped(
            Effect.gen(function* () {
              const writer = yield* driver.session()
              yield* write(writer, "CREATE (a)")
              return yield* writer.lastBookmarks()
            })
          )
          expect(bookmarks).toEqual(["FB:writer"])
          yield* Effect.scoped(
            Effect.gen(function* () {
              const reader = yield* driver.session({ bookmarks })
              yield* reader.executeRead((tx) => Effect.flatMap(tx.run("MATCH (a) RETURN count(a) AS n"), (r) => r.list))
            })
          )
          yield* Effect.scoped(
            Effect.gen(function* () {
              const reader = yield* driver.session({ bookmarks })
              yield* Effect.flatMap(reader.run("MATCH (a) RETURN count(a) AS n"), (r) => r.list)
            })
          )
        })
      )
      yield* stub.verify
    })
  )
})

describe("bookmark managers", () => {
  it.scopedLive("a shared BookmarkManager passes bookmarks between sessions; each commit replaces the ones it waited for", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${committed(`{"bookmarks": ["FB:0"]}`, "CREATE (a)", "FB:a")}${committed(
          `{"bookmarks": ["FB:a"]}`,
          "CREATE (b)",
          "FB:b"
        )}${committed(`{}`, "CREATE (x)", "FB:x")}${committed(`{"bookmarks": ["FB:b"]}`, "CREATE (c)", "FB:c")}?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const manager = yield* Bookmarks.makeManager(["FB:0"])
          yield* Effect.scoped(Effect.flatMap(driver.session({ bookmarkManager: manager }), (s) => write(s, "CREATE (a)")))
          expect(yield* manager.getBookmarks).toEqual(["FB:a"])
          yield* Effect.scoped(Effect.flatMap(driver.session({ bookmarkManager: manager }), (s) => write(s, "CREATE (b)")))
          expect(yield* manager.getBookmarks).toEqual(["FB:b"])
          // a session without the manager neither sees nor changes its bookmarks
          yield* Effect.scoped(Effect.flatMap(driver.session(), (s) => write(s, "CREATE (x)")))
          expect(yield* manager.getBookmarks).toEqual(["FB:b"])
          yield* Effect.scoped(Effect.flatMap(driver.session({ bookmarkManager: manager }), (s) => write(s, "CREATE (c)")))
          expect(yield* manager.getBookmarks).toEqual(["FB:c"])
        })
      )
      yield* stub.verify
    })
  )

  it.scopedLive("executeQuery chains bookmarks through the driver's default manager; bookmarkManager: null opts out", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${committed("{}", "CREATE (a)", "FB:q1")}${committed(
          `{"bookmarks": ["FB:q1"], "mode": "r"}`,
          "MATCH (a) RETURN count(a) AS n",
          "FB:q2"
        )}${committed(`{}`, "CREATE (b)", "FB:other")}${committed(`{"bookmarks": ["FB:q2"]}`, "CREATE (c)", "FB:q3")}?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const first = yield* driver.executeQuery("CREATE (a)")
          expect(first.summary.bookmark).toBeUndefined()
          expect(first.records.map((r) => r.get("n"))).toEqual([1])
          yield* driver.executeQuery("MATCH (a) RETURN count(a) AS n", {}, { routing: "READ" })
          yield* driver.executeQuery("CREATE (b)", {}, { bookmarkManager: null })
          yield* driver.executeQuery("CREATE (c)")
        })
      )
      yield* stub.verify
    })
  )
})
