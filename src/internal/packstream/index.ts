/** PackStream v1: bytes <-> values. Pure and synchronous; no Effect, no I/O, no graph types. */
export { PackStreamError } from "./errors.js"
export { Float, Int, INT64_MAX, INT64_MIN } from "./numbers.js"
export { type Dehydrator, Packer, utf8Length } from "./packer.js"
export { Structure } from "./structure.js"
export { type Hydrator, unpack, Unpacker } from "./unpacker.js"
