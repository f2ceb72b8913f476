/**
 * `npm run test:nat` (ADR 0010): NAT traversal across real NATs built with network namespaces.
 * A public namespace runs the sync server (its STUN responder on two ports) and coturn (REST
 * API shared secret; the server hands out time-limited credentials). Two homes sit behind
 * port-restricted cone NATs and one behind a symmetric NAT, each with a `poolnet up` daemon
 * driven by `poolnet` commands run in its namespace. Checked: each daemon's NAT check, a
 * cone↔cone link carried directly by WebRTC (the homes' private addresses are unroutable, so
 * TCP cannot), links of the symmetric home carried by TURN (`relayed: true`, on both ends),
 * and a file each way with its SHA-256. Traffic never leaves the namespaces made here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../fixture.js';
import { randomFile, sha256Of } from '../transfer-helpers.js';
import { type Home, NatNetwork, PUBLIC_IP, requireTools } from './netns.js';
import { type Json, NsProcesses } from './ns-processes.js';

const TURN_SECRET = 'nat-harness-secret';
const HTTP_PORT = 8080;
const SERVER_URL = `http://${PUBLIC_IP}:${HTTP_PORT}`;

const net = new NatNetwork();
const processes = new NsProcesses();
let root: string;
const dirs = new Map<Home, string>();
let cone1: Home;
let cone2: Home;
let sym: Home;
let poolId: string;
/** Figures for the report, printed at the end. */
const figures: Record<string, number> = {};

const poolnet = (home: Home, ...args: string[]): Promise<Json> =>
  processes.json(home.ns, dirs.get(home)!, args);
const status = (home: Home): Promise<Json> => poolnet(home, 'status');
const poolLinks = async (home: Home): Promise<Json[]> =>
  (await status(home)).pools.find((p: Json) => p.id === poolId)?.links ?? [];
const deviceId = async (home: Home): Promise<string> => (await status(home)).deviceId as string;

beforeAll(async () => {
  await requireTools();
  root = await mkdtemp(join(tmpdir(), 'poolnet-nat-'));
  await net.start();
  cone1 = await net.addHome('cone-1', 'cone');
  cone2 = await net.addHome('cone-2', 'cone');
  sym = await net.addHome('symmetric', 'symmetric');

  await processes.background(
    'coturn',
    net.publicNs,
    [
      'turnserver',
      '-n',
      `--listening-ip=${PUBLIC_IP}`,
      `--relay-ip=${PUBLIC_IP}`,
      '--listening-port=3478',
      '--min-port=49152',
      '--max-port=49999',
      '--use-auth-secret',
      `--static-auth-secret=${TURN_SECRET}`,
      '--realm=poolnet.test',
      '--fingerprint',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=${join(root, 'turnserver.pid')}`,
      '--verbose',
    ],
    /listener opened on|Total (General|UDP) servers/i,
  );

  await processes.server(net.publicNs, PUBLIC_IP, HTTP_PORT, root, {
    turn: { secret: TURN_SECRET, host: PUBLIC_IP, port: 3478, ttl: 600 },
    rp: { id: 'localhost', name: 'Poolnet NAT test', origins: [SERVER_URL] },
  });

  for (const home of [cone1, cone2, sym]) {
    const dir = join(root, home.name);
    dirs.set(home, dir);
    await processes.daemon(home.name, home.ns, SERVER_URL, dir);
    await poolnet(home, 'register', '--name', home.name, '--device', `${home.name}-pc`);
  }
}, 120_000);

afterAll(async () => {
  processes.killAll();
  await net.destroy();
  if (root) await rm(root, { recursive: true, force: true });
  if (Object.keys(figures).length > 0)
    console.log(`NAT harness figures: ${JSON.stringify(figures)}`);
});

describe('NAT traversal between network namespaces', () => {
  it('[NAT1] each daemon learns its NAT type from the STUN responder', async () => {
    for (const home of [cone1, cone2, sym]) {
      const nat = await eventually(async () => (await status(home)).nat, `${home.name} NAT check`);
      expect(nat.type, `${home.name}: ${nat.message}`).toBe(home.kind);
      expect(nat.publicAddress).toMatch(
        new RegExp(`^${home.publicIp.replace(/\./g, '\\.')}:\\d+$`),
      );
      expect(nat.directReachable).toBe(home.kind === 'cone');
    }
    const text = await processes.text(sym.ns, dirs.get(sym)!, ['status']);
    expect(text).toMatch(/^nat\s+symmetric\s+.*only through a TURN relay/m);
  });

  it('[NAT2] two cone homes link directly over WebRTC and move a file', async () => {
    const { pool } = await poolnet(cone1, 'pool', 'create', 'Homes');
    poolId = pool.id;
    const invite = await poolnet(cone1, 'pool', 'invite', 'Homes', '--uses', '2');
    const started = Date.now();
    await poolnet(cone2, 'pool', 'join', invite.link);
    const peer2 = await deviceId(cone2);
    const link = await eventually(
      async () => (await poolLinks(cone1)).find((l) => l.peer === peer2 && l.relayed !== undefined),
      'a cone-to-cone link with a known route',
      60_000,
    );
    figures.coneLinkMs = Date.now() - started;
    // Private addresses do not route between homes: TCP cannot carry it, WebRTC does, directly.
    expect(link).toMatchObject({ transport: 'webrtc', relayed: false, open: true });

    const path = join(root, 'from-cone-1.bin');
    const sha = await randomFile(path, 2 * 1024 * 1024);
    const { file } = await poolnet(cone1, 'share', 'Homes', path);
    await eventually(
      async () =>
        (await poolnet(cone2, 'files', 'Homes')).files.some((f: Json) => f.id === file.id),
      'the offer on cone-2',
      30_000,
    );
    const got = await poolnet(cone2, 'download', 'Homes', file.id);
    expect(got.sha256).toBe(sha);
    expect(await sha256Of(got.path)).toBe(sha);
  });

  it('[NAT3] the symmetric home links through TURN and a file crosses the relay', async () => {
    const invite = await poolnet(cone1, 'pool', 'invite', 'Homes', '--uses', '1');
    const started = Date.now();
    await poolnet(sym, 'pool', 'join', invite.link);
    const links = await eventually(
      async () => {
        const all = await poolLinks(sym);
        return all.length > 0 && all.every((l) => l.relayed !== undefined) ? all : undefined;
      },
      'the symmetric home linked with known routes',
      90_000,
    );
    figures.symmetricLinkMs = Date.now() - started;
    for (const l of links) expect(l).toMatchObject({ transport: 'webrtc', relayed: true });
    // The far end of each relayed link sees it relayed as well.
    const symId = await deviceId(sym);
    const cones = new Map([
      [await deviceId(cone1), cone1],
      [await deviceId(cone2), cone2],
    ]);
    for (const l of links) {
      const home = cones.get(l.peer);
      expect(home, `a link to an unknown peer ${l.peer}`).toBeDefined();
      const back = await eventually(
        async () =>
          (await poolLinks(home!)).find((x) => x.peer === symId && x.relayed !== undefined),
        `${home!.name}'s side of its link to the symmetric home`,
      );
      expect(back).toMatchObject({ transport: 'webrtc', relayed: true });
    }
    const text = await processes.text(sym.ns, dirs.get(sym)!, ['status']);
    expect(text).toContain('webrtc (relayed via TURN)');

    const path = join(root, 'from-symmetric.bin');
    const sha = await randomFile(path, 2 * 1024 * 1024);
    const { file } = await poolnet(sym, 'share', 'Homes', path);
    await eventually(
      async () =>
        (await poolnet(cone1, 'files', 'Homes')).files.some((f: Json) => f.id === file.id),
      'the offer on cone-1',
      30_000,
    );
    const got = await poolnet(cone1, 'download', 'Homes', file.id);
    expect(got.sha256).toBe(sha);
    expect(await sha256Of(got.path)).toBe(sha);
    // coturn saw it too: an allocation made and a permission for the symmetric home's address.
    const coturn = processes.output.get('coturn') ?? '';
    expect(coturn).toMatch(/ALLOCATE processed, success/);
    expect(coturn).toContain(`peer ${sym.publicIp} lifetime updated`);
  });
});
