/**
 * Notification filters against the negotiated Bolt version. The encoders (`bolt/messages.ts`)
 * pack a filter from Bolt 5.2 and leave it out before; whether that is an error is decided here:
 * a filter that asks for something (a field given) is refused with an `UnsupportedFeatureError`
 * before anything goes out, never dropped. `{}` asks for nothing (the server's defaults) and goes
 * anywhere, as the reference drivers accept their default configuration on any version.
 */
import { UnsupportedFeatureError } from "../../Neo4jError.js"
import type { NotificationFilter } from "../bolt/messages.js"
import { format, type Capabilities } from "../bolt/version.js"

/**
 * Whether a filter asks for anything: a severity or a list of disabled classifications (an
 * empty list included, which is sent).
 *
 * @since 0.1.0
 */
export const isSet = (filter: NotificationFilter | undefined): filter is NotificationFilter =>
  filter !== undefined && (filter.minimumSeverity !== undefined || filter.disabledClassifications !== undefined)

/**
 * The refusal of `filter` on a connection whose version has no notification filters (before
 * 5.2), naming the server, the negotiated version, whose filter it is, the filter and the
 * message it would have gone in; `undefined` when it can be sent.
 *
 * @since 0.1.0
 */
export const unsupported = (
  caps: Capabilities,
  address: string,
  filter: NotificationFilter | undefined,
  /** "the driver's notificationFilter", ... */
  whose: string,
  message: "HELLO" | "BEGIN" | "RUN"
): UnsupportedFeatureError | undefined =>
  caps.notificationFilters || !isSet(filter)
    ? undefined
    : new UnsupportedFeatureError({
        feature: "notification filters",
        message: `the server at ${address} negotiated Bolt ${format(caps.version)}, and notification filters need Bolt 5.2 or later (Neo4j 5.7+): ${whose} ${JSON.stringify(filter)} cannot be sent in ${message}`
      })
