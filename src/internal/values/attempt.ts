/**
 * The value classes validate in their constructors and throw, as the official driver's do; inside
 * Effect code a throw is a defect. `attempt` runs such a constructor and turns its validation
 * failure into a typed `InvalidParameterError` (these values are built to be sent as parameters).
 */
import * as Either from "effect/Either"
import { InvalidParameterError } from "../../Neo4jError.js"

/**
 * `Right` with the value, or `Left` with an `InvalidParameterError` carrying the constructor's
 * message. Only the validation errors are caught: `RangeError` (a bad field) and `TypeError` (a
 * wrong type from untyped input); anything else is a bug and stays a throw.
 */
export const attempt = <A>(make: () => A): Either.Either<A, InvalidParameterError> => {
  try {
    return Either.right(make())
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) return Either.left(new InvalidParameterError({ message: e.message }))
    throw e
  }
}
