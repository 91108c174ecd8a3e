/**
 * The TestKit features (nutkit/protocol/feature.py) effect-neo4j really has, each checked against
 * its public API or its wire behaviour. TestKit skips the tests that need a feature not listed.
 *
 * Left out on purpose (the driver lacks them): Bolt 3.0/4.1/5.5 (5.5 was withdrawn),
 * API:SSLConfig (TLS is chosen by URI scheme: no `encrypted` option, and TestKit's trusted
 * certificates are names of its own CA files),
 * API:Result.SingleOptional (the Python driver's single-with-warnings; effect-neo4j has `single`,
 * `peek` and `next`), Backend:MockTime (the driver's clocks cannot be faked from outside),
 * Optimization:EagerTransactionBegin (BEGIN is queued and goes out
 * with the first RUN), Optimization:ResultListFetchAll, Optimization:MinimalVerifyAuthentication
 * (verifyAuthentication logs in again on a pooled connection even with an equal token),
 * Detail:NumberIsNumber (drivers made here use useBigInt, so integers and floats differ).
 */
export const FEATURES: ReadonlyArray<string> = [
  // protocol versions spoken (the handshake's offer: 6.0 by manifest, 5.8-5.0, 4.4-4.3, 4.2; TestKit
  // knows up to 5.7); 4.3/4.4 with the UTC DateTime patch
  "Feature:Bolt:4.2",
  "Feature:Bolt:4.3",
  "Feature:Bolt:4.4",
  "Feature:Bolt:5.0",
  "Feature:Bolt:5.1",
  "Feature:Bolt:5.2",
  "Feature:Bolt:5.3",
  "Feature:Bolt:5.4",
  "Feature:Bolt:5.6",
  "Feature:Bolt:5.7",
  "Feature:Bolt:Patch:UTC",
  // routing table inspection and forced refresh (driver.routingTable, driver.updateRoutingTable)
  "Backend:RTFetch",
  "Backend:RTForceUpdate",
  // Auth constructors
  "Feature:Auth:Bearer",
  "Feature:Auth:Custom",
  "Feature:Auth:Kerberos",
  // auth token managers (AuthTokenManager.make / basic / bearer as the driver's auth)
  "Feature:Auth:Managed",
  // API
  "Feature:API:BookmarkManager",
  "Feature:API:ConnectionAcquisitionTimeout",
  "Feature:API:Driver.ExecuteQuery",
  "Feature:API:Driver:GetServerInfo",
  "Feature:API:Driver.IsEncrypted",
  "Feature:API:Driver:NotificationsConfig",
  // a session's own notification filter, sent in its BEGIN / auto-commit RUN (SessionConfig.notificationFilter)
  "Feature:API:Session:NotificationsConfig",
  "Feature:API:Driver.SupportsSessionAuth",
  // user switching: SessionConfig.auth, QueryConfig.auth, driver.verifyAuthentication (Bolt 5.1+)
  "Feature:API:Session:AuthConfig",
  "Feature:API:Driver.ExecuteQuery:WithAuth",
  "Feature:API:Driver.VerifyAuthentication",
  "Feature:API:Driver.VerifyConnectivity",
  "Feature:API:Liveness.Check",
  "Feature:API:Result.List",
  "Feature:API:Result.Peek",
  "Feature:API:Result.Single",
  "Feature:API:RetryableExceptions",
  "Feature:API:SSLSchemes",
  // mutual TLS: NewDriver's clientCertificate, and NewClientCertificateProvider (ClientCertificate.rotating's interface)
  "Feature:API:SSLClientCertificate",
  "Feature:API:Summary:GqlStatusObjects",
  "Feature:API:Type.Spatial",
  "Feature:API:Type.Temporal",
  "Feature:Impersonation",
  // connection hints
  "ConfHint:connection.recv_timeout_seconds",
  // optimizations the driver does
  "Optimization:AuthPipelining",
  // after AuthorizationExpired every connection of the server logs in again (5.1+) or is closed
  "AuthorizationExpiredTreatment",
  "Optimization:ConnectionReuse",
  "Optimization:ExecuteQueryPipelining",
  "Optimization:ImplicitDefaultArguments",
  "Optimization:MinimalBookmarksSet",
  "Optimization:MinimalResets",
  "Optimization:PullPipelining",
  // the driver's config can be read after close
  "Detail:ClosedDriverIsEncrypted"
]
