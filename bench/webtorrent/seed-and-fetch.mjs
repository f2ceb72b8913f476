// WebTorrent's side of bench:transfer (bench/transfer/webtorrent-run.ts starts one process per
// peer). Every peer talks TCP on 127.0.0.1 only: no DHT, tracker, LSD, uTP, web seeds or NAT
// mapping. One JSON line on stdout per step.
//
//   node seed-and-fetch.mjs seed FILE TORRENT_OUT
//       seeds FILE, writes its .torrent to TORRENT_OUT → {"seeding":true,"port":P,"infoHash":H}
//   node seed-and-fetch.mjs fetch TORRENT DIR SHA256 [STRATEGY]
//       → {"port":P}; reads one stdin line {"peers":["127.0.0.1:P",…]}, adds the torrent and
//       those peers → {"done":true,"ms":M} at the torrent's 'done', then hashes the file on disk
//       → {"verified":true,"sha256":…} (or exits 1). Keeps seeding to the others until SIGTERM.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebTorrent from 'webtorrent';

// WebTorrent has no bind-address option: its TCP server calls listen(port, cb), all
// interfaces. Give that call form 127.0.0.1 so nothing listens beyond loopback.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
    args.splice(1, 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};

const say = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const fail = (text) => {
  process.stderr.write(`${text}\n`);
  process.exit(1);
};

const client = new WebTorrent({
  dht: false,
  tracker: false,
  lsd: false,
  utp: false,
  webSeeds: false,
  natUpnp: false,
  natPmp: false,
});
client.on('error', (err) => fail(`webtorrent: ${err.message ?? err}`));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => client.destroy(() => process.exit(0)));
}

const listening = new Promise((resolve) => {
  if (client.listening) resolve();
  else client.once('listening', resolve);
});

async function sha256File(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk);
  return hash.digest('hex');
}

async function seed(file, torrentOut) {
  await listening;
  client.seed(file, { announce: [], urlList: [] }, async (torrent) => {
    await writeFile(torrentOut, torrent.torrentFile);
    say({ seeding: true, port: client.address().port, infoHash: torrent.infoHash });
  });
}

async function fetchTorrent(torrentPath, dir, sha256, strategy) {
  const torrentFile = await readFile(torrentPath);
  await listening;
  say({ port: client.address().port });
  const line = await new Promise((resolve) => {
    createInterface({ input: process.stdin }).once('line', resolve);
  });
  const { peers } = JSON.parse(line);
  const started = performance.now();
  const torrent = client.add(torrentFile, { path: dir, announce: [], strategy });
  torrent.on('error', (err) => fail(`torrent: ${err.message ?? err}`));
  const addPeers = () => {
    for (const peer of peers) torrent.addPeer(peer);
  };
  if (torrent.infoHash) addPeers();
  else torrent.once('infoHash', addPeers);
  torrent.once('done', async () => {
    say({ done: true, ms: performance.now() - started });
    const file = torrent.files[0];
    const got = await sha256File(join(dir, file.path));
    if (got !== sha256) fail(`${file.path} hashes to ${got}, expected ${sha256}`);
    say({ verified: true, sha256: got });
  });
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'seed' && args.length === 2) await seed(args[0], args[1]);
else if (mode === 'fetch' && args.length >= 3) {
  await fetchTorrent(args[0], args[1], args[2], args[3] ?? 'sequential');
} else {
  fail('usage: seed-and-fetch.mjs seed FILE TORRENT_OUT | fetch TORRENT DIR SHA256 [STRATEGY]');
}
