/**
 * A `Cypher.Query` given where a query string is taken: its text, and its parameters merged with
 * those given beside it. Only `Cypher.Query` arguments come here: a query string goes on as it
 * is, with no allocation added to its path.
 */
import type { Query } from "../../Cypher.js"
import { InvalidParameterError } from "../../Neo4jError.js"

/**
 * What RUN carries for a `Cypher.Query`.
 *
 * @since 0.1.0
 */
export interface ResolvedQuery {
  readonly text: string
  readonly parameters: Readonly<Record<string, unknown>>
}

/**
 * The text and parameters of `query`, with `parameters` (given beside it) merged in; an
 * `InvalidParameterError` for a query that cannot run (a refused identifier), or for a name both
 * give (the server would see one of them only).
 *
 * @since 0.1.0
 */
export const resolveQuery = (
  query: Query,
  parameters: Readonly<Record<string, unknown>> | undefined
): ResolvedQuery | InvalidParameterError => {
  if (query.error !== undefined) return query.error
  const own = query.parameters
  if (parameters === undefined) return query
  let merged: Record<string, unknown> | undefined
  for (const name in parameters) {
    if (Object.prototype.hasOwnProperty.call(own, name)) {
      return new InvalidParameterError({
        message: `The parameter "${name}" is given twice: by the cypher query (an interpolated value) and in the parameters beside it`
      })
    }
    merged ??= { ...own }
    merged[name] = parameters[name]
  }
  return merged === undefined ? query : { text: query.text, parameters: merged }
}
