/**
 * The routing table's pure functions: parsing ROUTE's `rt`, staleness, members by role, and
 * forgetting servers, writers and routers.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Table from "../../src/internal/routing/routingTable.js"

const rt = (ttl: unknown, servers: ReadonlyArray<{ addresses: ReadonlyArray<string>; role: string }>, db?: string) => ({
  ttl,
  ...(db !== undefined ? { db } : {}),
  servers
})

const spec = rt(1000, [
  { addresses: ["localhost:9001"], role: "ROUTE" },
  { addresses: ["localhost:9010", "localhost:9012"], role: "READ" },
  { addresses: ["localhost:9020", "localhost:9022"], role: "WRITE" }
], "foo")

describe("fromRouteMetadata", () => {
  it("parses the spec's example (v4.4+)", () => {
    expect(Table.fromRouteMetadata(spec, 5_000)).toEqual({
      database: "foo",
      routers: ["localhost:9001"],
      readers: ["localhost:9010", "localhost:9012"],
      writers: ["localhost:9020", "localhost:9022"],
      ttl: 1000,
      expiresAt: 5_000 + 1_000_000
    })
  })

  it("the v4.3 form has no db", () => {
    const { db: _db, ...noDb } = spec
    expect(Table.fromRouteMetadata(noDb, 0)?.database).toBeUndefined()
  })

  it("ttl: an Integer as number or bigint, seconds to an epoch deadline; absent is 300 s; negative is 0", () => {
    const servers = spec.servers
    expect(Table.fromRouteMetadata(rt(1, servers), 100)?.expiresAt).toBe(1_100)
    expect(Table.fromRouteMetadata(rt(2n, servers), 100)?.expiresAt).toBe(2_100)
    expect(Table.fromRouteMetadata(rt(undefined, servers), 0)?.expiresAt).toBe(300_000)
    expect(Table.fromRouteMetadata(rt("10", servers), 0)?.expiresAt).toBe(300_000)
    expect(Table.fromRouteMetadata(rt(-5, servers), 100)?.expiresAt).toBe(100)
    expect(Table.fromRouteMetadata(rt(0, servers), 100)?.expiresAt).toBe(100)
  })

  it("merges repeated roles and drops duplicate and non-string addresses and malformed entries", () => {
    const t = Table.fromRouteMetadata(
      {
        ttl: 300,
        servers: [
          { addresses: ["a:1", "a:1"], role: "ROUTE" },
          { addresses: ["b:1", 7, null], role: "READ" },
          { addresses: ["c:1", "b:1"], role: "READ" },
          { addresses: "d:1", role: "WRITE" },
          { role: "WRITE" },
          null,
          "x",
          { addresses: ["e:1"], role: "OTHER" }
        ]
      },
      0
    )
    expect(t?.routers).toEqual(["a:1"])
    expect(t?.readers).toEqual(["b:1", "c:1"])
    expect(t?.writers).toEqual([])
  })

  it("a table without writers is usable (a leader election in progress); without routers or readers it is not", () => {
    expect(Table.fromRouteMetadata(rt(300, [{ addresses: ["a:1"], role: "ROUTE" }, { addresses: ["a:1"], role: "READ" }]), 0)?.writers).toEqual([])
    expect(Table.fromRouteMetadata(rt(300, [{ addresses: ["a:1"], role: "READ" }, { addresses: ["a:1"], role: "WRITE" }]), 0)).toBeUndefined()
    expect(Table.fromRouteMetadata(rt(300, [{ addresses: ["a:1"], role: "ROUTE" }, { addresses: ["a:1"], role: "WRITE" }]), 0)).toBeUndefined()
    expect(Table.fromRouteMetadata(rt(300, []), 0)).toBeUndefined()
  })

  it("anything but a map is not a table", () => {
    for (const v of [undefined, null, 1, "rt", [], { servers: "x" }]) expect(Table.fromRouteMetadata(v, 0)).toBeUndefined()
  })
})

describe("staleness and members", () => {
  const t = Table.fromRouteMetadata(spec, 0)!

  it("fresh until the TTL has passed (the deadline itself is stale)", () => {
    expect(Table.isStale(t, "READ", 999_999)).toBe(false)
    expect(Table.isStale(t, "WRITE", 999_999)).toBe(false)
    expect(Table.isStale(t, "READ", 1_000_000)).toBe(true)
    expect(Table.isStale(t, "WRITE", 1_000_001)).toBe(true)
  })

  it("stale for a role with no member left, or with no router left", () => {
    const noWriters = Table.forgetWriter(Table.forgetWriter(t, "localhost:9020"), "localhost:9022")
    expect(Table.isStale(noWriters, "WRITE", 0)).toBe(true)
    expect(Table.isStale(noWriters, "READ", 0)).toBe(false)
    const noReaders = Table.forget(Table.forget(t, "localhost:9010"), "localhost:9012")
    expect(Table.isStale(noReaders, "READ", 0)).toBe(true)
    expect(Table.isStale(noReaders, "WRITE", 0)).toBe(false)
    const noRouters = Table.forgetRouter(t, "localhost:9001")
    expect(Table.isStale(noRouters, "READ", 0)).toBe(true)
    expect(Table.isStale(noRouters, "WRITE", 0)).toBe(true)
  })

  it("membersFor picks the role", () => {
    expect(Table.membersFor(t, "READ")).toEqual(["localhost:9010", "localhost:9012"])
    expect(Table.membersFor(t, "WRITE")).toEqual(["localhost:9020", "localhost:9022"])
  })
})

describe("forgetting", () => {
  const both = Table.fromRouteMetadata(
    rt(300, [
      { addresses: ["a:1", "b:1"], role: "ROUTE" },
      { addresses: ["a:1", "b:1"], role: "READ" },
      { addresses: ["a:1"], role: "WRITE" }
    ]),
    0
  )!

  it("forget: an unreachable server stops reading and writing but stays a router candidate", () => {
    const t = Table.forget(both, "a:1")
    expect(t.readers).toEqual(["b:1"])
    expect(t.writers).toEqual([])
    expect(t.routers).toEqual(["a:1", "b:1"])
    expect(t.expiresAt).toBe(both.expiresAt)
  })

  it("forgetWriter: a former leader still reads", () => {
    const t = Table.forgetWriter(both, "a:1")
    expect(t.writers).toEqual([])
    expect(t.readers).toEqual(["a:1", "b:1"])
    expect(t.routers).toEqual(["a:1", "b:1"])
  })

  it("forgetRouter: only the router role", () => {
    const t = Table.forgetRouter(both, "a:1")
    expect(t.routers).toEqual(["b:1"])
    expect(t.readers).toEqual(["a:1", "b:1"])
    expect(t.writers).toEqual(["a:1"])
  })

  it("does not touch the original, and forgetting an unknown address changes nothing", () => {
    Table.forget(both, "a:1")
    expect(both.readers).toEqual(["a:1", "b:1"])
    expect(Table.forget(both, "z:9")).toEqual(both)
  })

  it("allAddresses: every role, once", () => {
    expect([...Table.allAddresses(both)].sort()).toEqual(["a:1", "b:1"])
    expect([...Table.allAddresses(Table.forget(Table.forgetRouter(both, "b:1"), "b:1"))]).toEqual(["a:1"])
  })
})
