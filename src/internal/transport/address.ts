/** Server addresses as the driver passes them around: "host:port", or "[v6]:port". */

/**
 * "host:port" or "[v6]:port" to parts (the brackets dropped); a missing port is `defaultPort`.
 *
 * @since 0.1.0
 */
export const parseAddress = (address: string, defaultPort: number): { host: string; port: number } => {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]+)(?::(\d+))?$/.exec(address)
  if (!m) return { host: address, port: defaultPort }
  return { host: m[1]!, port: m[2] ? Number(m[2]) : defaultPort }
}

/**
 * Parts to "host:port", an IPv6 host in brackets: the inverse of `parseAddress`.
 *
 * @since 0.1.0
 */
export const formatAddress = (host: string, port: number): string => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`)
