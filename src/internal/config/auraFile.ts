/**
 * Aura connection files: the dotenv-style text Neo4j Aura hands out, parsed into keys, read into a
 * `ConfigProvider`, and set as the provider of a layer. No error message here ever quotes a value
 * from the file. The public entry points, with their documentation, are in `DriverConfig`.
 */
import type { FileSystem } from "@effect/platform/FileSystem"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { InvalidConfigError } from "../../Neo4jError.js"

/**
 * @effect/platform's `FileSystem` service tag. Tags are found by their key, so this is the same
 * tag as `FileSystem.FileSystem` (a test checks the key); the module itself is imported for its
 * type only: loading it loads @effect/platform's errors, and through them `Schema` and
 * `FastCheck`, about 7 MB of RSS for every app that loads the driver (measured on the built
 * package), whether or not it reads an Aura file.
 */
export const FileSystemTag = Context.GenericTag<FileSystem>("@effect/platform/FileSystem")

/** `KEY=value` lines to keys (see `DriverConfig.parseAuraFile` for the rules). */
export const parseAuraFile = (text: string): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const rawLine of text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/)) {
    const line = rawLine.trim()
    if (line === "" || line.startsWith("#")) continue
    const eq = line.indexOf("=")
    if (eq <= 0) continue
    const key = line.slice(0, eq).trim().replace(/^export\s+/, "")
    if (key === "") continue
    let value = line.slice(eq + 1).trim()
    if (value.length >= 2) {
      const q = value[0]
      if ((q === '"' || q === "'") && value.endsWith(q)) value = value.slice(1, -1)
    }
    out[key] = value
  }
  return out
}

/** The file's keys as a `ConfigProvider`; unreadable or without `NEO4J_URI`: `InvalidConfigError`. */
export const fromAuraFile = (
  path: string
): Effect.Effect<ConfigProvider.ConfigProvider, InvalidConfigError, FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystemTag
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError((error) => {
        const why =
          error._tag === "SystemError"
            ? error.reason === "NotFound"
              ? "the file does not exist"
              : `${error.reason} (${error.syscall ?? "read"})`
            : error.description ?? "it is not readable"
        return new InvalidConfigError({ message: `Cannot read the Aura connection file ${JSON.stringify(path)}: ${why}` })
      })
    )
    const entries = parseAuraFile(text)
    if (!entries.NEO4J_URI) {
      const keys = Object.keys(entries)
      return yield* new InvalidConfigError({
        message:
          `The Aura connection file ${JSON.stringify(path)} has no NEO4J_URI` +
          (keys.length > 0 ? ` (keys found: ${keys.join(", ")})` : " (no KEY=value lines found)")
      })
    }
    return ConfigProvider.fromMap(new Map(Object.entries(entries)))
  })

/** The file as the `ConfigProvider`, falling back to the one in place before. */
export const layerAuraFile = (path: string): Layer.Layer<never, InvalidConfigError, FileSystem> =>
  Layer.unwrapEffect(
    Effect.flatMap(fromAuraFile(path), (file) =>
      Effect.configProviderWith((previous) =>
        Effect.succeed(Layer.setConfigProvider(ConfigProvider.orElse(file, () => previous)))
      )
    )
  )
