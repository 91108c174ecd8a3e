/**
 * A fast path for decoding rows with a Schema: the common Result schema (a struct of strings,
 * numbers, booleans, literals, arrays, nested structs, filters, and Neo4jSchema's own value
 * schemas) compiled into one plain function that checks a row and builds its output without the
 * Either per property and wrapper per node of `ParseResult`'s interpreter.
 *
 * Exactness: a compiled decoder succeeds only where `Schema.decodeUnknownEither(schema)` with
 * the default options succeeds, and gives an equal output: fresh objects with the declared keys
 * in declared order, an absent optional key left out; an array of plain values (strings,
 * numbers, ...) is the array read, where the Schema would copy it. When it cannot say (its
 * `MISS`), the caller decodes with the Schema itself, which also gives the error. A schema with
 * anything else (transformations other than the registered ones, declarations not registered,
 * unions of structs, index signatures, suspensions, parse-option or decoding-fallback
 * annotations) is not compiled at all.
 */
import * as Option from "effect/Option"
import * as AST from "effect/SchemaAST"

/** What a compiled decoder returns when it cannot decode the value (the Schema decides). */
export const MISS: unique symbol = Symbol.for("effect-neo4j/schema/MISS")

/** A compiled decoder: the decoded value, or `MISS`. */
export type FastDecode = (u: unknown) => unknown

/**
 * Decoders that give the value itself when they take it (keywords, literals, their unions and
 * filters, instance checks): an array of such values is checked, not copied.
 */
const identities = new WeakSet<FastDecode>()

const identity = (test: (u: unknown) => boolean): FastDecode => {
  const decode: FastDecode = (u) => (test(u) ? u : MISS)
  identities.add(decode)
  return decode
}

/** Decoders of ASTs the compiler cannot read (Neo4jSchema's transformations and declarations). */
const registered = new WeakMap<AST.AST, FastDecode>()

/**
 * Registers the fast decoder of `ast`, which must decode exactly as the Schema does (or `MISS`).
 * Registered on the exact AST node: an annotated copy (`schema.annotations(...)`) is another
 * node, and is decoded by the Schema.
 */
export const register = (ast: AST.AST, decode: FastDecode, options?: { readonly identity?: boolean }): void => {
  registered.set(ast, decode)
  if (options?.identity === true) identities.add(decode)
}

const isRecord = (u: unknown): u is Record<PropertyKey, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** a node whose annotations change how it decodes: left to the Schema */
const hasParseAnnotations = (ast: AST.AST): boolean =>
  Option.isSome(AST.getParseOptionsAnnotation(ast)) || Option.isSome(AST.getDecodingFallbackAnnotation(ast))

/** a node that decodes a value to itself with a predicate (keywords, literals), if `ast` is one */
const predicateOf = (ast: AST.AST): ((u: unknown) => boolean) | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => typeof u === "string"
    case "NumberKeyword":
      return (u) => typeof u === "number"
    case "BooleanKeyword":
      return (u) => typeof u === "boolean"
    case "BigIntKeyword":
      return (u) => typeof u === "bigint"
    case "UndefinedKeyword":
      return (u) => u === undefined
    case "UnknownKeyword":
    case "AnyKeyword":
      return () => true
    case "Literal": {
      const literal = ast.literal
      return (u) => u === literal
    }
    default:
      return undefined
  }
}

/** The properties of a struct, compiled: names, whether optional, decoders. */
interface Fields {
  readonly names: ReadonlyArray<string>
  readonly optional: ReadonlyArray<boolean>
  readonly decoders: ReadonlyArray<FastDecode>
}

const compileFields = (ast: AST.TypeLiteral): Fields | undefined => {
  if (ast.indexSignatures.length > 0 || ast.propertySignatures.length === 0) return undefined
  const names: Array<string> = []
  const optional: Array<boolean> = []
  const decoders: Array<FastDecode> = []
  for (const ps of ast.propertySignatures) {
    if (typeof ps.name !== "string") return undefined
    const decode = compile(ps.type)
    if (decode === undefined) return undefined
    names.push(ps.name)
    optional.push(ps.isOptional)
    decoders.push(decode)
  }
  return { names, optional, decoders }
}

const compileStruct = (ast: AST.TypeLiteral): FastDecode | undefined => {
  // an empty struct is Schema's "not nullable" check, and decodes to the value itself
  if (ast.indexSignatures.length === 0 && ast.propertySignatures.length === 0) {
    return identity((u) => u !== null && u !== undefined)
  }
  const fields = compileFields(ast)
  if (fields === undefined) return undefined
  const { decoders, names, optional } = fields
  const n = names.length
  return (u) => {
    if (!isRecord(u)) return MISS
    const out: Record<string, unknown> = {}
    for (let i = 0; i < n; i++) {
      const name = names[i]!
      // not `exact`: an absent required key reads as undefined, an absent optional one is left out
      if (optional[i] && !Object.prototype.hasOwnProperty.call(u, name)) continue
      const v = decoders[i]!(u[name])
      if (v === MISS) return MISS
      out[name] = v
    }
    return out
  }
}

/**
 * A row decoder for a Result struct, read straight from a record's values (no object of its
 * keys first): given the result's keys, the decoder of one record's values. As the struct's
 * decoder would on `record.toObject()`: a key the result lacks is absent.
 */
export const compileRow = (
  ast: AST.AST
): ((keys: ReadonlyArray<string>) => (values: ReadonlyArray<unknown>) => unknown) | undefined => {
  if (ast._tag !== "TypeLiteral" || registered.has(ast) || hasParseAnnotations(ast)) return undefined
  const fields = compileFields(ast)
  if (fields === undefined) return undefined
  const { decoders, names, optional } = fields
  const n = names.length
  return (keys) => {
    const at = names.map((name) => keys.indexOf(name))
    return (values) => {
      const out: Record<string, unknown> = {}
      for (let i = 0; i < n; i++) {
        const index = at[i]!
        if (index < 0 && optional[i]) continue
        const v = decoders[i]!(index < 0 ? undefined : values[index])
        if (v === MISS) return MISS
        out[names[i]!] = v
      }
      return out
    }
  }
}

const compileTuple = (ast: AST.TupleType): FastDecode | undefined => {
  if (ast.elements.length === 0 && ast.rest.length === 1) {
    const element = compile(ast.rest[0]!.type)
    if (element === undefined) return undefined
    if (identities.has(element)) {
      // the Schema would copy the array; the elements are the same, so the array read is returned
      return (u) => {
        if (!Array.isArray(u)) return MISS
        for (let i = 0; i < u.length; i++) if (element(u[i]) === MISS) return MISS
        return u
      }
    }
    return (u) => {
      if (!Array.isArray(u)) return MISS
      const out = new Array<unknown>(u.length)
      for (let i = 0; i < u.length; i++) {
        const v = element(u[i])
        if (v === MISS) return MISS
        out[i] = v
      }
      return out
    }
  }
  if (ast.rest.length === 0 && ast.elements.every((e) => !e.isOptional)) {
    const elements: Array<FastDecode> = []
    for (const e of ast.elements) {
      const decode = compile(e.type)
      if (decode === undefined) return undefined
      elements.push(decode)
    }
    return (u) => {
      if (!Array.isArray(u) || u.length !== elements.length) return MISS
      const out = new Array<unknown>(u.length)
      for (let i = 0; i < u.length; i++) {
        const v = elements[i]!(u[i])
        if (v === MISS) return MISS
        out[i] = v
      }
      return out
    }
  }
  return undefined
}

/**
 * The compiled decoder of `ast`, or `undefined` when it has a part the fast path does not know
 * (decode such a schema with the Schema).
 */
export const compile = (ast: AST.AST): FastDecode | undefined => {
  const own = registered.get(ast)
  if (own !== undefined) return own
  if (hasParseAnnotations(ast)) return undefined
  const test = predicateOf(ast)
  if (test !== undefined) return identity(test)
  switch (ast._tag) {
    case "TypeLiteral":
      return compileStruct(ast)
    case "TupleType":
      return compileTuple(ast)
    case "Union": {
      // members that decode a value to itself only: whichever member takes it, the output is
      // the value (with structs or transformations, which member wins would matter)
      const tests: Array<(u: unknown) => boolean> = []
      for (const member of ast.types) {
        const t = hasParseAnnotations(member) ? undefined : predicateOf(member)
        if (t === undefined) return undefined
        tests.push(t)
      }
      return identity((u) => {
        for (let i = 0; i < tests.length; i++) if (tests[i]!(u)) return true
        return false
      })
    }
    case "Refinement": {
      const from = compile(ast.from)
      if (from === undefined) return undefined
      const filter = (v: unknown) => (Option.isNone(ast.filter(v, AST.defaultParseOption, ast)) ? v : MISS)
      if (identities.has(from)) return identity((u) => from(u) !== MISS && filter(u) !== MISS)
      return (u) => {
        const v = from(u)
        return v === MISS ? MISS : filter(v)
      }
    }
    default:
      return undefined
  }
}
