// Which peers may tell Strata who the client is (X-Forwarded-For) and how it was reached
// (X-Forwarded-Host, -Proto): STRATA_TRUSTED_PROXIES, a comma-separated list of addresses and
// CIDR ranges of the reverse proxies in front of the dashboard, or the words `loopback` (the
// default: a proxy on the same machine), `private` (RFC 1918 and unique-local ranges) or `none`.
import net from 'node:net';

export type TrustedProxies = { describe: string; trusts(address: string): boolean };

const NAMED: Record<string, [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  private: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
};

export function parseTrustedProxies(text: string | undefined): TrustedProxies {
  const spec = (text ?? '').trim() || 'loopback';
  const list = new net.BlockList();
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const word = raw.toLowerCase();
    if (word === 'none') continue;
    if (NAMED[word]) {
      for (const [a, bits, type] of NAMED[word]) list.addSubnet(a, bits, type);
      continue;
    }
    const [address, bits] = raw.split('/');
    const type = net.isIP(address ?? '');
    const prefix = bits === undefined ? (type === 4 ? 32 : 128) : Number(bits);
    if (!type || !Number.isInteger(prefix) || prefix < 0 || prefix > (type === 4 ? 32 : 128)) {
      throw new Error(
        `STRATA_TRUSTED_PROXIES: "${raw}" is not an address, a CIDR range, loopback, private or none ` +
          '(it lists the reverse proxies in front of Strata, e.g. 127.0.0.1,10.0.0.0/8; it is no longer a count)',
      );
    }
    list.addSubnet(address!, prefix, type === 4 ? 'ipv4' : 'ipv6');
  }
  return {
    describe: spec,
    trusts(address: string) {
      const type = net.isIP(address);
      if (!type) return false;
      // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d.
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
      if (mapped) return list.check(mapped[1]!, 'ipv4');
      return list.check(address, type === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

let cached: { text: string | undefined; value: TrustedProxies } | undefined;

/** STRATA_TRUSTED_PROXIES, parsed once (again if the variable changes, as tests do). */
export function trustedProxies(): TrustedProxies {
  const text = process.env.STRATA_TRUSTED_PROXIES;
  if (!cached || cached.text !== text) cached = { text, value: parseTrustedProxies(text) };
  return cached.value;
}

/**
 * The client's address from an X-Forwarded-For chain that ends with the peer Strata saw (the
 * front door makes it so): the nearest entry, from the end, that is not a trusted proxy. A
 * client cannot choose it, since every entry after it was written by a proxy Strata trusts.
 */
export function clientAddress(chain: string[], proxies: TrustedProxies = trustedProxies()): string {
  for (let i = chain.length - 1; i >= 0; i--) if (!proxies.trusts(chain[i]!)) return chain[i]!;
  return chain[0] ?? 'unknown';
}
