/**
 * Graph structures to `Graph` values: Node, Relationship, UnboundRelationship and Path. Before
 * Bolt 5.0 there are no element ids: `elementId` is the numeric id as a string, as the official
 * driver does. Graph values are received only, never sent.
 */
import * as Graph from "../../../Graph.js"
import { arity, badField, fail, isInt, isMap, isStringList, nameOf, small } from "./fields.js"
import { NODE, PATH, RELATIONSHIP, UNBOUND_RELATIONSHIP } from "./tags.js"

export const hydrateNode = (f: Array<unknown>, elementIds: boolean, version: string): Graph.Node => {
  if (f.length !== (elementIds ? 4 : 3)) arity(NODE, elementIds ? 4 : 3, f.length, version)
  const id = f[0]
  const labels = f[1]
  const properties = f[2]
  if (!isInt(id)) badField(NODE, "id", "an integer", id)
  if (!isStringList(labels)) badField(NODE, "labels", "a list of strings", labels)
  if (!isMap(properties)) badField(NODE, "properties", "a map", properties)
  if (!elementIds) return new Graph.Node(id, labels, properties, String(id))
  const elementId = f[3]
  if (typeof elementId !== "string") badField(NODE, "element_id", "a string", elementId)
  return new Graph.Node(id, labels, properties, elementId)
}

export const hydrateRelationship = (f: Array<unknown>, elementIds: boolean, version: string): Graph.Relationship => {
  if (f.length !== (elementIds ? 8 : 5)) arity(RELATIONSHIP, elementIds ? 8 : 5, f.length, version)
  const id = f[0]
  const start = f[1]
  const end = f[2]
  const type = f[3]
  const properties = f[4]
  if (!isInt(id)) badField(RELATIONSHIP, "id", "an integer", id)
  if (!isInt(start)) badField(RELATIONSHIP, "startNodeId", "an integer", start)
  if (!isInt(end)) badField(RELATIONSHIP, "endNodeId", "an integer", end)
  if (typeof type !== "string") badField(RELATIONSHIP, "type", "a string", type)
  if (!isMap(properties)) badField(RELATIONSHIP, "properties", "a map", properties)
  if (!elementIds) {
    return new Graph.Relationship(id, start, end, type, properties, String(id), String(start), String(end))
  }
  const elementId = f[5]
  const startElementId = f[6]
  const endElementId = f[7]
  if (typeof elementId !== "string") badField(RELATIONSHIP, "element_id", "a string", elementId)
  if (typeof startElementId !== "string") badField(RELATIONSHIP, "start_node_element_id", "a string", startElementId)
  if (typeof endElementId !== "string") badField(RELATIONSHIP, "end_node_element_id", "a string", endElementId)
  return new Graph.Relationship(id, start, end, type, properties, elementId, startElementId, endElementId)
}

export const hydrateUnbound = (f: Array<unknown>, elementIds: boolean, version: string): Graph.UnboundRelationship => {
  if (f.length !== (elementIds ? 4 : 3)) arity(UNBOUND_RELATIONSHIP, elementIds ? 4 : 3, f.length, version)
  const id = f[0]
  const type = f[1]
  const properties = f[2]
  if (!isInt(id)) badField(UNBOUND_RELATIONSHIP, "id", "an integer", id)
  if (typeof type !== "string") badField(UNBOUND_RELATIONSHIP, "type", "a string", type)
  if (!isMap(properties)) badField(UNBOUND_RELATIONSHIP, "properties", "a map", properties)
  if (!elementIds) return new Graph.UnboundRelationship(id, type, properties, String(id))
  const elementId = f[3]
  if (typeof elementId !== "string") badField(UNBOUND_RELATIONSHIP, "element_id", "a string", elementId)
  return new Graph.UnboundRelationship(id, type, properties, elementId)
}

/**
 * indices: pairs (relationship, node). A relationship index is 1-based into `rels`, negative when
 * walked against its direction, never 0; a node index is 0-based into `nodes`. Each occurrence is
 * bound to the nodes it joins, as the spec describes.
 */
export const hydratePath = (f: Array<unknown>, version: string): Graph.Path => {
  if (f.length !== 3) arity(PATH, 3, f.length, version)
  const nodes = f[0]
  const rels = f[1]
  const indices = f[2]
  if (!Array.isArray(nodes) || nodes.length === 0) badField(PATH, "nodes", "a non-empty list of nodes", nodes)
  if (!Array.isArray(rels)) badField(PATH, "rels", "a list of unbound relationships", rels)
  if (!Array.isArray(indices) || indices.length % 2 !== 0) badField(PATH, "indices", "a list of even length", indices)
  for (let i = 0; i < nodes.length; i++) {
    if (!(nodes[i] instanceof Graph.Node)) badField(PATH, `nodes[${i}]`, "a Node", nodes[i])
  }
  for (let i = 0; i < rels.length; i++) {
    if (!(rels[i] instanceof Graph.UnboundRelationship)) badField(PATH, `rels[${i}]`, "an UnboundRelationship", rels[i])
  }
  const ns = nodes as Array<Graph.Node>
  const rs = rels as Array<Graph.UnboundRelationship>
  const segments = new Array<Graph.PathSegment>(indices.length / 2)
  let prev = ns[0]!
  for (let i = 0; i < indices.length; i += 2) {
    const r = small(PATH, `indices[${i}]`, indices[i])
    const n = small(PATH, `indices[${i + 1}]`, indices[i + 1])
    if (r === 0 || r > rs.length || -r > rs.length) {
      fail(`${nameOf(PATH)}: relationship index ${r} at indices[${i}] is outside ±1..${rs.length}`)
    }
    if (n < 0 || n >= ns.length) {
      fail(`${nameOf(PATH)}: node index ${n} at indices[${i + 1}] is outside 0..${ns.length - 1}`)
    }
    const next = ns[n]!
    const rel = r > 0 ? rs[r - 1]!.bindTo(prev, next) : rs[-r - 1]!.bindTo(next, prev)
    segments[i >> 1] = new Graph.PathSegment(prev, rel, next)
    prev = next
  }
  return new Graph.Path(ns[0]!, prev, segments)
}
