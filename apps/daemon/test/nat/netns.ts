/**
 * A small internet made of network namespaces for the NAT harness (ADR 0010): a "public"
 * namespace with a bridge on 198.51.100.0/24 (TEST-NET-2, documentation addresses), router
 * namespaces on that bridge that NAT with nftables, and a "home" namespace behind each router
 * on its own 10.N.0.0/24. Every veth is created inside a test namespace with its peer in another
 * (`ip -n NS link add … peer … netns OTHER`), so the root namespace's addresses, routes and
 * firewall are never touched; deleting the namespaces removes everything.
 *
 * NAT kinds, in nftables terms:
 * - cone: plain `masquerade`. Linux keeps the source port when it is free, so one local socket
 *   gets one public port whatever it talks to (endpoint-independent mapping); conntrack lets in
 *   only replies from the address and port it sent to (address+port-dependent filtering):
 *   a port-restricted cone NAT.
 * - symmetric: `masquerade fully-random`: every new flow (a new destination) gets a random
 *   public port, so the port a STUN server sees is useless to anyone else.
 * Both routers drop new inbound flows before conntrack confirms them, as home routers do: an
 * unanswered probe from a peer then leaves no conntrack entry that would clash with the
 * mapping the device makes a moment later (that clash would make Linux pick another port).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export type NatKind = 'cone' | 'symmetric';

export interface Home {
  readonly name: string;
  readonly kind: NatKind;
  /** The home namespace, where the daemon runs. */
  readonly ns: string;
  readonly router: string;
  /** The router's public address, what STUN should report. */
  readonly publicIp: string;
  readonly lanIp: string;
}

export const PUBLIC_IP = '198.51.100.1';
/** A next hop on the public bridge that no namespace answers for. */
const NOWHERE = '198.51.100.254';

function run(command: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || error.message}`));
      } else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/**
 * Fails with one clear message when this machine cannot build the network: not root, no
 * `ip netns`, no nftables, no coturn. The harness must not skip silently.
 */
export async function requireTools(): Promise<void> {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (network namespaces need CAP_NET_ADMIN)');
  for (const [tool, args, pkg] of [
    ['ip', ['netns', 'list'], 'iproute2'],
    ['nft', ['--version'], 'nftables'],
    ['turnserver', ['--version'], 'coturn'],
  ] as const) {
    await run(tool, args).catch(() => missing.push(`${tool} (Debian package ${pkg})`));
  }
  if (missing.length > 0) {
    throw new Error(`npm run test:nat cannot run here; it needs ${missing.join(', ')}`);
  }
}

export class NatNetwork {
  /** A prefix unique to this run, so parallel or leftover runs never collide. */
  readonly prefix = `pn${randomBytes(3).toString('hex')}`;
  readonly publicNs = `${this.prefix}-pub`;
  readonly homes: Home[] = [];
  private readonly namespaces: string[] = [];

  /** The public namespace and its bridge. */
  async start(): Promise<void> {
    await this.addNamespace(this.publicNs);
    const ip = (...args: string[]) => run('ip', ['-n', this.publicNs, ...args]);
    await ip('link', 'add', 'br0', 'type', 'bridge');
    await ip('addr', 'add', `${PUBLIC_IP}/24`, 'dev', 'br0');
    await ip('link', 'set', 'br0', 'up');
    // Private addresses lead nowhere from the public side, silently, as on the internet: to a
    // next hop whose MAC nobody has. Without a route a send would fail with ENETUNREACH, and
    // coturn closes an allocation whose relay socket reports that (e.g. for a peer's host
    // candidate), which would break every relayed link of that device.
    await ip(
      'neigh',
      'add',
      NOWHERE,
      'lladdr',
      '02:00:00:00:00:fe',
      'dev',
      'br0',
      'nud',
      'permanent',
    );
    await ip('route', 'add', '10.0.0.0/8', 'via', NOWHERE);
  }

  /** A router on the public bridge doing `kind` NAT, and a home namespace behind it. */
  async addHome(name: string, kind: NatKind): Promise<Home> {
    const index = this.homes.length + 1;
    const router = `${this.prefix}-r${index}`;
    const ns = `${this.prefix}-h${index}`;
    const publicIp = `198.51.100.${10 + index}`;
    const lanIp = `10.${index}.0.2`;
    await this.addNamespace(router);
    await this.addNamespace(ns);
    const inRouter = (...args: string[]) => run('ip', ['-n', router, ...args]);
    const inHome = (...args: string[]) => run('ip', ['-n', ns, ...args]);
    const inPublic = (...args: string[]) => run('ip', ['-n', this.publicNs, ...args]);

    await inRouter(
      'link',
      'add',
      'wan',
      'type',
      'veth',
      'peer',
      'name',
      `r${index}`,
      'netns',
      this.publicNs,
    );
    await inPublic('link', 'set', `r${index}`, 'master', 'br0');
    await inPublic('link', 'set', `r${index}`, 'up');
    await inRouter('addr', 'add', `${publicIp}/24`, 'dev', 'wan');
    await inRouter('link', 'set', 'wan', 'up');

    await inRouter('link', 'add', 'lan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await inRouter('addr', 'add', `10.${index}.0.1/24`, 'dev', 'lan');
    await inRouter('link', 'set', 'lan', 'up');
    await inHome('addr', 'add', `${lanIp}/24`, 'dev', 'eth0');
    await inHome('link', 'set', 'eth0', 'up');
    await inHome('route', 'add', 'default', 'via', `10.${index}.0.1`);

    await run('ip', ['netns', 'exec', router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    const masquerade = kind === 'symmetric' ? 'masquerade fully-random' : 'masquerade';
    await run(
      'ip',
      ['netns', 'exec', router, 'nft', '-f', '-'],
      `table ip nat {
        chain postrouting {
          type nat hook postrouting priority srcnat; policy accept;
          oifname "wan" ${masquerade}
        }
      }
      table inet filter {
        chain input {
          type filter hook input priority filter; policy accept;
          iifname "wan" ct state new drop
        }
        chain forward {
          type filter hook forward priority filter; policy accept;
          iifname "wan" ct state new drop
        }
      }
      `,
    );
    const home: Home = { name, kind, ns, router, publicIp, lanIp };
    this.homes.push(home);
    return home;
  }

  /** `argv` run inside `ns` (as `ip netns exec NS …`). */
  exec(ns: string, argv: readonly string[]): string[] {
    return ['netns', 'exec', ns, ...argv];
  }

  /** Deletes every namespace made, whatever state the run left them in. */
  async destroy(): Promise<void> {
    for (const ns of this.namespaces.splice(0).reverse()) {
      await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    }
  }

  private async addNamespace(ns: string): Promise<void> {
    await run('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }
}
