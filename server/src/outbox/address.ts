import dns from 'node:dns';
import net from 'node:net';

// Where a webhook may not point unless the admin allows it: the registry's own host and network.
const PRIVATE = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4]
] as const) {
  PRIVATE.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96]
] as const) {
  PRIVATE.addSubnet(prefix, bits, 'ipv6');
}

/** True for loopback, private, link-local, CGNAT, multicast and unspecified addresses (IPv4-mapped too). */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) {
    return PRIVATE.check(mapped[1], 'ipv4');
  }
  const family = net.isIP(ip);
  if (family === 0) {
    return true;
  }
  return PRIVATE.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

export class RefusedTarget extends Error {}

/** Checks a webhook URL when it is registered: http(s) only, no private literal address. */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RefusedTarget(
      `"${raw}" is not a URL; give an absolute http:// or https:// URL`
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RefusedTarget(
      `webhook URLs must be http:// or https://, got ${url.protocol}`
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (
    !allowPrivate &&
    (host === 'localhost' ||
      host.endsWith('.localhost') ||
      (net.isIP(host) && isPrivateAddress(host)))
  ) {
    throw new RefusedTarget(
      `${host} is a private, loopback or link-local address; the admin can allow such targets with MODELREG_WEBHOOKS_ALLOW_PRIVATE=true`
    );
  }
  return url;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number
) => void;

/**
 * A dns.lookup for http.request that refuses private answers: the address checked is the one
 * connected to, so a name that resolves to 127.0.0.1 (or re-resolves, DNS rebinding) is refused.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (
    hostname: string,
    options: dns.LookupOptions,
    callback: LookupCallback
  ): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) {
        return callback(err, '');
      }
      const list = addresses as dns.LookupAddress[];
      const bad = list.find(a => isPrivateAddress(a.address));
      if (bad && !allowPrivate) {
        return callback(
          Object.assign(
            new RefusedTarget(
              `${hostname} resolves to ${bad.address}, a private address; refused (MODELREG_WEBHOOKS_ALLOW_PRIVATE=true allows it)`
            ),
            { code: 'EREFUSEDTARGET' }
          ),
          ''
        );
      }
      if (options.all) {
        return callback(null, list);
      }
      callback(null, list[0].address, list[0].family);
    });
  };
}
